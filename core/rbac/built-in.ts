// The built-in ClusterRoles of every cluster, reduced to what the tenancy policies look at: cluster-admin grants
// everything; admin, edit and view aggregate the roles labelled aggregate-to-<role> (edit into admin, view into edit),
// and system:aggregate-to-edit lets a holder of edit or admin impersonate the namespace's service accounts.
import type { KubernetesObject } from "../objects";
import { RBAC_GROUP } from "./model";

const label = (role: string) => `${RBAC_GROUP}/aggregate-to-${role}`;

function clusterRole(name: string, labels: Record<string, string>, body: Record<string, unknown>): KubernetesObject {
    return { apiVersion: `${RBAC_GROUP}/v1`, kind: "ClusterRole", metadata: { name, labels }, ...body };
}

const aggregating = (role: string) => ({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label(role)]: "true" } }] }, rules: [] });

export const BUILT_IN_CLUSTER_ROLES: readonly KubernetesObject[] = [
    clusterRole("cluster-admin", {}, { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }),
    clusterRole("admin", {}, aggregating("admin")),
    clusterRole("edit", { [label("admin")]: "true" }, aggregating("edit")),
    clusterRole("view", { [label("edit")]: "true" }, aggregating("view")),
    clusterRole(
        "system:aggregate-to-edit",
        { [label("edit")]: "true" },
        { rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }] },
    ),
];
