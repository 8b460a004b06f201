// The Kubernetes cluster-autoscaler's conventions on AWS, as its cloudprovider/aws
// reads them (aws_manager.go, auto_scaling_groups.go at cluster-autoscaler-1.33.6):
// how it discovers an ASG by tags, and the node-template tags that describe the
// nodes of an ASG it has no node of (scaling up from 0). The program writes them
// and the policy pack checks them.

/** Its image's repository path, whichever registry (upstream or a mirror) serves it. */
export const AUTOSCALER_REPOSITORY = "autoscaling/cluster-autoscaler";

/** EKS tags every managed node group's ASG with these two ("true" and "owned"). */
export const AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
export const autoscalerClusterTag = (clusterName: string) => `k8s.io/cluster-autoscaler/${clusterName}`;

/** Node-template tags are `<prefix>label/<key>`, `<prefix>taint/<key>` and `<prefix>resources/<name>`. */
export const NODE_TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template/";

/** The Kubernetes taint effect as the template tag spells it, from the EKS API's NO_SCHEDULE style or Kubernetes' own. */
const EFFECTS: Readonly<Record<string, string>> = {
    NO_SCHEDULE: "NoSchedule",
    NO_EXECUTE: "NoExecute",
    PREFER_NO_SCHEDULE: "PreferNoSchedule",
    NoSchedule: "NoSchedule",
    NoExecute: "NoExecute",
    PreferNoSchedule: "PreferNoSchedule",
};

export interface NodeTemplate {
    labels: Readonly<Record<string, string>>;
    taints: readonly { key: string; value: string; effect: string }[];
    /** Extended resources a node has, such as `nvidia.com/gpu: 8`. */
    resources: Readonly<Record<string, number>>;
}

/** The ASG tags (key → value) that tell the autoscaler a node's labels, taints and extended resources before one exists. */
export function nodeTemplateTags(template: NodeTemplate): Record<string, string> {
    return {
        ...Object.fromEntries(Object.entries(template.labels).map(([key, value]) => [`${NODE_TEMPLATE_PREFIX}label/${key}`, value])),
        ...Object.fromEntries(
            template.taints.map((taint) => [`${NODE_TEMPLATE_PREFIX}taint/${taint.key}`, `${taint.value}:${EFFECTS[taint.effect] ?? taint.effect}`]),
        ),
        ...Object.fromEntries(Object.entries(template.resources).map(([name, amount]) => [`${NODE_TEMPLATE_PREFIX}resources/${name}`, String(amount)])),
    };
}

/**
 * Whether the flags make the autoscaler discover the ASGs EKS creates for `clusterName`:
 * a `--node-group-auto-discovery=asg:tag=…` spec naming this cluster's tag, every tag of
 * which EKS sets (with its value, when the spec gives one). A spec that only names
 * `k8s.io/cluster-autoscaler/enabled` would take every cluster's groups in the account.
 */
export function discoversCluster(flags: readonly string[], clusterName: string): boolean {
    const eksTags = new Map([
        [AUTOSCALER_ENABLED_TAG, "true"],
        [autoscalerClusterTag(clusterName), "owned"],
    ]);
    return flags
        .filter((flag) => flag.startsWith("--node-group-auto-discovery=asg:tag="))
        .some((flag) => {
            const tags = flag
                .slice("--node-group-auto-discovery=asg:tag=".length)
                .split(",")
                .map((pair) => pair.split("=") as [string, string | undefined]);
            const matched = tags.every(([key, value]) => eksTags.has(key) && (value === undefined || value === eksTags.get(key)));
            return matched && tags.some(([key]) => key === autoscalerClusterTag(clusterName));
        });
}
