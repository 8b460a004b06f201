// NET-01: every tenant namespace has a default-deny NetworkPolicy for ingress and egress.
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { tenantsOf } from "../lib/tenants";
import { type StackNetworkPolicy, describePodSelector, networkPoliciesIn } from "./network-policies";

/** Why a policy is not a default deny; empty when it is one. */
function shortfalls({ object, policy }: StackNetworkPolicy): string[] {
    const ingress = policy.written.ingress.length;
    const egress = policy.written.egress.length;
    return [
        ...(policy.podSelector.empty ? [] : [`selects only some pods (podSelector ${describePodSelector(object)})`]),
        ...(["Ingress", "Egress"] as const).filter((type) => !policy.types.has(type)).map((type) => `does not list policyType ${type}`),
        ...(ingress > 0 ? [`allows ingress (${ingress} ${ingress === 1 ? "rule" : "rules"})`] : []),
        ...(egress > 0 ? [`allows egress (${egress} ${egress === 1 ? "rule" : "rules"})`] : []),
    ];
}

/** A policy meant as a default deny: it has no rules, or it selects every pod for both directions. */
function looksLikeDeny({ policy }: StackNetworkPolicy): boolean {
    const noRules = policy.written.ingress.length === 0 && policy.written.egress.length === 0;
    return noRules || (policy.podSelector.empty && policy.types.has("Ingress") && policy.types.has("Egress"));
}

export const defaultDenyNetworkPolicy = stackPolicy({
    id: "NET-01",
    slug: "default-deny",
    description: "Every tenant namespace has a default-deny NetworkPolicy: podSelector {}, policyTypes Ingress and Egress, and no ingress or egress rules.",
    reason: "Without a default deny every pod of the cluster can reach a tenant's notebooks, model servers and databases, and a tenant's pods can reach every other tenant and the internet: namespaces alone isolate nothing on the network.",
    remediation:
        "Add a NetworkPolicy to the tenant namespace with spec {podSelector: {}, policyTypes: [Ingress, Egress]} and no rules; allow what the tenant needs (DNS, object storage: NET-02) in separate NetworkPolicies.",
    validateStack: (args, reportViolation) => {
        for (const tenant of tenantsOf(args.resources)) {
            const policies = networkPoliciesIn(args.resources, tenant.namespace);
            if (policies.some((policy) => shortfalls(policy).length === 0)) continue;
            const near = policies
                .filter(looksLikeDeny)
                .map((policy) => `${describeResource("NetworkPolicy", policy.object.props, policy.object.resource.name)} ${shortfalls(policy).join(", ")}`);
            reportViolation(
                `Tenant namespace "${tenant.namespace}" has no default-deny NetworkPolicy${near.length ? ` (${near.join("; ")})` : ""}; add one with podSelector {}, policyTypes [Ingress, Egress] and no rules.`,
                tenant.urn,
            );
        }
    },
});
