// The vocabulary of RBAC evaluation: subjects, rules, requests and the paths that allow them.
export const RBAC_GROUP = "rbac.authorization.k8s.io";

export interface Subject {
    kind: "User" | "Group" | "ServiceAccount";
    name: string;
    namespace?: string;
}

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    /** Only when non-empty. */
    resourceNames?: string[];
    /** Only when non-empty; such rules are read but never grant a resource request. */
    nonResourceURLs?: string[];
}

/** One reason a subject holds a rule: the chain subject → binding → role (→ aggregated roles) → rule. */
export interface AccessPath {
    /** The binding's subject that matched: the requester itself, or one of its groups (a ServiceAccount with its namespace defaulted). */
    subject: Subject;
    /** `RoleBinding team-a/alice-edit` or `ClusterRoleBinding name`. */
    binding: string;
    /** The role the binding refers to: `ClusterRole kubeflow-edit` or `Role team-a/name`. */
    role: string;
    /** The ClusterRole whose own `rules` hold the rule, when it reached `role` through aggregation. */
    aggregatedFrom?: string;
    /** The aggregated ClusterRoles between `role` and `aggregatedFrom`, outermost first; present with `aggregatedFrom`. */
    via?: string[];
    rule: PolicyRule;
    /** The binding's namespace, or "*" for a ClusterRoleBinding (every namespace and cluster-wide). */
    scope: string;
}

export interface Grant extends PolicyRule {
    /** Where the rule applies: a namespace, or "*" for every namespace and cluster-scoped requests. */
    namespace: string;
    path: AccessPath;
}

/** A resource request, as the API server's request attributes describe it. */
export interface ResourceRequest {
    verb: string;
    /** "" for the core group. */
    apiGroup: string;
    resource: string;
    subresource?: string;
    /** Absent for cluster-scoped and all-namespaces requests. */
    namespace?: string;
    /** The object's name; for list/watch, a `metadata.name` field selector. */
    name?: string;
}

export type Check = Pick<ResourceRequest, "verb" | "apiGroup" | "resource" | "subresource">;

/** What one subject may do in one namespace ("*" = cluster-wide requests), keyed by `describeRequest(check)`. */
export interface MatrixRow {
    subject: string;
    namespace: string;
    /** One path per allowed check: the first the authorizer would find. */
    allowed: Record<string, AccessPath>;
    denied: string[];
}

export interface DanglingBinding {
    binding: string;
    roleRef: string;
    message: string;
}

/** A rule of a role after aggregation, with where it came from. */
export interface EffectiveRule {
    rule: PolicyRule;
    aggregatedFrom?: string;
    via?: string[];
}

/**
 * `ServiceAccount kubeflow/meta-controller-service`, `User alice@example.com`: a subject as the audit's
 * rows name it; with `quoted`, as policy messages do (`User "alice@example.com"`).
 */
export function describeSubject(subject: Pick<Subject, "name" | "namespace"> & { kind: string }, options: { quoted?: boolean } = {}): string {
    const name = `${subject.kind === "ServiceAccount" && subject.namespace ? `${subject.namespace}/` : ""}${subject.name}`;
    return `${subject.kind} ${options.quoted ? `"${name}"` : name}`;
}

/** kubectl's spelling: `verb resource[.group][/subresource]`, e.g. `create notebooks.kubeflow.org`, `create pods/exec`. */
export function describeRequest(check: Check): string {
    return `${check.verb} ${check.resource}${check.apiGroup ? `.${check.apiGroup}` : ""}${check.subresource ? `/${check.subresource}` : ""}`;
}

/** A ServiceAccount subject written without a namespace is the one of the binding's namespace (appliesToUser of the authorizer). */
export function inBindingNamespace<S extends { kind: string; namespace?: string }>(subject: S, bindingNamespace: string | undefined): S {
    return subject.kind === "ServiceAccount" && !subject.namespace && bindingNamespace ? { ...subject, namespace: bindingNamespace } : subject;
}
