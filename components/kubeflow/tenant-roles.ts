// Tenant roles whose names hold: kubeflow-view only reads, and no tenant role
// writes the NetworkPolicies that isolate tenants or the Ingresses that route to them. Each change names the
// upstream ClusterRole it edits; if a release renames one, the install stops
// rather than shipping the upstream grant.
import type { KubernetesObject } from "../../core/objects";
import type { PolicyRule } from "../../core/rbac/model";
import { CustomizeError } from "../manifests/customize";

/** The verbs that only read: what view keeps of a resource it may also write upstream. */
const READ_VERBS = new Set(["get", "list", "watch"]);

/** Rules without writes to `resources` of `group`: those resources keep only their read verbs. */
function withoutWrites(rules: readonly PolicyRule[], group: string, resources: readonly string[]): PolicyRule[] {
    return rules.flatMap((rule) => {
        const hit = rule.apiGroups.includes(group) ? rule.resources.filter((resource) => resources.includes(resource)) : [];
        if (hit.length === 0) return [rule];
        const rest = rule.resources.filter((resource) => !hit.includes(resource));
        const reads = rule.verbs.filter((verb) => READ_VERBS.has(verb));
        const groups = rule.apiGroups.filter((other) => other !== group);
        return [
            ...(rest.length ? [{ ...rule, resources: rest }] : []),
            ...(groups.length ? [{ ...rule, apiGroups: groups, resources: hit }] : []),
            ...(reads.length ? [{ ...rule, apiGroups: [group], resources: hit, verbs: reads }] : []),
        ];
    });
}

interface RoleChange {
    role: string;
    change: (rules: readonly PolicyRule[]) => PolicyRule[];
}

/** The Pipelines writes that start code: the UI's Viewer (a TensorBoard pod) and the API server's visualization (Python). */
const PIPELINES_CODE_WRITES: PolicyRule[] = [
    { apiGroups: ["kubeflow.org"], resources: ["viewers"], verbs: ["create", "delete"] },
    { apiGroups: ["pipelines.kubeflow.org"], resources: ["visualizations"], verbs: ["create"] },
];

/** What tenants only read: the NetworkPolicies that isolate them and the Ingresses that would route to them. */
const NETWORK_OBJECTS = ["networkpolicies", "ingresses"];

const CHANGES: readonly RoleChange[] = [
    {
        // Pipelines 2.0.5 checks "create viewers" (frontend/server/handlers/tensorboard.ts) and "create visualizations"
        // (backend/src/apiserver/server/visualization_server.go) by SubjectAccessReview; both run code the caller picks, so view keeps only get.
        role: "aggregate-to-kubeflow-pipelines-view",
        change: (rules) => withoutWrites(withoutWrites(rules, "kubeflow.org", ["viewers"]), "pipelines.kubeflow.org", ["visualizations"]),
    },
    {
        // Editors keep them: kubeflow-pipelines-edit aggregated them only through kubeflow-pipelines-view.
        role: "aggregate-to-kubeflow-pipelines-edit",
        change: (rules) => [...rules, ...PIPELINES_CODE_WRITES],
    },
    {
        // kfstack's default-deny NetworkPolicies isolate tenants; a tenant that writes them can undo it (they keep get/list/watch through view).
        // An Ingress is a route on whichever controller claims it (Istio's would put it on the shared ingress gateway); Kubeflow routes through Istio alone.
        role: "kubeflow-kubernetes-edit",
        change: (rules) => withoutWrites(withoutWrites(rules, "networking.k8s.io", NETWORK_OBJECTS), "extensions", NETWORK_OBJECTS),
    },
];

/** Makes kubeflow-view read-only where upstream lets it start code, and takes NetworkPolicy and Ingress writes from every tenant role. */
export function restrictTenantRoles(objects: readonly KubernetesObject[]): void {
    for (const { role, change } of CHANGES) {
        const object = objects.find((candidate) => candidate.kind === "ClusterRole" && candidate.metadata.name === role);
        if (!object) {
            throw new CustomizeError(
                `kfstack narrows the tenant ClusterRole ${role}, but the rendered manifests have no such role; update components/kubeflow/tenant-roles.ts for this release.`,
            );
        }
        object["rules"] = change((object["rules"] as PolicyRule[] | undefined) ?? []);
    }
}
