// An existing cluster's declared capabilities in its plan: read from the
// cluster through its provider before anything is applied, shown in the text
// plan, and never judged by the pack as objects the plan creates.
import { describe, expect, it } from "vitest";
import { renderSummary } from "../cli/plan";
import { planStack } from "../engine/plan";
import { policyRecordsOf } from "../engine/policy-check";
import { stackFixture } from "./helpers";
import { plannedStack } from "./planned-stacks";

const READS = {
    onprem: [
        ["kubernetes:storage.k8s.io/v1:StorageClass", "kfstack-onprem-storageclass-ceph-rbd", "ceph-rbd"],
        ["kubernetes:storage.k8s.io/v1:StorageClass", "kfstack-onprem-storageclass-cephfs", "cephfs"],
        ["kubernetes:apps/v1:DaemonSet", "kfstack-onprem-network-policy-agent", "kube-system/calico-node"],
        ["kubernetes:apps/v1:Deployment", "kfstack-onprem-metallb-controller", "metallb-system/controller"],
    ],
    airgap: [
        ["kubernetes:storage.k8s.io/v1:StorageClass", "kfstack-airgap-storageclass-rook-ceph-block", "rook-ceph-block"],
        ["kubernetes:apps/v1:DaemonSet", "kfstack-airgap-network-policy-agent", "kube-system/cilium"],
    ],
} as const;

describe.each(["onprem", "airgap"] as const)("the existing cluster of stack %s", (stack) => {
    it("reads every declared capability through the cluster's provider, as a child of the cluster", async () => {
        const plan = await plannedStack(stack);
        const cluster = plan.resources.find((resource) => resource.type === "kfstack:cluster:ExistingCluster")!;
        const provider = plan.resources.find((resource) => resource.type === "pulumi:providers:kubernetes")!;
        expect(
            plan.resources.filter((resource) => resource.read).map(({ type, name, read, parent, provider }) => [type, name, read!.id, parent, provider]),
        ).toEqual(READS[stack].map(([type, name, id]) => [type, name, id, cluster.urn, provider.urn]));
        expect(plan.summary.reads).toEqual(READS[stack].map(([type, , id]) => ({ type, id })));
    });

    it("applies Kubeflow and monitoring only after the reads", async () => {
        const plan = await plannedStack(stack);
        const reads = plan.resources.filter((resource) => resource.read).map((resource) => resource.urn);
        const components = plan.resources.filter((resource) => ["kfstack:kubeflow:Kubeflow", "kfstack:monitoring:Monitoring"].includes(resource.type));
        expect(Object.fromEntries(components.map((component) => [component.type, component.dependsOn]))).toEqual({
            "kfstack:kubeflow:Kubeflow": [...reads].sort(),
            "kfstack:monitoring:Monitoring": [...reads].sort(),
        });
    });

    it("shows the reads in the text plan and leaves them out of the resource count and of what the pack judges", async () => {
        const plan = await plannedStack(stack);
        const described = READS[stack].map(([type, , id]) => `${type.split(":").at(-1)} ${id}`).join(", ");
        expect(renderSummary(plan).split("\n")).toContain(`Reads from the cluster before applying anything: ${described}.`);
        expect(plan.summary.resourceCount).toBe(plan.resources.length - 1 - READS[stack].length);
        const judged = policyRecordsOf(plan.resources).map((record) => record.urn);
        expect(judged).toHaveLength(plan.resources.length - READS[stack].length);
        expect(plan.resources.filter((resource) => resource.read && judged.includes(resource.urn))).toEqual([]);
    });
});

describe("the existing cluster of a stack with tenants", () => {
    it("applies the tenants only after the reads of what the cluster provides", async () => {
        const plan = await planStack("three-tenants", { configFile: stackFixture("three-tenants") });
        const reads = plan.resources.filter((resource) => resource.read);
        expect(reads.map((resource) => resource.read!.id)).toEqual(["local-path", "kube-system/calico-node"]);
        const tenancy = plan.resources.find((resource) => resource.type === "kfstack:tenancy:Tenancy")!;
        expect(tenancy.dependsOn).toEqual(expect.arrayContaining(reads.map((resource) => resource.urn)));
    });
});
