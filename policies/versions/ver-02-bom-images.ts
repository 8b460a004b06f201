// VER-02: every Kubeflow component container runs an image of the bill of materials of the stack's release.
import { stackPolicy } from "../lib/policy";
import { containersOf, describeResource, kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { kubeflowFactsOf } from "../lib/facts";
import { pulledReference } from "../../core/image-references";

export interface BomImagesConfig {
    /** The namespaces the Kubeflow release installs its components into. */
    namespaces: string[];
}

/** The namespaces of the Kubeflow releases' components as kfstack installs them (oauth2-proxy's from 1.9.1). */
export const KUBEFLOW_NAMESPACES = ["kubeflow", "istio-system", "auth", "cert-manager", "knative-serving", "knative-eventing", "oauth2-proxy"];

/** The workload kinds the BOM lists images of (components/bom/<release>.yaml). */
const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

export const bomImages = stackPolicy({
    id: "VER-02",
    slug: "bom-images",
    description:
        "Every container and init container of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob in a Kubeflow namespace runs an image of the bill of materials of the stack's Kubeflow release (the Kubeflow facts' images).",
    reason: "Kubeflow's components are tested together as one release: an image from another release (a newer controller, a retagged build) mixes CRD and API versions that were never run together, and an image outside the BOM is neither mirrored nor scanned.",
    remediation:
        "Install the component from kfstack's bill of materials. If the image is a deliberate change, add it to components/bom/<release>.yaml under its component, with a note saying why.",
    configSchema: {
        properties: {
            namespaces: {
                type: "array",
                items: { type: "string" },
                default: KUBEFLOW_NAMESPACES,
                description: "The namespaces of the Kubeflow release's components; workloads elsewhere (tenants, monitoring, GPU drivers) are not checked.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const facts = kubeflowFactsOf(args)?.facts;
        if (!facts) return;
        const allowed = new Set((facts.images ?? []).map(pulledReference));
        const namespaces = new Set(args.getConfig<BomImagesConfig>().namespaces ?? KUBEFLOW_NAMESPACES);
        for (const resource of args.resources) {
            const kind = kubernetesKind(resource.type)?.kind;
            if (!kind || !WORKLOAD_KINDS.has(kind)) continue;
            const namespace = metadataOf(resource.props).namespace;
            if (!namespace || !namespaces.has(namespace)) continue;
            for (const { container, role } of containersOf(kind, resource.props)) {
                const where = `${role === "container" ? "Container" : "Init container"} "${container.name}" in ${describeResource(kind, resource.props, resource.name)}`;
                if (typeof container.image !== "string" || container.image === "") {
                    reportViolation(`${where} names no image; set the image the ${facts.release} bill of materials pins for it.`, resource.urn);
                } else if (!allowed.has(pulledReference(container.image))) {
                    reportViolation(
                        `${where} runs ${container.image}, which is not in the ${facts.release} bill of materials; use the image the BOM pins for this component, or add it to components/bom/${facts.release}.yaml with a note.`,
                        resource.urn,
                    );
                }
            }
        }
    },
});
