import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { defaultDenyNetworkPolicy } from "../../policies/tenancy/net-01-default-deny";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { at, defaultDeny, tenantNamespace, twoTenants } from "./fixtures-tenancy";

const tenants = twoTenants();
const DENY = at(tenants, "NetworkPolicy", "team-a/default-deny");
const SPEC = [DENY, "props", "spec"];
const FIX = "add one with podSelector {}, policyTypes [Ingress, Egress] and no rules.";

describe("NET-01 default-deny NetworkPolicy", () => {
    it("accepts tenants with a default-deny NetworkPolicy next to their allow rules", async () => {
        expect(await violationsOf(defaultDenyNetworkPolicy, tenants)).toEqual([]);
    });

    it("rejects a tenant namespace without one, reported on its Profile", async () => {
        const bad = tenants.filter((_, index) => index !== DENY);
        expect(await violationsOf(defaultDenyNetworkPolicy, bad)).toEqual([
            mandatoryViolation(
                { policy: "net-01-default-deny", id: "NET-01" },
                tenants[at(tenants, "Profile", "team-a")]!,
                `Tenant namespace "team-a" has no default-deny NetworkPolicy; ${FIX}`,
            ),
        ]);
    });

    it("rejects a deny that selects only some pods", async () => {
        expect(await messagesOf(defaultDenyNetworkPolicy, changed(tenants, [...SPEC, "podSelector"], { matchLabels: { app: "notebook" } }))).toEqual([
            `Tenant namespace "team-a" has no default-deny NetworkPolicy (NetworkPolicy "team-a/default-deny" selects only some pods (podSelector {"matchLabels":{"app":"notebook"}})); ${FIX}`,
        ]);
    });

    it.each(["Ingress", "Egress"])("rejects a deny that leaves out policyType %s", async (type) => {
        const kept = type === "Ingress" ? "Egress" : "Ingress";
        expect(await messagesOf(defaultDenyNetworkPolicy, changed(tenants, [...SPEC, "policyTypes"], [kept]))).toEqual([
            `Tenant namespace "team-a" has no default-deny NetworkPolicy (NetworkPolicy "team-a/default-deny" does not list policyType ${type}); ${FIX}`,
        ]);
    });

    it("takes a deny without policyTypes to cover ingress only, as the API server does", async () => {
        expect(await messagesOf(defaultDenyNetworkPolicy, changed(tenants, [...SPEC, "policyTypes"], undefined))).toEqual([
            `Tenant namespace "team-a" has no default-deny NetworkPolicy (NetworkPolicy "team-a/default-deny" does not list policyType Egress); ${FIX}`,
        ]);
    });

    it.each(["ingress", "egress"])("rejects a deny with an %s rule", async (direction) => {
        expect(await messagesOf(defaultDenyNetworkPolicy, changed(tenants, [...SPEC, direction], [{}]))).toEqual([
            `Tenant namespace "team-a" has no default-deny NetworkPolicy (NetworkPolicy "team-a/default-deny" allows ${direction} (1 rule)); ${FIX}`,
        ]);
    });

    it("accepts empty rule lists and a missing podSelector, which select everything and allow nothing", async () => {
        const explicit = changed(changed(tenants, [...SPEC, "ingress"], []), [...SPEC, "egress"], []);
        expect(await messagesOf(defaultDenyNetworkPolicy, explicit)).toEqual([]);
        expect(await messagesOf(defaultDenyNetworkPolicy, changed(tenants, [...SPEC, "podSelector"], undefined))).toEqual([]);
        expect(await messagesOf(defaultDenyNetworkPolicy, changed(tenants, [...SPEC, "podSelector"], { matchLabels: {}, matchExpressions: [] }))).toEqual([]);
    });

    it("does not take a deny in another namespace for the tenant's", async () => {
        const elsewhere = changed(tenants, [DENY, "props", "metadata", "namespace"], "kubeflow");
        expect(await messagesOf(defaultDenyNetworkPolicy, elsewhere)).toEqual([`Tenant namespace "team-a" has no default-deny NetworkPolicy; ${FIX}`]);
    });

    it("finds tenants declared by a labelled Namespace", async () => {
        expect(await messagesOf(defaultDenyNetworkPolicy, [tenantNamespace("team-c", "carol@example.com")])).toEqual([
            `Tenant namespace "team-c" has no default-deny NetworkPolicy; ${FIX}`,
        ]);
        expect(await messagesOf(defaultDenyNetworkPolicy, [tenantNamespace("team-c", "carol@example.com"), defaultDeny("team-c")])).toEqual([]);
    });

    it("is undecided while a policy's spec is unknown", async () => {
        expect((await undecidedOf(defaultDenyNetworkPolicy, changed(tenants, SPEC, Unknown.instance))).map((entry) => entry.policy)).toEqual([
            "net-01-default-deny",
        ]);
    });
});
