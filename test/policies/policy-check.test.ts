// The offline evaluation of the pack: the same semantics as the Pulumi analyzer.
import { describe, expect, it } from "vitest";
import { evaluatePolicies } from "../../engine/policy-check";
import { Secret, Unknown } from "../../engine/values";
import { ALL_POLICIES } from "../../policies/all";
import { containerResources } from "../../policies/workloads/mem-01-container-resources";
import { changed, podCarriers, undecidedOf } from "./fixtures";

const deployment = () => podCarriers().find((carrier) => carrier.type === "kubernetes:apps/v1:Deployment")!;

describe("offline policy evaluation", () => {
    it("leaves a policy undecided for a resource, not passed or failed, when a value it reads is one the preview cannot know", async () => {
        const unknown = changed(deployment(), ["props", "spec", "template", "spec", "containers", 0, "resources"], Unknown.instance);
        expect(await undecidedOf(containerResources, [unknown])).toEqual([
            {
                policy: "mem-01-container-resources",
                resource: unknown.urn,
                reason: "string value at .spec.template.spec.containers.0.resources can't be known during preview",
            },
        ]);
    });

    it("hands secrets to policies as their plain values, as the analyzer does", async () => {
        const secret = changed(deployment(), ["props", "spec", "template", "spec", "containers", 0, "resources", "limits"], new Secret({}));
        const report = await evaluatePolicies([secret], { policies: [containerResources] });
        expect(report.violations.map((violation) => violation.message)).toEqual([
            'Container "app" in Deployment "team-a/deployment" has no memory limit; set resources.limits.memory.',
        ]);
    });

    it("takes the enforcement level of each policy from the pack config", async () => {
        const bad = changed(deployment(), ["props", "spec", "template", "spec", "containers", 0, "resources"], undefined);
        const report = await evaluatePolicies([bad], {
            policies: [containerResources],
            config: { "mem-01-container-resources": { enforcementLevel: "advisory" } },
        });
        expect(report.violations.map((violation) => violation.enforcement)).toEqual(["advisory"]);
    });

    it("gives every policy of the pack a unique stable name, an id, a description, a reason and a remediation", () => {
        expect(new Set(ALL_POLICIES.map((policy) => policy.name)).size).toBe(ALL_POLICIES.length);
        for (const policy of ALL_POLICIES) {
            expect(policy.name).toMatch(/^[a-z]+-[0-9]{2}-[a-z0-9-]+$/);
            expect(policy.name.startsWith(policy.id.toLowerCase())).toBe(true);
            expect([policy.description, policy.reason, policy.remediation].every((text) => text.length > 20)).toBe(true);
            expect(["advisory", "mandatory", "disabled"]).toContain(policy.enforcementLevel);
        }
    });
});
