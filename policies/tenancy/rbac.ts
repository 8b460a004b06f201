// RBAC as the tenancy policies read it: ClusterRoles with their aggregation
// (an aggregated ClusterRole's rules are those of every ClusterRole its
// selectors match, filled in by the controller manager), and the four
// built-in ClusterRoles a binding can name without the stack defining them.
import { type KubernetesObject, type StackResource, type Subject, kubernetesObjects } from "../lib/tenants";
import { metadataOf } from "../../core/kubernetes-resources";
import { selects } from "./selectors";
import { isRecord } from "../../core/records";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

export interface ClusterRole {
    name: string;
    labels: Record<string, string>;
    /** The rules written on the role; an aggregated role's are replaced by its sources'. */
    rules: PolicyRule[];
    /** aggregationRule.clusterRoleSelectors, when the role is aggregated. */
    aggregation?: unknown[];
    /** `ClusterRole "kubeflow-edit"`, or `ClusterRole "edit" (Kubernetes built-in)`. */
    what: string;
    /** Undefined for a built-in role. */
    resource?: StackResource;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);

export function rulesOf(props: Record<string, unknown>): PolicyRule[] {
    const rules = props["rules"];
    return (Array.isArray(rules) ? rules : []).filter(isRecord).map((rule) => ({
        apiGroups: strings(rule["apiGroups"]),
        resources: strings(rule["resources"]),
        verbs: strings(rule["verbs"]),
    }));
}

const aggregateTo = (role: string) => ({ matchLabels: { [`${RBAC_GROUP}/aggregate-to-${role}`]: "true" } });
const IMPERSONATE_SERVICE_ACCOUNTS: PolicyRule = { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] };

/**
 * The built-in ClusterRoles of every cluster, reduced to what the tenancy
 * policies look at: cluster-admin grants everything; admin, edit and view
 * aggregate the roles labelled aggregate-to-<role> (edit into admin, view into
 * edit), and system:aggregate-to-edit lets a holder of edit or admin
 * impersonate the namespace's service accounts.
 */
const BUILT_IN: ClusterRole[] = (
    [
        { name: "cluster-admin", labels: {}, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
        { name: "admin", labels: {}, rules: [], aggregation: [aggregateTo("admin")] },
        { name: "edit", labels: { [`${RBAC_GROUP}/aggregate-to-admin`]: "true" }, rules: [], aggregation: [aggregateTo("edit")] },
        { name: "view", labels: { [`${RBAC_GROUP}/aggregate-to-edit`]: "true" }, rules: [], aggregation: [aggregateTo("view")] },
        { name: "system:aggregate-to-edit", labels: { [`${RBAC_GROUP}/aggregate-to-edit`]: "true" }, rules: [IMPERSONATE_SERVICE_ACCOUNTS] },
    ] as Omit<ClusterRole, "what">[]
).map((role) => ({ ...role, what: `ClusterRole "${role.name}" (Kubernetes built-in)` }));

/** The ClusterRoles of a stack plus the built-in ones it does not redefine. */
export class ClusterRoles {
    private readonly byName = new Map<string, ClusterRole>();

    constructor(resources: readonly StackResource[]) {
        for (const object of kubernetesObjects(resources, ["ClusterRole"])) {
            if (object.group !== RBAC_GROUP) continue;
            const aggregationRule = object.props["aggregationRule"];
            const selectors = isRecord(aggregationRule) && Array.isArray(aggregationRule["clusterRoleSelectors"]) ? (aggregationRule["clusterRoleSelectors"] as unknown[]) : undefined;
            this.byName.set(object.name, {
                name: object.name,
                labels: { ...metadataOf(object.props).labels },
                rules: rulesOf(object.props),
                ...(selectors ? { aggregation: selectors } : {}),
                what: `ClusterRole "${object.name}"`,
                resource: object.resource,
            });
        }
        for (const role of BUILT_IN) if (!this.byName.has(role.name)) this.byName.set(role.name, role);
    }

    get(name: string): ClusterRole | undefined {
        return this.byName.get(name);
    }

    /** `name` and every ClusterRole aggregated into it, transitively; empty when there is no such role. */
    closure(name: string): ClusterRole[] {
        const found: ClusterRole[] = [];
        const visit = (role: ClusterRole | undefined) => {
            if (!role || found.includes(role)) return;
            found.push(role);
            for (const selector of role.aggregation ?? []) {
                for (const candidate of this.byName.values()) if (selects(selector, candidate.labels)) visit(candidate);
            }
        };
        visit(this.byName.get(name));
        return found;
    }

    /** The rules a holder of `name` gets: the rules of every non-aggregated role of its closure. */
    effectiveRules(name: string): { role: ClusterRole; rule: PolicyRule }[] {
        return this.closure(name).flatMap((role) => (role.aggregation ? [] : role.rules.map((rule) => ({ role, rule }))));
    }
}

/** The role a binding grants: `{kind: "ClusterRole", name: "cluster-admin"}`. */
export function roleRefOf(binding: KubernetesObject): { kind: string; name: string } | undefined {
    const roleRef = binding.props["roleRef"];
    if (!isRecord(roleRef) || typeof roleRef["name"] !== "string") return undefined;
    return { kind: typeof roleRef["kind"] === "string" ? roleRef["kind"] : "", name: roleRef["name"] };
}

/** The subjects of a binding; a service account without a namespace is in the binding's. */
export function subjectsOf(binding: KubernetesObject): Subject[] {
    const subjects = binding.props["subjects"];
    return (Array.isArray(subjects) ? subjects : []).filter(isRecord).map((subject) => {
        const kind = String(subject["kind"] ?? "");
        const namespace = typeof subject["namespace"] === "string" && subject["namespace"] !== "" ? subject["namespace"] : kind === "ServiceAccount" ? binding.namespace : undefined;
        return { kind, name: String(subject["name"] ?? ""), ...(namespace ? { namespace } : {}) };
    });
}

/** `ServiceAccount:kubeflow/profiles-controller-service-account`, `User:alice@example.com`: a subject as config names it. */
export function subjectKey(subject: Subject): string {
    return subject.kind === "ServiceAccount" ? `${subject.kind}:${subject.namespace ?? ""}/${subject.name}` : `${subject.kind}:${subject.name}`;
}

/** `ServiceAccount "kubeflow/meta-controller-service"`, `User "alice@example.com"`: a subject as messages name it. */
export function describeSubject(subject: Subject): string {
    return `${subject.kind} "${subject.namespace && subject.kind === "ServiceAccount" ? `${subject.namespace}/` : ""}${subject.name}"`;
}
