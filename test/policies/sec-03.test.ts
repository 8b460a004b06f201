import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { systemNamespaces } from "../../policies/workloads/sec-03-system-namespaces";
import { changed, messagesOf, record, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { SKIP_UPSTREAM, carrierOf, configMap, upstreamObject, workloadCarriers } from "./fixtures-workloads";

const inNamespace = (kind: string, namespace: unknown) => changed(carrierOf(kind), ["props", "metadata", "namespace"], namespace);

describe("SEC-03 system namespaces", () => {
    it("accepts every pod-template carrier in a namespace of its own", async () => {
        expect(await messagesOf(systemNamespaces, workloadCarriers())).toEqual([]);
    });

    it.each([["default"], ["kube-system"], ["kube-public"]])("rejects a workload in %s", async (namespace) => {
        const bad = inNamespace("Deployment", namespace);
        expect(await violationsOf(systemNamespaces, [bad])).toEqual([
            mandatoryViolation(
                { policy: "sec-03-system-namespaces", id: "SEC-03" },
                bad,
                `Deployment "${namespace}/deployment" runs in the system namespace "${namespace}"; move it to the component's own namespace or the user's profile namespace.`,
            ),
        ]);
    });

    it("rejects a workload without a namespace, which lands in the provider's default", async () => {
        expect(await messagesOf(systemNamespaces, [inNamespace("CronJob", undefined)])).toEqual([
            'CronJob "cronjob" has no namespace, so it lands in the provider\'s default namespace (usually "default"); set metadata.namespace to the component\'s or the profile\'s namespace.',
        ]);
    });

    it("checks every carrier, training jobs and model servers included", async () => {
        const messages = await messagesOf(systemNamespaces, [
            inNamespace("PyTorchJob", "default"),
            inNamespace("InferenceService", "kube-system"),
            inNamespace("Pod", "kube-public"),
        ]);
        expect(messages).toEqual([
            'PyTorchJob "default/pytorchjob" runs in the system namespace "default"; move it to the component\'s own namespace or the user\'s profile namespace.',
            'InferenceService "kube-system/inferenceservice" runs in the system namespace "kube-system"; move it to the component\'s own namespace or the user\'s profile namespace.',
            'Pod "kube-public/pod" runs in the system namespace "kube-public"; move it to the component\'s own namespace or the user\'s profile namespace.',
        ]);
        const everyCarrier = workloadCarriers().map((carrier) => changed(carrier, ["props", "metadata", "namespace"], "default"));
        const kinds = (await messagesOf(systemNamespaces, everyCarrier)).map((message) => /^(\w+) /.exec(message)![1]);
        expect(kinds).toEqual(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "PyTorchJob", "InferenceService"]);
    });

    it("leaves objects that run no pods alone: cert-manager's leader-election Roles belong in kube-system", async () => {
        const role = record("kubernetes:rbac.authorization.k8s.io/v1:Role", {
            metadata: { name: "cert-manager:leaderelection", namespace: "kube-system" },
            rules: [],
        });
        expect(await messagesOf(systemNamespaces, [role, configMap("settings", "default", {})])).toEqual([]);
    });

    describe.skipIf(SKIP_UPSTREAM)("cluster add-ons on the exemption list", () => {
        const devicePlugin = () => upstreamObject("nvidia-device-plugin-v0.20.0/nvidia-device-plugin.yml", "DaemonSet", "nvidia-device-plugin-daemonset");

        it("accepts the NVIDIA device plugin in kube-system, as NVIDIA ships it", async () => {
            expect(await messagesOf(systemNamespaces, [devicePlugin()])).toEqual([]);
        });

        it("rejects another workload in kube-system that runs the device plugin's image", async () => {
            const other = changed(devicePlugin(), ["props", "metadata", "name"], "my-agent");
            expect(await messagesOf(systemNamespaces, [other])).toEqual([
                'DaemonSet "kube-system/my-agent" runs in the system namespace "kube-system"; move it to the component\'s own namespace or the user\'s profile namespace.',
            ]);
        });

        it("rejects the DCGM exporter as upstream ships it, without a namespace", async () => {
            expect(await messagesOf(systemNamespaces, [upstreamObject("dcgm-exporter-4.5.3-4.8.2/dcgm-exporter.yaml", "DaemonSet", "dcgm-exporter")])).toEqual([
                'DaemonSet "dcgm-exporter" has no namespace, so it lands in the provider\'s default namespace (usually "default"); set metadata.namespace to the component\'s or the profile\'s namespace.',
            ]);
        });
    });

    it("is undecided, not failed, when the namespace is unknown during preview", async () => {
        const unknown = inNamespace("Deployment", Unknown.instance);
        expect((await undecidedOf(systemNamespaces, [unknown])).map((entry) => entry.reason)).toEqual([
            "string value at .metadata.namespace can't be known during preview",
        ]);
    });
});
