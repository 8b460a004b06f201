// PLAT-03: a node pool that can be at 0 nodes has something that scales it up
// from 0. On EKS that is a cluster-autoscaler the plan runs (found by its image,
// wherever it is pulled from), with AWS access through Pod Identity, and node-template
// tags on the group's ASG for what it cannot learn without a node. On GKE the pool's
// own autoscaling (GKE's autoscaler builds the node from the pool's template). An
// existing cluster must declare that it provides autoscaling.
import type { PolicyResource } from "@pulumi/policy";
import { recordAt } from "../../core/records";
import { stackPolicy } from "../lib/policy";
import { eksScaleFromZeroShortfalls, findAutoscalers } from "./scale-from-zero-eks";
import { EKS_NODE_GROUP, GKE_NODE_POOL, describeCloudResource } from "./resources";
import { clusterFactsOf } from "../lib/facts";

/** Why a GKE node pool that can be at 0 stays there, or undefined when its autoscaling can add nodes. */
function gkeShortfall(pool: PolicyResource): string | undefined {
    const autoscaling = pool.props["autoscaling"] === undefined ? undefined : recordAt(pool.props, "autoscaling");
    const min = autoscaling?.["totalMinNodeCount"] ?? autoscaling?.["minNodeCount"];
    const size: unknown = pool.props["nodeCount"] ?? pool.props["initialNodeCount"];
    const what = describeCloudResource(pool.type, pool.name);
    if (!autoscaling) {
        if (size !== 0) return undefined;
        return `${what} has 0 nodes and no autoscaling, so nothing adds a node for a pending pod; set autoscaling.totalMinNodeCount 0 and totalMaxNodeCount above 0 (GKE's autoscaler builds the node from the pool's template, GPUs, labels and taints included).`;
    }
    if (min !== 0) return undefined;
    const max = autoscaling["totalMaxNodeCount"] ?? autoscaling["maxNodeCount"];
    if (typeof max === "number" && max > 0) return undefined;
    return `${what} can be at 0 nodes (autoscaling minimum 0), but its autoscaling allows no node (maximum ${max === undefined ? "not set" : JSON.stringify(max)}), so it never scales up; set autoscaling.totalMaxNodeCount above 0.`;
}

export const scaleFromZero = stackPolicy({
    id: "PLAT-03",
    slug: "scale-from-zero",
    description:
        "A node pool that can be at 0 nodes has something that scales it up from 0. EKS: a node group with scalingConfig.minSize 0 is discovered by a planned cluster-autoscaler Deployment (image …/autoscaling/cluster-autoscaler, --node-group-auto-discovery with the cluster's k8s.io/cluster-autoscaler/<cluster> tag), whose ServiceAccount has an EKS Pod Identity association, and its ASG carries node-template tags (aws:autoscaling/tag:Tag) for each of its labels and taints and, with GPUs, for nvidia.com/gpu. GKE: a node pool at 0 has autoscaling with a maximum above 0. Existing clusters: a declared pool with minNodes 0 needs provides.autoscaling true.",
    reason: "A pool at 0 nodes only grows when an autoscaler adds a node for a pending pod: without one, or when it cannot call AWS or cannot tell from an empty group's tags that a GPU pod fits a tainted GPU node, every GPU job stays Pending forever.",
    remediation:
        "Let kfstack install the cluster-autoscaler on EKS (it does when a pool can change size) with its Pod Identity role and the node groups' node-template tags; on GKE give the pool autoscaling; on an existing cluster declare provides.autoscaling: true when it runs an autoscaler, or give the pool a minimum above 0.",
    validateStack: (args, reportViolation) => {
        const groups = args.resources.filter((resource) => resource.type === EKS_NODE_GROUP && recordAt(resource.props, "scalingConfig")["minSize"] === 0);
        if (groups.length) {
            const autoscalers = findAutoscalers(args.resources);
            for (const group of groups) {
                for (const shortfall of eksScaleFromZeroShortfalls(group, autoscalers, args.resources)) reportViolation(shortfall, group.urn);
            }
        }
        for (const pool of args.resources.filter((resource) => resource.type === GKE_NODE_POOL)) {
            const shortfall = gkeShortfall(pool);
            if (shortfall) reportViolation(shortfall, pool.urn);
        }
        const cluster = clusterFactsOf(args);
        if (cluster?.facts.cloud !== "existing" || cluster.facts.provides?.autoscaling === true) return;
        for (const pool of cluster.facts.nodePools.filter((declared) => declared.minNodes === 0)) {
            reportViolation(
                `Node pool "${pool.name}" of the existing cluster can be at 0 nodes (minNodes 0), but the stack does not declare that the cluster scales it up (provides.autoscaling is ${cluster.facts.provides ? "false" : "not declared"}): nothing in the plan adds nodes, so pods that need the pool stay Pending. Declare provides.autoscaling: true if the cluster runs an autoscaler for it, or set the pool's minNodes above 0.`,
                cluster.urn,
            );
        }
    },
});
