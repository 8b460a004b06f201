// NET-01: every tenant namespace has a default-deny NetworkPolicy for ingress and egress.
import type { KfstackStackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { type KubernetesObject, tenantsOf } from "../lib/tenants";
import { networkPoliciesIn, podSelectorOf, policyTypesOf, rulesOf, selectsAllPods } from "./network-policies";
import { describeSelector } from "./selectors";

/** Why a policy is not a default deny; empty when it is one. */
function shortfalls(policy: KubernetesObject): string[] {
    const types = policyTypesOf(policy);
    const ingress = rulesOf(policy, "ingress").length;
    const egress = rulesOf(policy, "egress").length;
    return [
        ...(selectsAllPods(policy) ? [] : [`selects only some pods (podSelector ${describeSelector(podSelectorOf(policy))})`]),
        ...["Ingress", "Egress"].filter((type) => !types.includes(type)).map((type) => `does not list policyType ${type}`),
        ...(ingress > 0 ? [`allows ingress (${ingress} ${ingress === 1 ? "rule" : "rules"})`] : []),
        ...(egress > 0 ? [`allows egress (${egress} ${egress === 1 ? "rule" : "rules"})`] : []),
    ];
}

/** A policy meant as a default deny: it has no rules, or it selects every pod for both directions. */
function looksLikeDeny(policy: KubernetesObject): boolean {
    const noRules = rulesOf(policy, "ingress").length === 0 && rulesOf(policy, "egress").length === 0;
    const types = policyTypesOf(policy);
    return noRules || (selectsAllPods(policy) && types.includes("Ingress") && types.includes("Egress"));
}

export const defaultDenyNetworkPolicy: KfstackStackPolicy = {
    id: "NET-01",
    name: "net-01-default-deny",
    description: "Every tenant namespace has a default-deny NetworkPolicy: podSelector {}, policyTypes Ingress and Egress, and no ingress or egress rules.",
    reason: "Without a default deny every pod of the cluster can reach a tenant's notebooks, model servers and databases, and a tenant's pods can reach every other tenant and the internet: namespaces alone isolate nothing on the network.",
    remediation: "Add a NetworkPolicy to the tenant namespace with spec {podSelector: {}, policyTypes: [Ingress, Egress]} and no rules; allow what the tenant needs (DNS, object storage: NET-02) in separate NetworkPolicies.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const tenant of tenantsOf(args.resources)) {
            const policies = networkPoliciesIn(args.resources, tenant.namespace);
            if (policies.some((policy) => shortfalls(policy).length === 0)) continue;
            const near = policies
                .filter(looksLikeDeny)
                .map((policy) => `${describeResource("NetworkPolicy", policy.props, policy.resource.name)} ${shortfalls(policy).join(", ")}`);
            reportViolation(
                `Tenant namespace "${tenant.namespace}" has no default-deny NetworkPolicy${near.length ? ` (${near.join("; ")})` : ""}; add one with podSelector {}, policyTypes [Ingress, Egress] and no rules.`,
                tenant.urn,
            );
        }
    },
};
