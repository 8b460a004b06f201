// RBAC-02: tenant roles grant no wildcard verb or resource, and never escalate, bind or impersonate.
import { stackPolicy } from "../lib/policy";
import type { PolicyRule } from "../../core/rbac/model";
import { tenantsOf } from "../lib/tenants";
import { TENANT_ROLES_CONFIG_SCHEMA, type TenantRolesConfig, rolesTenantsHold } from "./rbac";
import { listOf } from "../../core/text";

/** Verbs that let a subject gain permissions it was not given. */
const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];

function groupsText(groups: string[]): string {
    if (groups.includes("*")) return "every API group";
    if (groups.length === 0) return "no API group";
    if (groups.length === 1) return groups[0] === "" ? "the core API group" : `API group ${groups[0]}`;
    return `API groups ${listOf(groups.map((group) => (group === "" ? "core" : group)))}`;
}

function verbsText(verbs: string[]): string {
    return verbs.includes("*") ? "every verb" : listOf(verbs.map((verb) => `"${verb}"`));
}

/** The violations of one rule, each a sentence without its subject. */
function ruleProblems(rule: PolicyRule): string[] {
    const problems: string[] = [];
    const where = `${listOf(rule.resources.map((resource) => (resource.includes("*") ? `"${resource}"` : resource)))} (${groupsText(rule.apiGroups)})`;
    if (rule.verbs.includes("*")) problems.push(`grants every verb ("*") on ${where}; list the verbs tenants need`);
    for (const resource of rule.resources.filter((name) => name.includes("*"))) {
        problems.push(`grants ${verbsText(rule.verbs)} on every resource ("${resource}") of ${groupsText(rule.apiGroups)}; list the resources tenants need`);
    }
    const escalating = ESCALATING_VERBS.filter((verb) => rule.verbs.includes(verb));
    if (escalating.length > 0) {
        problems.push(
            `grants ${verbsText(escalating)} on ${where}; remove it: with escalate, bind or impersonate a tenant can take permissions it was not given`,
        );
    }
    return problems;
}

export const tenantRoles = stackPolicy({
    id: "RBAC-02",
    slug: "tenant-roles",
    description:
        "Tenant roles grant no wildcard verb or resource and no escalate, bind or impersonate. Tenant roles are the Roles in tenant namespaces, the ClusterRoles that RoleBindings in tenant namespaces reference, and, when the stack has Kubeflow Profiles, the ClusterRoles the profile controller binds in every Profile's namespace (profileClusterRoles); an aggregated ClusterRole is checked through every ClusterRole aggregated into it.",
    reason: "A wildcard grants every present and future resource or verb of a group, and escalate, bind and impersonate let a tenant step around RBAC: either breaks the isolation between tenants of one cluster (CIS Kubernetes Benchmark 5.1.3, 5.1.8).",
    remediation:
        'List the verbs and resources tenants need instead of "*", and remove escalate, bind and impersonate, in the ClusterRole the message names (kfstack changes upstream roles in components/kubeflow/customize.ts). Platform ClusterRoles that only controllers hold are not tenant roles and are not checked.',
    configSchema: TENANT_ROLES_CONFIG_SCHEMA,
    validateStack: (args, reportViolation) => {
        const tenants = tenantsOf(args.resources);
        if (tenants.length === 0) return;
        for (const role of rolesTenantsHold(args.resources, tenants, args.getConfig<TenantRolesConfig>()))
            for (const rule of role.rules) for (const problem of ruleProblems(rule)) reportViolation(`${role.what} ${problem}.`, role.urn);
    },
});
