// What a granted RBAC rule lets its holder do, request by request: the audit
// enumerates the verbs and resources the roles grant instead of asking about a
// fixed list, so a verb or resource nobody thought of is still seen.
import type { Check, Grant } from "../../core/rbac/model";

export type AccessLevel = "none" | "read" | "write";

/** Verbs that change state, or that hand the caller more than it holds (escalate, bind, impersonate). */
const WRITE_VERBS = new Set(["*", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"]);
const READ_VERBS = new Set(["get", "list", "watch"]);
/** Subresources that act inside a pod or mint a credential: any verb on them is as good as running as the pod's identity. */
const ACTING_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy", "token", "*"]);
/** Cluster-scoped resources: granted in a tenant's namespace or cluster-wide, they never reach another tenant's namespaced objects. */
const CLUSTER_SCOPED = new Set([
    "namespaces",
    "nodes",
    "persistentvolumes",
    "storageclasses",
    "clusterroles",
    "clusterrolebindings",
    "customresourcedefinitions",
    "priorityclasses",
    "profiles",
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "tokenreviews",
    "subjectaccessreviews",
]);
/** Cluster-scoped requests that only ask about the caller itself. */
const SELF_REVIEWS = new Set(["selfsubjectaccessreviews", "selfsubjectrulesreviews"]);

export interface GrantedRequest {
    check: Check;
    level: Exclude<AccessLevel, "none">;
    grant: Grant;
}

/** Verbs whose request names no object, so a rule limited by resourceNames never allows them (core/rbac/authorize.ts authorizedName). */
const NAMELESS_VERBS = new Set(["create", "deletecollection"]);

/**
 * Every verb × group × resource a grant allows that reads or changes something, writes first. A rule limited by
 * resourceNames still counts for the named objects (the path names them), but not for create or deletecollection.
 */
export function requestsOf(grant: Grant): GrantedRequest[] {
    const found: GrantedRequest[] = [];
    for (const written of grant.resources) {
        const [resource = "", subresource] = written.split("/");
        for (const apiGroup of grant.apiGroups) {
            for (const verb of grant.verbs) {
                if (grant.resourceNames && !subresource && NAMELESS_VERBS.has(verb)) continue;
                const check: Check = { verb, apiGroup, resource, ...(subresource ? { subresource } : {}) };
                const level =
                    subresource && ACTING_SUBRESOURCES.has(subresource) ? "write" : WRITE_VERBS.has(verb) ? "write" : READ_VERBS.has(verb) ? "read" : undefined;
                if (level) found.push({ check, level, grant });
            }
        }
    }
    return found.sort((a, b) => (a.level === b.level ? 0 : a.level === "write" ? -1 : 1));
}

/** Whether a request is about objects inside a namespace (so a grant of it in, or over, a tenant's namespace reaches that tenant's objects). */
export function isNamespaced(check: Check): boolean {
    return check.resource === "*" || !CLUSTER_SCOPED.has(check.resource);
}

/** Cluster-scoped writes beyond asking about oneself: changing the cluster's own objects crosses every tenant. */
export function isClusterWrite(request: GrantedRequest): boolean {
    return (
        request.grant.namespace === "*" && request.level === "write" && !SELF_REVIEWS.has(request.check.resource) && request.check.resource !== "tokenreviews"
    );
}

/**
 * Objects that decide who reaches what in a namespace: a tenant that changes them in its own namespace makes its isolation advisory
 * (an Ingress puts a route on a controller's shared proxy, as a VirtualService on a shared gateway would).
 * Roles and RoleBindings are not among them: the API server's escalation check lets a writer grant only what it holds itself
 * (kubeflow-admin writes them so an owner can share the namespace), unless it may also escalate or bind, which is a finding.
 */
const POLICY_RESOURCES: readonly { apiGroup: string; resources: readonly string[] }[] = [
    { apiGroup: "networking.k8s.io", resources: ["networkpolicies", "ingresses"] },
    { apiGroup: "extensions", resources: ["networkpolicies", "ingresses"] },
    { apiGroup: "security.istio.io", resources: ["authorizationpolicies", "peerauthentications", "requestauthentications"] },
    { apiGroup: "networking.istio.io", resources: ["virtualservices", "gateways", "envoyfilters", "serviceentries", "sidecars", "destinationrules"] },
];

/** Whether a write request changes isolation policy: NetworkPolicies or Istio objects, or escalate / bind / impersonate anything. */
export function changesPolicy(request: GrantedRequest): boolean {
    if (request.level !== "write") return false;
    if (["escalate", "bind", "impersonate"].includes(request.check.verb)) return true;
    return POLICY_RESOURCES.some(
        (policy) =>
            (request.check.apiGroup === "*" || request.check.apiGroup === policy.apiGroup) &&
            (request.check.resource === "*" || policy.resources.includes(request.check.resource)),
    );
}

/** Kinds a controller turns into pods that run as the ServiceAccount the object names (a Pod names its own). */
const POD_MAKERS: readonly { apiGroup: string; resources: readonly string[] }[] = [
    { apiGroup: "", resources: ["pods"] },
    { apiGroup: "apps", resources: ["deployments", "replicasets", "statefulsets", "daemonsets"] },
    { apiGroup: "batch", resources: ["jobs", "cronjobs"] },
    {
        apiGroup: "kubeflow.org",
        resources: ["notebooks", "pytorchjobs", "tfjobs", "mpijobs", "xgboostjobs", "paddlejobs", "mxjobs", "experiments", "trials", "viewers"],
    },
    { apiGroup: "argoproj.io", resources: ["workflows", "cronworkflows"] },
    { apiGroup: "serving.kserve.io", resources: ["inferenceservices"] },
];

/** Whether the request creates an object whose pods run as a ServiceAccount the caller names. */
export function makesPods(request: GrantedRequest): boolean {
    const { verb, apiGroup, resource, subresource } = request.check;
    if (subresource || (verb !== "create" && verb !== "*")) return false;
    return POD_MAKERS.some((maker) => (apiGroup === "*" || apiGroup === maker.apiGroup) && (resource === "*" || maker.resources.includes(resource)));
}
