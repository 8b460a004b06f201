// Fixture factories for PLAT-03: what kfstack plans on its prod (EKS) stack so
// the GPU node group at 0 scales up: the cluster-autoscaler Deployment, its Pod
// Identity association, and the node-template tags on the group's ASG.
import type { PolicyRecord } from "../../engine/policy-check";
import { Unknown } from "../../engine/values";
import { record } from "./fixtures";
import { eksCluster, eksGpuNodeGroup, eksNodeGroup } from "./fixtures-cloud";

export const AUTOSCALER_IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6";
export const DISCOVERY = "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/kfstack-prod";

/** The autoscaler Deployment in kube-system, running `image` with the given flags. */
export function autoscalerDeployment(image = AUTOSCALER_IMAGE, args = ["--cloud-provider=aws", DISCOVERY, "--balance-similar-node-groups"]): PolicyRecord {
    return record("kubernetes:apps/v1:Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "cluster-autoscaler", namespace: "kube-system" },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": "cluster-autoscaler" } },
            template: {
                metadata: { labels: { "app.kubernetes.io/name": "cluster-autoscaler" } },
                spec: {
                    serviceAccountName: "cluster-autoscaler",
                    containers: [{ name: "cluster-autoscaler", image, command: ["./cluster-autoscaler"], args }],
                },
            },
        },
    });
}

export function autoscalerAssociation(serviceAccount = "cluster-autoscaler"): PolicyRecord {
    return record(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        { clusterName: "kfstack-prod", namespace: "kube-system", serviceAccount, roleArn: Unknown.instance },
        "kfstack-prod-cluster-autoscaler",
    );
}

/** One node-template tag on the ASG of `group`, whose name (and so the tag's dependency) comes from the group. */
export function asgTag(group: PolicyRecord, suffix: string, value: string): PolicyRecord {
    return {
        ...record(
            "aws:autoscaling/tag:Tag",
            { autoscalingGroupName: Unknown.instance, tag: { key: `k8s.io/cluster-autoscaler/node-template/${suffix}`, value, propagateAtLaunch: false } },
            `${group.name}-asg-${suffix}`,
        ),
        dependsOn: [group.urn!],
    };
}

/** The tags kfstack puts on the GPU group's ASG: its labels, its taint and its 8 GPUs. */
export function gpuTemplateTags(group: PolicyRecord): PolicyRecord[] {
    return [
        asgTag(group, "label/kfstack.io/pool", "gpu"),
        asgTag(group, "label/nvidia.com/gpu.product", "NVIDIA-A100-SXM4-40GB"),
        asgTag(group, "taint/nvidia.com/gpu", "present:NoSchedule"),
        asgTag(group, "resources/nvidia.com/gpu", "8"),
    ];
}

/** The prod stack's records PLAT-03 reads: both node groups, the GPU group's tags, the autoscaler and its association. */
export function scaleFromZeroRecords(): PolicyRecord[] {
    const gpu = eksGpuNodeGroup();
    return [eksCluster(), eksNodeGroup(), gpu, ...gpuTemplateTags(gpu), autoscalerDeployment(), autoscalerAssociation()];
}
