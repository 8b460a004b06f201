// SIZE-01: the cluster meets the minimums of the topology it declares.
import type { ClusterFacts, NodePoolFacts } from "../../core/facts";
import { stackPolicy } from "../lib/policy";
import { TOPOLOGY_MINIMUMS, type TopologyMinimums } from "../../core/topology-minimums";
import { clusterFactsOf } from "../lib/facts";
import { listOf } from "../../core/text";

const OR_ALLOW = "or set kfstack:allowUndersized.reason";

/** Where a too-small node is fixed: the instance type on a cloud, the declared node on an existing cluster. */
function largerNodes(cloud: ClusterFacts["cloud"], key: "vcpu" | "memoryGiB" | "nvmeGB"): string {
    if (cloud === "existing") return `the cluster needs larger nodes (declared in kfstack:cluster.nodePool.${key})`;
    if (cloud === "gcp" && key === "nvmeGB") return "attach more local SSDs (kfstack:cluster.nodePool.localSsdCount)";
    return "choose a larger instance type (kfstack:cluster.nodePool.instanceType)";
}

function checkPerNode(facts: ClusterFacts, pool: NodePoolFacts, min: TopologyMinimums, report: (message: string) => void): void {
    const what = `Node pool "${pool.name}"${pool.instanceType ? ` (${pool.instanceType})` : ""}`;
    const needs = `the ${facts.topology} topology needs at least`;
    const shortfalls = [
        { key: "vcpu", has: pool.vcpu, needs: min.vcpu, unit: "vCPU" },
        { key: "memoryGiB", has: pool.memoryGiB, needs: min.memoryGiB, unit: "GiB of memory" },
        { key: "nvmeGB", has: pool.nvmeGB, needs: min.nvmeGB, unit: "GB of local NVMe" },
    ] as const;
    for (const { key, has, needs: wanted, unit } of shortfalls) {
        if (has >= wanted) continue;
        report(`${what} has ${has} ${unit} per node; ${needs} ${wanted}; ${largerNodes(facts.cloud, key)}, ${OR_ALLOW}.`);
    }
}

/** "3 nodes of 16 vCPU, 64 GiB and 950 GB": a topology's minimums as the description states them. */
function atLeast(min: TopologyMinimums): string {
    return `${min.nodes} nodes of ${min.vcpu} vCPU, ${min.memoryGiB} GiB and ${min.nvmeGB.toLocaleString("en-US")} GB`;
}

export const topologyMinimums = stackPolicy({
    id: "SIZE-01",
    slug: "topology-minimums",
    description:
        `The cluster meets its topology: testing at least ${atLeast(TOPOLOGY_MINIMUMS.testing)} local NVMe; production at least ${atLeast(TOPOLOGY_MINIMUMS.production)}, plus a GPU pool. ` +
        "A stack that states why it runs smaller (kfstack:allowUndersized.reason) is exempt.",
    reason: "Kubeflow's control plane (Istio, Knative, KServe, pipelines, Katib, notebooks) takes about a node's worth of CPU and memory before the first user workload; below these sizes pipelines are evicted, images fill small disks, and losing one node takes the platform down.",
    remediation:
        "Raise kfstack:cluster.nodePool.nodeCount, choose a larger instance type (or on GCP more local SSDs), and for production keep kfstack:cluster.gpuPool; or, for a deliberately small stack, state why in kfstack:allowUndersized.reason.",
    validateStack: (args, reportViolation) => {
        const declared = clusterFactsOf(args);
        if (!declared) {
            args.notApplicable("the stack records no kfstack cluster facts; check a bare resource list with --stack-config");
            return;
        }
        const { facts, urn } = declared;
        // The exemption is part of the reviewed stack file and printed by every `kfstack plan`; a mandatory violation would make it unusable.
        if (typeof facts.undersizedReason === "string" && facts.undersizedReason.trim() !== "") return;
        const min = TOPOLOGY_MINIMUMS[facts.topology];
        if (!min) return;
        const report = (message: string) => reportViolation(message, urn);
        const general = facts.nodePools.filter((pool) => !pool.gpu);
        if (general.length === 0) {
            report(
                `The stack declares no general node pool; the ${facts.topology} topology needs at least ${min.nodes} nodes of ${min.vcpu} vCPU; set kfstack:cluster.nodePool, ${OR_ALLOW}.`,
            );
        }
        const nodes = general.reduce((sum, pool) => sum + pool.minNodes, 0);
        if (general.length && nodes < min.nodes) {
            const pools = listOf(general.map((pool) => `"${pool.name}"`));
            report(
                `Node pool${general.length > 1 ? "s" : ""} ${pools} ${general.length > 1 ? "start" : "starts"} at ${nodes} ${nodes === 1 ? "node" : "nodes"}; ` +
                    `the ${facts.topology} topology needs at least ${min.nodes}; raise kfstack:cluster.nodePool.nodeCount, ${OR_ALLOW}.`,
            );
        }
        for (const pool of general) checkPerNode(facts, pool, min, report);
        if (min.gpuPool && !facts.nodePools.some((pool) => pool.gpu && pool.maxNodes >= 1)) {
            report(`The stack has no GPU pool; the ${facts.topology} topology needs one (it may scale to zero); set kfstack:cluster.gpuPool, ${OR_ALLOW}.`);
        }
    },
});
