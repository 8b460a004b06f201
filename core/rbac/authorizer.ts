// Kubernetes RBAC evaluated offline, as the API server's RBAC authorizer does: see docs/rbac-evaluation.md.
import { type KubernetesObject, apiGroup } from "../objects";
import { aggregatedInto, effectiveRules } from "./aggregation";
import { appliesTo, ruleAllows, userInfo } from "./authorize";
import { BUILT_IN_CLUSTER_ROLES } from "./built-in";
import {
    type AccessPath,
    type Check,
    type DanglingBinding,
    type EffectiveRule,
    type Grant,
    type MatrixRow,
    RBAC_GROUP,
    type ResourceRequest,
    type Subject,
    describeRequest,
    describeSubject,
    inBindingNamespace,
} from "./model";
import { type BindingEntry, type ReadOptions, type RoleEntry, readBinding, readRole } from "./read";

export interface RbacOptions extends ReadOptions {
    /** Add the ClusterRoles every cluster has (cluster-admin, admin, edit, view, …) that the objects do not define. */
    builtInClusterRoles?: boolean;
}

export interface Rbac {
    /** Every resource rule that applies to the subject, with where it applies. Users are also in `system:authenticated` and `groups`. */
    grantsOf(subject: Subject, groups?: readonly string[]): Grant[];
    /** Every path that allows the request; empty means denied. */
    can(subject: Subject, request: ResourceRequest, groups?: readonly string[]): AccessPath[];
    /** For each subject × namespace, which checks are allowed, with one path each. Namespace "*" checks cluster-wide requests. */
    matrix(
        subjects: readonly Subject[],
        namespaces: readonly string[],
        checks: readonly Check[],
        groupsOf?: (subject: Subject) => readonly string[],
    ): MatrixRow[];
    /** The rules of a role after aggregation; undefined when there is no such role. */
    rulesOf(kind: "Role" | "ClusterRole", name: string, namespace?: string): EffectiveRule[] | undefined;
    /** A ClusterRole and every ClusterRole aggregated into it, transitively, in the controller's order; empty when there is no such role. */
    aggregationOf(name: string): RoleEntry[];
    /** Bindings that grant nothing because their role is missing or of a kind they cannot refer to. */
    danglingBindings(): DanglingBinding[];
}

interface BoundEntry extends BindingEntry {
    role?: RoleEntry;
}

const roleKey = (kind: string, namespace: string | undefined, name: string) =>
    `${kind}/${kind === "Role" || kind === "RoleBinding" ? (namespace ?? "") : ""}/${name}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function buildRbac(objects: readonly KubernetesObject[], options: RbacOptions = {}): Rbac {
    const roles = new Map<string, RoleEntry>();
    const bindingObjects = new Map<string, KubernetesObject>();
    for (const object of objects) {
        if (apiGroup(object.apiVersion) !== RBAC_GROUP) continue;
        // ClusterRoles and ClusterRoleBindings are cluster-scoped: a stray metadata.namespace does not count.
        const key = roleKey(object.kind, object.metadata.namespace, object.metadata.name);
        if (object.kind === "Role" || object.kind === "ClusterRole") roles.set(key, readRole(object, options));
        else if (object.kind === "RoleBinding" || object.kind === "ClusterRoleBinding") bindingObjects.set(key, object);
    }
    for (const object of options.builtInClusterRoles ? BUILT_IN_CLUSTER_ROLES : []) {
        const key = roleKey("ClusterRole", undefined, object.metadata.name);
        if (!roles.has(key)) roles.set(key, { ...readRole(object), builtIn: true });
    }
    const clusterRoles = [...roles.values()]
        .filter((role) => role.object.kind === "ClusterRole")
        .sort((a, b) => compare(a.object.metadata.name, b.object.metadata.name));
    const effective = new Map<RoleEntry, EffectiveRule[]>();
    const rulesOfRole = (role: RoleEntry): EffectiveRule[] => {
        let rules = effective.get(role);
        if (!rules) effective.set(role, (rules = effectiveRules(role, clusterRoles)));
        return rules;
    };
    const { bindings, dangling } = resolveBindings([...bindingObjects.values()], roles, options);
    // A subject's grants are computed once: an audit asks about every subject in every namespace, and scanning every binding per question grows with tenants³.
    const granted = new Map<string, IndexedGrants>();
    const indexed = (subject: Subject, groups: readonly string[]): IndexedGrants => {
        // Cheap to build, as it is built per question; groups in another order only make a second, equal entry.
        const key = [subject.kind, subject.namespace ?? "", subject.name, ...groups].join("\n");
        let found = granted.get(key);
        if (!found) granted.set(key, (found = indexGrants(grantsThrough(bindings, rulesOfRole, subject, groups))));
        return found;
    };

    return {
        grantsOf: (subject, groups = []) => [...indexed(subject, groups).all],
        can: (subject, request, groups = []) => {
            const { clusterWide, byNamespace } = indexed(subject, groups);
            const inScope = request.namespace === undefined ? clusterWide : [...clusterWide, ...(byNamespace.get(request.namespace) ?? [])];
            return inScope.filter((grant) => ruleAllows(grant, request)).map((grant) => grant.path);
        },
        matrix: (subjects, namespaces, checks, groupsOf = () => []) =>
            subjects.flatMap((subject) => matrixRows(subject, indexed(subject, groupsOf(subject)).all, namespaces, checks)),
        rulesOf(kind, name, namespace) {
            const role = roles.get(roleKey(kind, namespace, name));
            return role && rulesOfRole(role);
        },
        aggregationOf(name) {
            const role = roles.get(roleKey("ClusterRole", undefined, name));
            return role ? [role, ...aggregatedInto(role, clusterRoles).map((reached) => reached.role)] : [];
        },
        danglingBindings: () => [...dangling],
    };
}

/** The bindings in the order the authorizer consults them (ClusterRoleBindings first, then RoleBindings), each with its role. */
function resolveBindings(
    objects: KubernetesObject[],
    roles: ReadonlyMap<string, RoleEntry>,
    options: ReadOptions,
): { bindings: BoundEntry[]; dangling: DanglingBinding[] } {
    const dangling: DanglingBinding[] = [];
    const bindings = objects
        .sort((a, b) => compare(a.kind, b.kind) || compare(a.metadata.namespace ?? "", b.metadata.namespace ?? "") || compare(a.metadata.name, b.metadata.name))
        .flatMap((object) => {
            const binding = readBinding(object, options);
            if (!binding) return [];
            const { kind, name } = binding.roleRef;
            const roleRef = `${kind} ${kind === "Role" && binding.namespace ? `${binding.namespace}/` : ""}${name}`;
            const role =
                kind === "ClusterRole"
                    ? roles.get(roleKey(kind, undefined, name))
                    : kind === "Role" && binding.namespace
                      ? roles.get(roleKey(kind, binding.namespace, name))
                      : undefined;
            if (!role)
                dangling.push({ binding: binding.description, roleRef, message: danglingMessage(binding.description, roleRef, kind, binding.namespace) });
            return [{ ...binding, role }];
        });
    return { bindings, dangling };
}

/** A subject's grants, in the authorizer's order, and split by where they apply. */
interface IndexedGrants {
    all: readonly Grant[];
    clusterWide: readonly Grant[];
    byNamespace: ReadonlyMap<string, readonly Grant[]>;
}

/**
 * Bindings are consulted ClusterRoleBindings first, then RoleBindings by namespace (one without a namespace first), so
 * cluster-wide grants followed by one namespace's keep the authorizer's order.
 */
function indexGrants(all: Grant[]): IndexedGrants {
    const byNamespace = new Map<string, Grant[]>();
    for (const grant of all) {
        if (grant.namespace === "*") continue;
        const list = byNamespace.get(grant.namespace);
        if (list) list.push(grant);
        else byNamespace.set(grant.namespace, [grant]);
    }
    return { all, clusterWide: all.filter((grant) => grant.namespace === "*"), byNamespace };
}

function grantsThrough(
    bindings: readonly BoundEntry[],
    rulesOfRole: (role: RoleEntry) => EffectiveRule[],
    subject: Subject,
    groups: readonly string[],
): Grant[] {
    const user = userInfo(subject, groups);
    const grants: Grant[] = [];
    for (const binding of bindings) {
        if (!binding.role) continue;
        const scope = binding.namespace ?? "*";
        for (const candidate of binding.subjects.filter((written) => appliesTo(user, written, binding.namespace))) {
            const matched = inBindingNamespace(candidate, binding.namespace);
            for (const { rule, aggregatedFrom, via } of rulesOfRole(binding.role)) {
                const path: AccessPath = {
                    subject: matched,
                    binding: binding.description,
                    role: binding.role.description,
                    ...(aggregatedFrom ? { aggregatedFrom, via: via ?? [] } : {}),
                    rule,
                    scope,
                };
                grants.push({ namespace: scope, ...rule, path });
            }
        }
    }
    return grants;
}

function matrixRows(subject: Subject, grants: readonly Grant[], namespaces: readonly string[], checks: readonly Check[]): MatrixRow[] {
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
}

function danglingMessage(binding: string, roleRef: string, kind: string, namespace: string | undefined): string {
    if (kind === "Role" && !namespace)
        return `${binding} refers to a Role (${roleRef}), but a ClusterRoleBinding can only refer to a ClusterRole; it grants nothing. Refer to a ClusterRole, or use a RoleBinding in the Role's namespace.`;
    if (kind !== "Role" && kind !== "ClusterRole")
        return `${binding} has roleRef.kind ${JSON.stringify(kind)}; it must be Role or ClusterRole, so the binding grants nothing. Fix roleRef.kind.`;
    return `${binding} refers to ${roleRef}, which does not exist; it grants nothing. Create the ${kind} or fix roleRef.name.`;
}
