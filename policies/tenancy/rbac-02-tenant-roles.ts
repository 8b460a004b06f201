// RBAC-02: tenant roles grant no wildcard verb or resource, and never escalate, bind or impersonate.
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { type PolicyRule, RBAC_GROUP } from "../../core/rbac/model";
import { type RoleEntry, readRules } from "../../core/rbac/read";
import { coreObject, kubernetesObjects, tenantsOf } from "../lib/tenants";
import { roleRefOf, stackClusterRoles } from "./rbac";
import { listOf } from "../../core/text";

export interface TenantRolesConfig {
    /** The ClusterRoles the Kubeflow profile controller binds in every Profile's namespace. */
    profileClusterRoles: string[];
}

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
    configSchema: {
        properties: {
            profileClusterRoles: {
                type: "array",
                items: { type: "string" },
                default: ["kubeflow-admin", "kubeflow-edit", "kubeflow-view"],
                description:
                    "ClusterRoles the Kubeflow profile controller binds in each Profile's namespace (owner: kubeflow-admin; default-editor: kubeflow-edit; default-viewer: kubeflow-view).",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const tenants = tenantsOf(args.resources);
        if (tenants.length === 0) return;
        const tenantNamespaces = new Set(tenants.map((tenant) => tenant.namespace));
        const inTenantNamespace = (namespace: string | undefined) => namespace !== undefined && tenantNamespaces.has(namespace);
        const roles = stackClusterRoles(args.resources);

        // Roles in tenant namespaces are tenant roles as they stand.
        for (const role of kubernetesObjects(args.resources, ["Role"])) {
            if (role.group !== RBAC_GROUP || !inTenantNamespace(role.namespace)) continue;
            const what = describeResource("Role", role.props, role.resource.name);
            for (const rule of readRules(coreObject(role, ["rules"]).rules, what, { lenient: true }))
                for (const problem of ruleProblems(rule)) reportViolation(`${what}, a tenant role, ${problem}.`, role.resource.urn);
        }

        // ClusterRoles bound in tenant namespaces, and every role aggregated into them.
        const bound = new Set<string>();
        if (tenants.some((tenant) => tenant.profile)) for (const name of args.getConfig<TenantRolesConfig>().profileClusterRoles ?? []) bound.add(name);
        for (const binding of kubernetesObjects(args.resources, ["RoleBinding"])) {
            const roleRef = roleRefOf(binding);
            if (binding.group === RBAC_GROUP && inTenantNamespace(binding.namespace) && roleRef?.kind === "ClusterRole") bound.add(roleRef.name);
        }
        const holders = new Map<RoleEntry, string[]>();
        for (const name of [...bound].sort()) {
            for (const role of roles.rbac.aggregationOf(name)) holders.set(role, [...(holders.get(role) ?? []), name]);
        }
        for (const [role, through] of holders) {
            if (role.selectors) continue;
            const others = through.filter((name) => name !== role.object.metadata.name);
            const what = `${roles.what(role)}, a tenant role${others.length ? ` through ${listOf(others)}` : ""},`;
            for (const rule of role.rules) for (const problem of ruleProblems(rule)) reportViolation(`${what} ${problem}.`, roles.urn(role));
        }
    },
});
