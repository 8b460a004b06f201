// RBAC-01: no binding to cluster-admin (or a copy of it) outside the break-glass allowlist.
import { CLUSTER_ADMIN_EXEMPTIONS } from "../lib/exemptions";
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { kubernetesObjects } from "../lib/tenants";
import { RBAC_GROUP } from "../../core/rbac/model";
import { describeSubject } from "../../core/rbac/model";
import { metadataOf } from "../../core/kubernetes-resources";
import { type StackClusterRoles, roleRefOf, stackClusterRoles, subjectKey, subjectsOf } from "./rbac";

export interface ClusterAdminConfig {
    /** Subjects allowed to hold cluster-admin: "ServiceAccount:<namespace>/<name>", "User:<name>", "Group:<name>". */
    breakGlassSubjects: string[];
}

/** A ClusterRole that grants every verb on every resource of every API group is cluster-admin under another name. */
function grantsEverything(roles: StackClusterRoles, name: string): boolean {
    return (roles.rbac.rulesOf("ClusterRole", name) ?? []).some(
        ({ rule }) => rule.apiGroups.includes("*") && rule.resources.includes("*") && rule.verbs.includes("*"),
    );
}

export const clusterAdminBindings = stackPolicy({
    id: "RBAC-01",
    slug: "cluster-admin",
    description:
        "No ClusterRoleBinding or RoleBinding binds the cluster-admin ClusterRole (or a ClusterRole that, like it, grants every verb on every resource) to a subject outside the break-glass allowlist.",
    reason: "cluster-admin can read every Secret and change every object: one leaked token of a controller or user bound to it is the whole cluster (CIS Kubernetes Benchmark 5.1.1).",
    remediation:
        'Bind a ClusterRole with only the permissions the subject needs. A real break-glass account goes in the policy config\'s breakGlassSubjects, e.g. "ServiceAccount:<namespace>/<name>", "User:<name>" or "Group:<name>".',
    configSchema: {
        properties: {
            breakGlassSubjects: {
                type: "array",
                items: { type: "string", pattern: "^(ServiceAccount:[^/]+/[^/]+|(User|Group):.+)$" },
                default: [],
                description: 'Subjects allowed to hold cluster-admin, as "ServiceAccount:<namespace>/<name>", "User:<name>" or "Group:<name>".',
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const allowed = new Set(args.getConfig<ClusterAdminConfig>().breakGlassSubjects ?? []);
        const roles = stackClusterRoles(args.resources);
        for (const binding of kubernetesObjects(args.resources, ["ClusterRoleBinding", "RoleBinding"])) {
            if (binding.group !== RBAC_GROUP) continue;
            const roleRef = roleRefOf(binding);
            if (roleRef?.kind !== "ClusterRole") continue;
            const role =
                roleRef.name === "cluster-admin"
                    ? "cluster-admin"
                    : grantsEverything(roles, roleRef.name)
                      ? `ClusterRole "${roleRef.name}", which grants every verb on every resource as cluster-admin does`
                      : undefined;
            if (!role) continue;
            const what = describeResource(binding.kind, binding.props, binding.resource.name);
            const bindingName = metadataOf(binding.props).name ?? "";
            for (const subject of subjectsOf(binding)) {
                const key = subjectKey(subject);
                if (allowed.has(key) || CLUSTER_ADMIN_EXEMPTIONS.some((exemption) => exemption.binding === bindingName && exemption.subject === key)) continue;
                reportViolation(
                    `${what} binds ${describeSubject(subject, { quoted: true })} to ${role}; bind a ClusterRole with only the permissions it needs, or, for a break-glass account, list "${key}" in breakGlassSubjects.`,
                    binding.resource.urn,
                );
            }
        }
    },
});
