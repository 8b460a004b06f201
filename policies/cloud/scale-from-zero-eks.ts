// What PLAT-03 needs on EKS for a node group that can be at 0: the planned
// cluster-autoscaler that discovers it, that autoscaler's Pod Identity
// association, and the node-template tags on the group's ASG (core/cluster-autoscaler.ts).
import type { PolicyResource } from "@pulumi/policy";
import {
    AUTOSCALER_ENABLED_TAG,
    AUTOSCALER_REPOSITORY,
    NODE_TEMPLATE_PREFIX,
    autoscalerClusterTag,
    discoversCluster,
    nodeTemplateTags,
} from "../../core/cluster-autoscaler";
import { GPU_RESOURCE } from "../../core/gpu";
import { isOfRepository } from "../../core/image-references";
import { containersOf, describeResource, kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { asStrings, recordAt } from "../../core/records";
import { listOf } from "../../core/text";
import { eksNodeGroupGpus, taintsOf } from "./gpu-nodes";
import { AUTOSCALING_TAG, describeCloudResource, hasPodIdentityAssociation } from "./resources";

export interface PlannedAutoscaler {
    /** `Deployment "kube-system/cluster-autoscaler"`. */
    where: string;
    namespace: string;
    serviceAccount: string;
    /** Command and arguments of its autoscaler container. */
    flags: string[];
}

/** Every planned Deployment with a container running the cluster-autoscaler image, from any registry. */
export function findAutoscalers(resources: readonly PolicyResource[]): PlannedAutoscaler[] {
    return resources.flatMap((resource) => {
        if (kubernetesKind(resource.type)?.kind !== "Deployment") return [];
        const container = containersOf("Deployment", resource.props).find(
            ({ container }) => typeof container.image === "string" && isOfRepository(container.image, AUTOSCALER_REPOSITORY),
        );
        if (!container) return [];
        return [
            {
                where: describeResource("Deployment", resource.props, resource.name),
                namespace: metadataOf(resource.props).namespace ?? "default",
                serviceAccount: typeof container.template.spec["serviceAccountName"] === "string" ? container.template.spec["serviceAccountName"] : "default",
                flags: [...asStrings(container.container["command"]), ...asStrings(container.container["args"])],
            },
        ];
    });
}

/** The tags planned on the group's ASG: aws:autoscaling/tag:Tag resources that depend on the group (their ASG name comes from it). */
function asgTags(group: PolicyResource, resources: readonly PolicyResource[]): Map<string, unknown> {
    const tags = resources.filter((resource) => resource.type === AUTOSCALING_TAG && resource.dependencies.some((dependency) => dependency.urn === group.urn));
    return new Map(tags.map((tag) => recordAt(tag.props, "tag")).map((tag) => [String(tag["key"]), tag["value"]]));
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

/** The node-template tags the group lacks (or has with another value), each as `key = "value"`. */
function missingTemplateTags(group: PolicyResource, resources: readonly PolicyResource[]): string[] {
    const labels = recordAt(group.props, "labels");
    const expected = nodeTemplateTags({
        labels: Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, text(value)])),
        taints: taintsOf(group.props).map((taint) => ({ key: text(taint.key), value: text(taint.value), effect: text(taint.effect) })),
        resources: {},
    });
    const planned = asgTags(group, resources);
    const missing = Object.entries(expected)
        .filter(([key, value]) => planned.get(key) !== value)
        .map(([key, value]) => `${key} = ${JSON.stringify(value)}`);
    const gpuTag = `${NODE_TEMPLATE_PREFIX}resources/${GPU_RESOURCE}`;
    const gpus = planned.get(gpuTag);
    if (eksNodeGroupGpus(group.props) && !(typeof gpus === "string" && /^[1-9][0-9]*$/.test(gpus))) missing.push(`${gpuTag} = "<GPUs per node>"`);
    return missing;
}

/** Why the node group, which can be at 0 nodes, may stay there: each a whole violation message; empty when it scales up. */
export function eksScaleFromZeroShortfalls(group: PolicyResource, autoscalers: readonly PlannedAutoscaler[], resources: readonly PolicyResource[]): string[] {
    const what = `${describeCloudResource(group.type, group.name)} can be at 0 nodes (scalingConfig.minSize 0)`;
    const clusterName = String(group.props["clusterName"]);
    const discovery = `--node-group-auto-discovery=asg:tag=${AUTOSCALER_ENABLED_TAG},${autoscalerClusterTag(clusterName)}`;
    const autoscaler = autoscalers.find((candidate) => discoversCluster(candidate.flags, clusterName));
    if (!autoscaler) {
        const planned = autoscalers.length
            ? `the cluster-autoscaler in ${listOf(autoscalers.map((candidate) => candidate.where))} does not discover it`
            : "the plan runs no cluster-autoscaler";
        return [
            `${what}, but ${planned}: nothing scales it up, and pods that need it stay Pending. Run the cluster-autoscaler (image registry.k8s.io/${AUTOSCALER_REPOSITORY}) with ${discovery}.`,
        ];
    }
    const shortfalls: string[] = [];
    const account = `${autoscaler.namespace}/${autoscaler.serviceAccount}`;
    if (!hasPodIdentityAssociation(resources, autoscaler.namespace, autoscaler.serviceAccount)) {
        shortfalls.push(
            `${what}, but the cluster-autoscaler in ${autoscaler.where} has no AWS access: no EKS Pod Identity association for ServiceAccount ${account}, so it cannot set the group's desired size. Add a PodIdentityAssociation for ${account} with a role that may call autoscaling:SetDesiredCapacity on the cluster's node groups.`,
        );
    }
    const missing = missingTemplateTags(group, resources);
    if (missing.length) {
        shortfalls.push(
            `${what}, but its ASG lacks node-template tags the cluster-autoscaler needs to build a node of an empty group: ${missing.join(", ")}; without them it cannot tell that a pending pod fits, and never scales the group up. Add each as an aws.autoscaling.Tag on the group's ASG (resources[0].autoscalingGroups[0].name), propagateAtLaunch false.`,
        );
    }
    return shortfalls;
}
