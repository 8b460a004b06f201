// VER-03: the cluster's Kubernetes version is inside the Kubeflow release's window, or acknowledged.
import { stackPolicy } from "../lib/policy";
import { kubeflowFactsOf } from "../lib/facts";
import { compareKubernetesMinors, parseKubernetesVersion } from "../../core/kubernetes-version";

export const kubernetesWindow = stackPolicy({
    id: "VER-03",
    slug: "kubernetes-window",
    description:
        "The cluster's Kubernetes version is inside the supported window of the stack's Kubeflow release (narrowed by its components'), or the stack acknowledges that exact version with a reason (kfstack:kubeflow.acknowledgeKubernetesVersion).",
    reason: "Outside its window a Kubeflow release meets removed or changed APIs and webhook behaviour its components were never tested against; running there must be a recorded decision, not an accident of a cluster upgrade.",
    remediation:
        "Run a Kubernetes version inside the release's window, or set kfstack:kubeflow.acknowledgeKubernetesVersion to the version the cluster runs with the reason it is acceptable.",
    validateStack: (args, reportViolation) => {
        const recorded = kubeflowFactsOf(args);
        if (!recorded) return;
        const { facts, urn } = recorded;
        const version = parseKubernetesVersion(facts.kubernetesVersion);
        const min = parseKubernetesVersion(facts.window?.min);
        const max = parseKubernetesVersion(facts.window?.max);
        if (!version || !min || !max) {
            reportViolation(
                `The Kubeflow facts of ${facts.release} give Kubernetes ${JSON.stringify(facts.kubernetesVersion)} and the window ${JSON.stringify(facts.window?.min)}–${JSON.stringify(facts.window?.max)}, which are not all versions such as "1.26"; fix kfstack:kubernetesVersion or the BOM's kubernetes window.`,
                urn,
            );
            return;
        }
        if (compareKubernetesMinors(version, min) >= 0 && compareKubernetesMinors(version, max) <= 0) return;

        const tested = facts.window.tested?.length ? `; upstream also tested ${facts.window.tested.join(", ")}` : "";
        const outside = `Kubernetes ${facts.kubernetesVersion} is outside the window of ${facts.release} (${facts.window.min}–${facts.window.max}${tested})`;
        const acknowledged = facts.acknowledgedKubernetesVersion;
        const acknowledgedVersion = parseKubernetesVersion(acknowledged?.version);
        if (!acknowledged) {
            reportViolation(
                `${outside}; run a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion to version ${facts.kubernetesVersion} with a reason.`,
                urn,
            );
        } else if (!acknowledgedVersion || compareKubernetesMinors(acknowledgedVersion, version) !== 0) {
            reportViolation(
                `${outside}, and the stack acknowledges ${acknowledged.version}, not ${facts.kubernetesVersion}; acknowledge the version the cluster runs, with a reason.`,
                urn,
            );
        } else if (typeof acknowledged.reason !== "string" || acknowledged.reason.trim() === "") {
            reportViolation(
                `${outside}, and its acknowledgement gives no reason; say in kfstack:kubeflow.acknowledgeKubernetesVersion.reason why this version is acceptable.`,
                urn,
            );
        }
    },
});
