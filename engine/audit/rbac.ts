// Kubernetes RBAC, evaluated offline the way the API server's RBAC authorizer
// does, for the access audit of a multi-tenant Kubeflow: who can do what in
// which Profile namespace, and through which binding, role and aggregated role.
//
// Semantics follow https://kubernetes.io/docs/reference/access-authn-authz/rbac/
// (and the authorizer it documents: plugin/pkg/auth/authorizer/rbac and
// pkg/apis/rbac/v1/evaluation_helpers.go):
//
// - "Role and ClusterRole": a Role's rules apply in its namespace; a
//   ClusterRole's wherever it is bound. Permissions are purely additive:
//   there are no deny rules, so a request is allowed when any rule allows it.
// - "RoleBinding and ClusterRoleBinding": a RoleBinding grants only in its own
//   namespace, also when its roleRef is a ClusterRole; a ClusterRoleBinding
//   grants in every namespace and for cluster-scoped (and all-namespaces)
//   requests. A RoleBinding refers to a Role of its own namespace or to a
//   ClusterRole; a ClusterRoleBinding only to a ClusterRole. A binding whose
//   role does not exist grants nothing; `danglingBindings()` reports it.
// - "Referring to resources": apiGroups, resources and verbs match exactly or
//   by "*"; "*" as a resource matches every resource and subresource; a rule
//   for "pods" does not grant "pods/log"; "*/scale" matches the scale
//   subresource of any resource. A non-empty resourceNames restricts the rule
//   to requests naming one of them, so it never grants a request without a
//   name: create and deletecollection of a collection are authorized with no
//   name (the API server does not know it), and list/watch carry a name only
//   through a `metadata.name` field selector — pass it as `name`.
// - "Aggregated ClusterRoles": the control plane overwrites the rules of a
//   ClusterRole with an aggregationRule by the union of the rules of every
//   other ClusterRole that any clusterRoleSelector matches (matchLabels and
//   matchExpressions; an empty selector matches all), including roles that
//   are aggregated themselves, to a fixpoint. Rules written into an
//   aggregated role's own `rules` are ignored, as the controller replaces
//   them. Where aggregated roles select each other in a cycle the least
//   fixpoint is taken (the controller's result would depend on sync order).
// - "Referring to subjects": User and Group subjects match the user name and
//   group names; a ServiceAccount is the user
//   `system:serviceaccount:<namespace>:<name>` and is in the groups
//   `system:serviceaccounts`, `system:serviceaccounts:<namespace>` and
//   `system:authenticated` ("Default roles and role bindings"/"Service account
//   permissions"). Every authenticated user is in `system:authenticated`, the
//   user `system:anonymous` instead in `system:unauthenticated`. A
//   ServiceAccount subject without a namespace defaults to the RoleBinding's
//   namespace, as the authorizer's appliesToUser does (the API server's
//   validation requires the namespace in ClusterRoleBindings; there such a
//   subject matches nobody).
//
// Not evaluated: nonResourceURLs rules (requests for /healthz, /metrics …),
// the escalate/bind/impersonate verbs' special meaning (they are matched like
// any verb: the audit reports who holds them), other authorizers (Node,
// webhook, ABAC), and admission. Objects are read as given; of two with the
// same kind, namespace and name the later one wins, as `kubectl apply` would.
import type { KubernetesObject } from "../../core/objects";
import { apiGroup, describeObject } from "../../core/objects";
import { type CompiledSelector, type LabelSelector, compileLabelSelector } from "../../core/label-selectors";

const RBAC_GROUP = "rbac.authorization.k8s.io";

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

export interface Rbac {
    /** Every resource rule that applies to the subject, with where it applies. Users are also in `system:authenticated` and `groups`. */
    grantsOf(subject: Subject, groups?: readonly string[]): Grant[];
    /** Every path that allows the request; empty means denied. */
    can(subject: Subject, request: ResourceRequest, groups?: readonly string[]): AccessPath[];
    /** For each subject × namespace, which checks are allowed, with one path each. Namespace "*" checks cluster-wide requests. */
    matrix(subjects: readonly Subject[], namespaces: readonly string[], checks: readonly Check[], groupsOf?: (subject: Subject) => readonly string[]): MatrixRow[];
    /** The rules of a role after aggregation; undefined when there is no such role. */
    rulesOf(kind: "Role" | "ClusterRole", name: string, namespace?: string): EffectiveRule[] | undefined;
    /** Bindings that grant nothing because their role is missing or of a kind they cannot refer to. */
    danglingBindings(): DanglingBinding[];
}

interface RoleEntry {
    object: KubernetesObject;
    description: string;
    rules: PolicyRule[];
    /** Present for a ClusterRole with an aggregationRule. */
    selectors?: CompiledSelector[];
}

interface BindingEntry {
    description: string;
    /** Binding namespace; undefined for a ClusterRoleBinding. */
    namespace?: string;
    subjects: Subject[];
    role?: RoleEntry;
}

/** The requester as the authenticator hands it over: a user name (none for a bare group) and its groups. */
interface UserInfo {
    name?: string;
    groups: Set<string>;
}

export function describeSubject(subject: Subject): string {
    return subject.kind === "ServiceAccount" ? `ServiceAccount ${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}` : `${subject.kind} ${subject.name}`;
}

/** kubectl's spelling: `verb resource[.group][/subresource]`, e.g. `create notebooks.kubeflow.org`, `create pods/exec`. */
export function describeRequest(check: Check): string {
    return `${check.verb} ${check.resource}${check.apiGroup ? `.${check.apiGroup}` : ""}${check.subresource ? `/${check.subresource}` : ""}`;
}

export function buildRbac(objects: readonly KubernetesObject[]): Rbac {
    const roles = new Map<string, RoleEntry>();
    const bindingObjects = new Map<string, KubernetesObject>();
    for (const object of objects) {
        if (apiGroup(object.apiVersion) !== RBAC_GROUP) continue;
        // ClusterRoles and ClusterRoleBindings are cluster-scoped: a stray metadata.namespace does not count.
        const namespaced = object.kind === "Role" || object.kind === "RoleBinding";
        const key = `${object.kind}/${namespaced ? (object.metadata.namespace ?? "") : ""}/${object.metadata.name}`;
        if (object.kind === "Role" || object.kind === "ClusterRole") roles.set(key, readRole(object));
        else if (object.kind === "RoleBinding" || object.kind === "ClusterRoleBinding") bindingObjects.set(key, object);
    }
    const clusterRoles = [...roles.values()].filter((role) => role.object.kind === "ClusterRole").sort((a, b) => compare(a.object.metadata.name, b.object.metadata.name));
    const effective = new Map<RoleEntry, EffectiveRule[]>();
    const effectiveRules = (role: RoleEntry): EffectiveRule[] => {
        let rules = effective.get(role);
        if (!rules) effective.set(role, (rules = role.selectors ? aggregate(role, clusterRoles) : role.rules.map((rule) => ({ rule }))));
        return rules;
    };

    const dangling: DanglingBinding[] = [];
    // The authorizer consults ClusterRoleBindings first, then the RoleBindings of the request's namespace.
    const bindings: BindingEntry[] = [...bindingObjects.values()]
        .sort((a, b) => compare(a.kind, b.kind) || compare(a.metadata.namespace ?? "", b.metadata.namespace ?? "") || compare(a.metadata.name, b.metadata.name))
        .map((object) => {
            const binding = readBinding(object);
            const { kind, name } = binding.roleRef;
            const roleRef = `${kind} ${kind === "Role" && binding.namespace ? `${binding.namespace}/` : ""}${name}`;
            const role = kind === "ClusterRole" ? roles.get(`ClusterRole//${name}`) : kind === "Role" && binding.namespace ? roles.get(`Role/${binding.namespace}/${name}`) : undefined;
            if (!role) dangling.push({ binding: binding.description, roleRef, message: danglingMessage(binding.description, roleRef, kind, binding.namespace) });
            return { description: binding.description, namespace: binding.namespace, subjects: binding.subjects, role };
        });

    const grantsOf = (subject: Subject, groups: readonly string[] = []): Grant[] => {
        const user = userInfo(subject, groups);
        const grants: Grant[] = [];
        for (const binding of bindings) {
            if (!binding.role) continue;
            const scope = binding.namespace ?? "*";
            for (const candidate of binding.subjects.filter((subject) => appliesTo(user, subject, binding.namespace))) {
                // A RoleBinding's ServiceAccount subject without a namespace is the one of the binding's namespace.
                const matched = candidate.kind === "ServiceAccount" && !candidate.namespace ? { ...candidate, namespace: binding.namespace } : candidate;
                for (const { rule, aggregatedFrom, via } of effectiveRules(binding.role)) {
                    const path: AccessPath = { subject: matched, binding: binding.description, role: binding.role.description, ...(aggregatedFrom ? { aggregatedFrom, via: via ?? [] } : {}), rule, scope };
                    grants.push({ namespace: scope, ...rule, path });
                }
            }
        }
        return grants;
    };

    const can = (subject: Subject, request: ResourceRequest, groups: readonly string[] = []): AccessPath[] =>
        grantsOf(subject, groups)
            .filter((grant) => grant.namespace === "*" || grant.namespace === request.namespace)
            .filter((grant) => ruleAllows(grant, request))
            .map((grant) => grant.path);

    return {
        grantsOf,
        can,
        matrix(subjects, namespaces, checks, groupsOf = () => []) {
            return subjects.flatMap((subject) => {
                const grants = grantsOf(subject, groupsOf(subject));
                return namespaces.map((namespace) => {
                    const request = (check: Check): ResourceRequest => (namespace === "*" ? { ...check } : { ...check, namespace });
                    const inScope = grants.filter((grant) => grant.namespace === "*" || grant.namespace === namespace);
                    const row: MatrixRow = { subject: describeSubject(subject), namespace, allowed: {}, denied: [] };
                    for (const check of checks) {
                        const grant = inScope.find((candidate) => ruleAllows(candidate, request(check)));
                        if (grant) row.allowed[describeRequest(check)] = grant.path;
                        else row.denied.push(describeRequest(check));
                    }
                    return row;
                });
            });
        },
        rulesOf(kind, name, namespace) {
            const role = roles.get(`${kind}/${kind === "Role" ? (namespace ?? "") : ""}/${name}`);
            return role && effectiveRules(role);
        },
        danglingBindings: () => [...dangling],
    };
}

/** The rules an aggregated ClusterRole ends up with: the selected roles' rules in the controller's order (selector by selector, roles by name), aggregated roles expanded in place. */
function aggregate(root: RoleEntry, clusterRoles: readonly RoleEntry[]): EffectiveRule[] {
    const rules: EffectiveRule[] = [];
    const visited = new Set<RoleEntry>([root]);
    const walk = (role: RoleEntry, via: string[]) => {
        for (const selector of role.selectors ?? []) {
            for (const candidate of clusterRoles) {
                if (visited.has(candidate) || !selector.matches(candidate.object.metadata.labels)) continue;
                visited.add(candidate);
                if (candidate.selectors) walk(candidate, [...via, candidate.description]);
                else for (const rule of candidate.rules) rules.push({ rule, aggregatedFrom: candidate.description, via });
            }
        }
    };
    walk(root, []);
    return rules;
}

/** RuleAllows of the RBAC authorizer, for resource requests. */
function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
    const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
    return (
        rule.verbs.some((verb) => verb === "*" || verb === request.verb) &&
        rule.apiGroups.some((group) => group === "*" || group === request.apiGroup) &&
        rule.resources.some((resource) => resource === "*" || resource === combined || (!!request.subresource && resource === `*/${request.subresource}`)) &&
        (!rule.resourceNames || rule.resourceNames.includes(authorizedName(request)))
    );
}

/** The name the API server authorizes with: none for create and deletecollection of a collection, whose request URL has no name. */
function authorizedName(request: ResourceRequest): string {
    if (!request.subresource && (request.verb === "create" || request.verb === "deletecollection")) return "";
    return request.name ?? "";
}

function userInfo(subject: Subject, extraGroups: readonly string[]): UserInfo {
    switch (subject.kind) {
        case "ServiceAccount": {
            if (!subject.namespace) throw new Error(`ServiceAccount "${subject.name}" has no namespace; a service account is always named <namespace>/<name>, give its namespace.`);
            const groups = ["system:serviceaccounts", `system:serviceaccounts:${subject.namespace}`, "system:authenticated", ...extraGroups];
            return { name: `system:serviceaccount:${subject.namespace}:${subject.name}`, groups: new Set(groups) };
        }
        case "User":
            return { name: subject.name, groups: new Set([subject.name === "system:anonymous" ? "system:unauthenticated" : "system:authenticated", ...extraGroups]) };
        case "Group":
            return { groups: new Set([subject.name, ...extraGroups]) };
    }
}

/** appliesToUser of the RBAC authorizer; `bindingNamespace` is undefined for a ClusterRoleBinding. */
function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string | undefined): boolean {
    switch (subject.kind) {
        case "User":
            return user.name === subject.name;
        case "Group":
            return user.groups.has(subject.name);
        case "ServiceAccount": {
            const namespace = subject.namespace || bindingNamespace;
            return !!namespace && user.name === `system:serviceaccount:${namespace}:${subject.name}`;
        }
        default:
            return false;
    }
}

function danglingMessage(binding: string, roleRef: string, kind: string, namespace: string | undefined): string {
    if (kind === "Role" && !namespace) return `${binding} refers to a Role (${roleRef}), but a ClusterRoleBinding can only refer to a ClusterRole; it grants nothing. Refer to a ClusterRole, or use a RoleBinding in the Role's namespace.`;
    if (kind !== "Role" && kind !== "ClusterRole") return `${binding} has roleRef.kind ${JSON.stringify(kind)}; it must be Role or ClusterRole, so the binding grants nothing. Fix roleRef.kind.`;
    return `${binding} refers to ${roleRef}, which does not exist; it grants nothing. Create the ${kind} or fix roleRef.name.`;
}

function readRole(object: KubernetesObject): RoleEntry {
    const description = describeObject(object);
    const rules = list(object.rules, `rules of ${description}`).flatMap((raw, index) => readRule(raw, `rules[${index}] of ${description}`));
    const aggregationRule = object.kind === "ClusterRole" ? (object.aggregationRule as { clusterRoleSelectors?: LabelSelector[] | null } | null | undefined) : undefined;
    const selectors = aggregationRule
        ? (aggregationRule.clusterRoleSelectors ?? []).map((selector, index) => compileLabelSelector(selector, `aggregationRule.clusterRoleSelectors[${index}] of ${description}`))
        : undefined;
    return { object, description, rules, ...(selectors ? { selectors } : {}) };
}

/** A resource rule; rules for nonResourceURLs only (no resources) are left out. */
function readRule(raw: unknown, where: string): PolicyRule[] {
    const rule = (raw ?? {}) as Record<string, unknown>;
    const resources = strings(rule.resources, `resources of ${where}`);
    if (resources.length === 0) return [];
    const resourceNames = strings(rule.resourceNames, `resourceNames of ${where}`);
    return [
        {
            apiGroups: strings(rule.apiGroups, `apiGroups of ${where}`),
            resources,
            verbs: strings(rule.verbs, `verbs of ${where}`),
            ...(resourceNames.length > 0 ? { resourceNames } : {}),
        },
    ];
}

function readBinding(object: KubernetesObject) {
    const description = describeObject(object);
    const roleRef = (object.roleRef ?? {}) as { kind?: unknown; name?: unknown };
    if (typeof roleRef.kind !== "string" || typeof roleRef.name !== "string" || !roleRef.name) {
        throw new Error(`${description} has roleRef ${JSON.stringify(object.roleRef ?? null)}; the API server requires roleRef with apiGroup ${RBAC_GROUP}, kind Role or ClusterRole, and a name.`);
    }
    const subjects = list(object.subjects, `subjects of ${description}`).map((raw, index) => {
        const subject = (raw ?? {}) as Record<string, unknown>;
        if (typeof subject.kind !== "string" || typeof subject.name !== "string") {
            throw new Error(`subjects[${index}] of ${description} is ${JSON.stringify(raw)}; a subject needs a kind (User, Group or ServiceAccount) and a name.`);
        }
        return { kind: subject.kind, name: subject.name, ...(typeof subject.namespace === "string" && subject.namespace ? { namespace: subject.namespace } : {}) } as Subject;
    });
    const namespace = object.kind === "RoleBinding" ? object.metadata.namespace : undefined;
    if (object.kind === "RoleBinding" && !namespace) throw new Error(`${description} has no metadata.namespace; a RoleBinding grants in its namespace only, so set it.`);
    return { description, namespace, subjects, roleRef: { kind: roleRef.kind, name: roleRef.name } };
}

function list(value: unknown, where: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new Error(`${where} is ${JSON.stringify(value)}; it must be a list.`);
    return value;
}

function strings(value: unknown, where: string): string[] {
    return list(value, where).map((item) => {
        if (typeof item !== "string") throw new Error(`${where} holds ${JSON.stringify(item)}; every entry must be a string.`);
        return item;
    });
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
