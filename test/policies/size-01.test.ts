import { describe, expect, it } from "vitest";
import { topologyMinimums } from "../../policies/cloud/size-01-topology-minimums";
import type { ClusterFacts, NodePoolFacts } from "../../core/facts";
import { messagesOf, violationsOf, mandatoryViolation } from "./fixtures";
import { clusterFactsRecord, generalPoolFacts, gpuPoolFacts, reportOf } from "./fixtures-cloud";

const OR_ALLOW = "or set kfstack:allowUndersized.reason";

function stack(general: Partial<NodePoolFacts>, facts: Partial<ClusterFacts> = {}) {
    return clusterFactsRecord({ nodePools: [{ ...generalPoolFacts(), ...general }, gpuPoolFacts()], ...facts });
}

/** The dev stack: testing topology, 3 x m6id.4xlarge, no GPU pool. */
function testing(general: Partial<NodePoolFacts> = {}, cloud: ClusterFacts["cloud"] = "aws") {
    const pool = {
        ...generalPoolFacts(),
        instanceType: "m6id.4xlarge",
        minNodes: 3,
        desiredNodes: 3,
        maxNodes: 6,
        vcpu: 16,
        memoryGiB: 64,
        nvmeGB: 950,
        ...general,
    };
    return clusterFactsRecord({ cloud, topology: "testing", nodePools: [pool] }, "kfstack-dev");
}

describe("SIZE-01 topology minimums", () => {
    it("accepts the prod stack's production topology and the dev stack's testing topology, exactly at the minimums", async () => {
        expect((await reportOf(topologyMinimums, [stack({})])).violations).toEqual([]);
        expect((await reportOf(topologyMinimums, [testing()])).violations).toEqual([]);
    });

    it("rejects a production stack with too few nodes", async () => {
        const facts = stack({ minNodes: 5, desiredNodes: 5 });
        expect(await violationsOf(topologyMinimums, [facts])).toEqual([
            mandatoryViolation(
                { policy: "size-01-topology-minimums", id: "SIZE-01" },
                facts,
                `Node pool "general" starts at 5 nodes; the production topology needs at least 6; raise kfstack:cluster.nodePool.nodeCount, ${OR_ALLOW}.`,
            ),
        ]);
    });

    it("counts the autoscaling minimum, not the maximum", async () => {
        expect(await messagesOf(topologyMinimums, [testing({ minNodes: 1, desiredNodes: 1, maxNodes: 10 })])).toEqual([
            `Node pool "general" starts at 1 node; the testing topology needs at least 3; raise kfstack:cluster.nodePool.nodeCount, ${OR_ALLOW}.`,
        ]);
    });

    it.each([
        [{ vcpu: 31 }, "has 31 vCPU per node; the production topology needs at least 32"],
        [{ memoryGiB: 127 }, "has 127 GiB of memory per node; the production topology needs at least 128"],
        [{ nvmeGB: 1899 }, "has 1899 GB of local NVMe per node; the production topology needs at least 1900"],
    ])("rejects production nodes below the minimum: %j", async (short, text) => {
        expect(await messagesOf(topologyMinimums, [stack(short)])).toEqual([
            `Node pool "general" (m6id.8xlarge) ${text}; choose a larger instance type (kfstack:cluster.nodePool.instanceType), ${OR_ALLOW}.`,
        ]);
    });

    it("rejects the testing preset's instance type in production", async () => {
        expect(await messagesOf(topologyMinimums, [stack({ instanceType: "m6id.4xlarge", vcpu: 16, memoryGiB: 64, nvmeGB: 950 })])).toEqual([
            `Node pool "general" (m6id.4xlarge) has 16 vCPU per node; the production topology needs at least 32; choose a larger instance type (kfstack:cluster.nodePool.instanceType), ${OR_ALLOW}.`,
            `Node pool "general" (m6id.4xlarge) has 64 GiB of memory per node; the production topology needs at least 128; choose a larger instance type (kfstack:cluster.nodePool.instanceType), ${OR_ALLOW}.`,
            `Node pool "general" (m6id.4xlarge) has 950 GB of local NVMe per node; the production topology needs at least 1900; choose a larger instance type (kfstack:cluster.nodePool.instanceType), ${OR_ALLOW}.`,
        ]);
    });

    it("points GCP at local SSDs and existing clusters at their declared nodes", async () => {
        expect(await messagesOf(topologyMinimums, [testing({ instanceType: "n2-standard-16", nvmeGB: 750 }, "gcp")])).toEqual([
            `Node pool "general" (n2-standard-16) has 750 GB of local NVMe per node; the testing topology needs at least 950; attach more local SSDs (kfstack:cluster.nodePool.localSsdCount), ${OR_ALLOW}.`,
        ]);
        expect(await messagesOf(topologyMinimums, [testing({ instanceType: undefined, memoryGiB: 48 }, "existing")])).toEqual([
            `Node pool "general" has 48 GiB of memory per node; the testing topology needs at least 64; the cluster needs larger nodes (declared in kfstack:cluster.nodePool.memoryGiB), ${OR_ALLOW}.`,
        ]);
    });

    it("rejects a production stack without a GPU pool", async () => {
        expect(await messagesOf(topologyMinimums, [clusterFactsRecord({ nodePools: [generalPoolFacts()] })])).toEqual([
            `The stack has no GPU pool; the production topology needs one (it may scale to zero); set kfstack:cluster.gpuPool, ${OR_ALLOW}.`,
        ]);
    });

    it("does not ask a testing stack for a GPU pool", async () => {
        expect(await messagesOf(topologyMinimums, [testing()])).toEqual([]);
    });

    it("rejects a stack without a general pool", async () => {
        expect(await messagesOf(topologyMinimums, [clusterFactsRecord({ nodePools: [gpuPoolFacts()] })])).toEqual([
            `The stack declares no general node pool; the production topology needs at least 6 nodes of 32 vCPU; set kfstack:cluster.nodePool, ${OR_ALLOW}.`,
        ]);
    });

    it("exempts a stack that states why it runs undersized", async () => {
        expect(
            await messagesOf(topologyMinimums, [
                stack({ minNodes: 1, vcpu: 8 }, { undersizedReason: "Short-lived CI stack for the upgrade test; torn down after the run." }),
            ]),
        ).toEqual([]);
    });

    it("is undecided without kfstack's cluster facts, and says why", async () => {
        const report = await reportOf(topologyMinimums, []);
        expect(report.violations).toEqual([]);
        expect(report.undecided).toEqual([
            {
                policy: "size-01-topology-minimums",
                resource: "stack",
                reason: "the stack records no kfstack cluster facts; check a bare resource list with --stack-config",
            },
        ]);
    });
});
