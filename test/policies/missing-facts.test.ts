import { plannableStackSettings } from "../../engine/unset-secrets";
import { describe, expect, it } from "vitest";
import { CLUSTER_FACTS_TYPES, KUBEFLOW_FACTS_TYPE, TENANCY_FACTS_TYPE, type TenantFacts } from "../../core/facts";
import { type PolicyRecord, evaluatePolicies, policyRecordsOf } from "../../engine/policy-check";
import { stackPackConfig } from "../../engine/plan";
import { Unknown } from "../../engine/values";
import { crossTenantBindings } from "../../policies/tenancy/ten-01-cross-tenant-bindings";
import { kubernetesWindow } from "../../policies/versions/ver-03-kubernetes-window";
import { plannedStack } from "../planned-stacks";
import { record } from "./fixtures";
import { type SharedStack } from "../planned-stacks";
import { resolveStack } from "../../components/stack";

/**
 * What the components registered as outputs before they registered their facts, which is all a real
 * preview then gave stack policies: the cluster its name, kubeconfig and node pools, Kubeflow its release
 * and object count, Tenancy the tenants' names.
 */
function withoutFactOutputs(records: PolicyRecord[]): PolicyRecord[] {
    return records.map((resource) => {
        const props = resource.props;
        if (CLUSTER_FACTS_TYPES.includes(resource.type)) {
            return { ...resource, props: { clusterName: Unknown.instance, kubeconfig: Unknown.instance, nodePools: props["nodePools"] } };
        }
        if (resource.type === KUBEFLOW_FACTS_TYPE) return { ...resource, props: { release: props["release"], objects: 540 } };
        if (resource.type === TENANCY_FACTS_TYPE) return { ...resource, props: { tenants: (props["tenants"] as TenantFacts[]).map((tenant) => tenant.name) } };
        return resource;
    });
}

const ENDING =
    "which this policy reads, so it cannot decide; the component must register its facts as its outputs (registerOutputs), which is what a preview gives stack policies.";

async function undecidedWithoutFacts(stack: SharedStack) {
    const plan = await plannedStack(stack);
    const config = stackPackConfig(resolveStack({ stack, config: plannableStackSettings(stack).config }).config);
    const report = await evaluatePolicies(withoutFactOutputs(policyRecordsOf(plan.resources)), { config });
    expect(report.violations).toEqual([]);
    return { plan, undecided: report.undecided.filter((entry) => entry.resource === "stack") };
}

const urnOf = (plan: { resources: { type: string; urn: string }[] }, types: readonly string[]) =>
    plan.resources.find((resource) => types.includes(resource.type))!.urn;

describe("stack policies on components whose outputs lack the facts they read", () => {
    it("leave every policy that reads them undecided with its reason, on the prod plan: no violation, no throw", async () => {
        const { plan, undecided } = await undecidedWithoutFacts("prod");
        const cluster = `The cluster facts of ${urnOf(plan, CLUSTER_FACTS_TYPES)} lack cloud, topology, kubernetesVersion and podCidrs, ${ENDING}`;
        const kubeflow = `The Kubeflow facts of ${urnOf(plan, [KUBEFLOW_FACTS_TYPE])} lack kubernetesVersion, window and images, ${ENDING}`;
        const tenancy = `The tenancy facts of ${urnOf(plan, [TENANCY_FACTS_TYPE])} lack tenants[0] and tenants[1], ${ENDING}`;
        expect(undecided.map(({ policy, reason }) => [policy, reason])).toEqual([
            ["mem-02-memory-limit-range", cluster],
            ["ver-01-training-operator", kubeflow],
            ["ver-02-bom-images", kubeflow],
            ["ver-03-kubernetes-window", kubeflow],
            ["drift-01-controller-owned-fields", kubeflow],
            ["ten-01-cross-tenant-bindings", tenancy],
            ["eks-01-api-endpoint", cluster],
            ["gpu-04-gpu-driver", cluster],
            ["size-01-topology-minimums", cluster],
            ["plat-01-storage-classes", cluster],
            ["plat-03-scale-from-zero", cluster],
            ["data-01-managed-stores", cluster],
        ]);
    });

    it("leave REG-01 undecided on an air-gapped stack, where it reads the cloud from the cluster facts", async () => {
        const { plan, undecided } = await undecidedWithoutFacts("airgap");
        expect(undecided.find((entry) => entry.policy === "reg-01-registry-mirror")?.reason).toBe(
            `The cluster facts of ${urnOf(plan, CLUSTER_FACTS_TYPES)} lack cloud, topology, kubernetesVersion and podCidrs, ${ENDING}`,
        );
    });

    it("leave TEN-01 undecided when one tenant's facts lack readsFrom, instead of throwing on it", async () => {
        const tenant = (name: string): Partial<TenantFacts> => ({ name, owner: `${name}@example.com`, members: [], readsFrom: [], sharedEditors: [] });
        const profile = (name: string) =>
            record("kubernetes:kubeflow.org/v1:Profile", {
                kind: "Profile",
                metadata: { name },
                spec: { owner: { kind: "User", name: `${name}@example.com` } },
            });
        const { readsFrom: _, ...withoutReadsFrom } = tenant("team-b");
        const tenancy = record(TENANCY_FACTS_TYPE, { tenants: [tenant("team-a"), withoutReadsFrom] }, "kfstack-tenancy");
        const report = await evaluatePolicies([profile("team-a"), profile("team-b"), tenancy], { policies: [crossTenantBindings] });
        expect(report.violations).toEqual([]);
        expect(report.undecided).toEqual([
            { policy: "ten-01-cross-tenant-bindings", resource: "stack", reason: `The tenancy facts of ${tenancy.urn} lack tenants[1].readsFrom, ${ENDING}` },
        ]);
    });

    it("leave VER-03 undecided when the Kubeflow facts have no window, instead of reporting one of undefined–undefined", async () => {
        const kubeflow = record(KUBEFLOW_FACTS_TYPE, { release: "kubeflow-1.8.1", kubernetesVersion: "1.33", images: [] }, "kubeflow");
        const report = await evaluatePolicies([kubeflow], { policies: [kubernetesWindow] });
        expect(report.violations).toEqual([]);
        expect(report.undecided).toEqual([
            { policy: "ver-03-kubernetes-window", resource: "stack", reason: `The Kubeflow facts of ${kubeflow.urn} lack window, ${ENDING}` },
        ]);
    });
});
