// RBAC as the tenancy policies read it, through the evaluator the audit uses (core/rbac): the stack's ClusterRoles
// with their aggregation and the built-in ClusterRoles a binding can name without the stack defining them, read
// leniently (a policy judges any stack without crashing), and subjects as the policies' messages and config name them.
import { type Rbac, buildRbac } from "../../core/rbac/authorizer";
import { describeResource } from "../../core/kubernetes-resources";
import { type PolicyRule, RBAC_GROUP, inBindingNamespace } from "../../core/rbac/model";
import { type RoleEntry, type RoleRef, readRoleRef, readRules, readSubjects } from "../../core/rbac/read";
import { listOf } from "../../core/text";
import { type KubernetesObject, type StackResource, type Subject, type Tenant, coreObject, kubernetesObjects } from "../lib/tenants";

export interface StackClusterRoles {
    rbac: Rbac;
    /** `ClusterRole "kubeflow-edit"`, or `ClusterRole "edit" (Kubernetes built-in)`. */
    what(role: RoleEntry): string;
    /** Where violations about the role are reported; undefined for a built-in role. */
    urn(role: RoleEntry): string | undefined;
}

/** The ClusterRoles of a stack plus the built-in ones it does not redefine. */
export function stackClusterRoles(resources: readonly StackResource[]): StackClusterRoles {
    const resourceOf = new Map<object, StackResource>();
    const objects = kubernetesObjects(resources, ["ClusterRole"])
        .filter((object) => object.group === RBAC_GROUP)
        .map((object) => {
            const read = coreObject(object, ["rules", "aggregationRule"], true);
            resourceOf.set(read, object.resource);
            return read;
        });
    return {
        rbac: buildRbac(objects, { lenient: true, builtInClusterRoles: true }),
        what: (role) => `ClusterRole "${role.object.metadata.name}"${role.builtIn ? " (Kubernetes built-in)" : ""}`,
        urn: (role) => resourceOf.get(role.object)?.urn,
    };
}

/** The role a binding grants: `{kind: "ClusterRole", name: "cluster-admin"}`. */
export function roleRefOf(binding: KubernetesObject): RoleRef | undefined {
    return readRoleRef(coreObject(binding, ["roleRef"]), { lenient: true });
}

/** The subjects of a binding; a service account without a namespace is in the binding's. */
export function subjectsOf(binding: KubernetesObject): Subject[] {
    return readSubjects(coreObject(binding, ["subjects"]), { lenient: true }).map((subject) => inBindingNamespace(subject, binding.namespace));
}

/** `ServiceAccount:kubeflow/profiles-controller-service-account`, `User:alice@example.com`: a subject as config names it. */
export function subjectKey(subject: Subject): string {
    return subject.kind === "ServiceAccount" ? `${subject.kind}:${subject.namespace ?? ""}/${subject.name}` : `${subject.kind}:${subject.name}`;
}

/** The policy config that names the ClusterRoles the profile controller binds: a tenant role without any binding in the stack. */
export interface TenantRolesConfig {
    /** The ClusterRoles the Kubeflow profile controller binds in every Profile's namespace. */
    profileClusterRoles: string[];
}

export const TENANT_ROLES_CONFIG_SCHEMA = {
    properties: {
        profileClusterRoles: {
            type: "array" as const,
            items: { type: "string" as const },
            default: ["kubeflow-admin", "kubeflow-edit", "kubeflow-view"],
            description:
                "ClusterRoles the Kubeflow profile controller binds in each Profile's namespace (owner: kubeflow-admin; default-editor: kubeflow-edit; default-viewer: kubeflow-view).",
        },
    },
};

/** A role whose rules tenants hold: `Role "team-a/x", a tenant role,` or `ClusterRole "y", a tenant role through kubeflow-edit,`. */
export interface TenantRole {
    /** The role as a message's subject, ending in a comma. */
    what: string;
    rules: PolicyRule[];
    /** Where violations about the role are reported; undefined for a built-in role. */
    urn: string | undefined;
}

/**
 * Every role whose rules tenants hold: the Roles in tenant namespaces, the profile roles (when the stack has
 * Profiles), the ClusterRoles RoleBindings in tenant namespaces name, and every ClusterRole aggregated into those
 * (an aggregating ClusterRole's own rules are the controller's to fill, so it is represented by what it aggregates).
 */
export function rolesTenantsHold(resources: readonly StackResource[], tenants: readonly Tenant[], config: Partial<TenantRolesConfig>): TenantRole[] {
    const tenantNamespaces = new Set(tenants.map((tenant) => tenant.namespace));
    const inTenantNamespace = (object: KubernetesObject) =>
        object.group === RBAC_GROUP && object.namespace !== undefined && tenantNamespaces.has(object.namespace);
    const found: TenantRole[] = kubernetesObjects(resources, ["Role"])
        .filter(inTenantNamespace)
        .map((role) => {
            const what = describeResource("Role", role.props, role.resource.name);
            return { what: `${what}, a tenant role,`, rules: readRules(coreObject(role, ["rules"]).rules, what, { lenient: true }), urn: role.resource.urn };
        });
    const bound = new Set<string>();
    if (tenants.some((tenant) => tenant.profile)) for (const name of config.profileClusterRoles ?? []) bound.add(name);
    for (const binding of kubernetesObjects(resources, ["RoleBinding"])) {
        const roleRef = roleRefOf(binding);
        if (inTenantNamespace(binding) && roleRef?.kind === "ClusterRole") bound.add(roleRef.name);
    }
    const roles = stackClusterRoles(resources);
    const holders = new Map<RoleEntry, string[]>();
    for (const name of [...bound].sort()) {
        for (const role of roles.rbac.aggregationOf(name)) holders.set(role, [...(holders.get(role) ?? []), name]);
    }
    for (const [role, through] of holders) {
        if (role.selectors) continue;
        const others = through.filter((name) => name !== role.object.metadata.name);
        found.push({
            what: `${roles.what(role)}, a tenant role${others.length ? ` through ${listOf(others)}` : ""},`,
            rules: role.rules,
            urn: roles.urn(role),
        });
    }
    return found;
}
