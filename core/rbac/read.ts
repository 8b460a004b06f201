// Reading Roles, ClusterRoles and bindings as manifests or resource inputs hold them. Strict reading (the audit)
// rejects what the API server would, naming where; lenient reading (the policy pack, which must judge any stack
// without crashing) skips malformed entries instead. See docs/rbac-evaluation.md.
import { type CompiledSelector, type LabelSelector, compileLabelSelector } from "../label-selectors";
import { type KubernetesObject, describeObject } from "../objects";
import { isRecord } from "../records";
import { type PolicyRule, RBAC_GROUP, type Subject } from "./model";

/** A field as lenient reading takes it: a string as it is, anything else as JSON ("" when absent). */
const looseText = (value: unknown): string => (typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value));

export interface ReadOptions {
    /** Skip what is malformed instead of throwing; an invalid selector then selects nothing. */
    lenient?: boolean;
}

export interface RoleEntry {
    object: KubernetesObject;
    description: string;
    /** The rules as written, nonResourceURLs rules included. */
    rules: PolicyRule[];
    /** Present for a ClusterRole with an aggregationRule. */
    selectors?: CompiledSelector[];
    /** True for a ClusterRole every cluster has, which the objects did not define. */
    builtIn?: boolean;
}

export interface RoleRef {
    kind: string;
    name: string;
}

export interface BindingEntry {
    description: string;
    /** Binding namespace; undefined for a ClusterRoleBinding. */
    namespace?: string;
    subjects: Subject[];
    roleRef: RoleRef;
}

const SELECTS_NOTHING: CompiledSelector = { empty: false, matches: () => false };

export function readRole(object: KubernetesObject, options: ReadOptions = {}): RoleEntry {
    const description = describeObject(object);
    const rules = readRules(object.rules, description, options);
    const selectors = object.kind === "ClusterRole" ? readAggregation(object.aggregationRule, description, options) : undefined;
    return { object, description, rules, ...(selectors ? { selectors } : {}) };
}

/** The clusterRoleSelectors of an aggregationRule; undefined when the role is not aggregated. */
function readAggregation(value: unknown, description: string, options: ReadOptions): CompiledSelector[] | undefined {
    if (options.lenient) {
        const selectors = isRecord(value) ? value["clusterRoleSelectors"] : undefined;
        return Array.isArray(selectors) ? selectors.map(lenientSelector) : undefined;
    }
    const aggregationRule = value as { clusterRoleSelectors?: LabelSelector[] | null } | null | undefined;
    if (!aggregationRule) return undefined;
    return (aggregationRule.clusterRoleSelectors ?? []).map((selector, index) =>
        compileLabelSelector(selector, `aggregationRule.clusterRoleSelectors[${index}] of ${description}`),
    );
}

function lenientSelector(selector: unknown): CompiledSelector {
    if (!isRecord(selector)) return SELECTS_NOTHING;
    try {
        return compileLabelSelector(selector, "selector");
    } catch {
        // A selector the API server would reject selects nothing a policy should count on.
        return SELECTS_NOTHING;
    }
}

/** The rules of a Role or ClusterRole as written. */
export function readRules(value: unknown, description: string, options: ReadOptions = {}): PolicyRule[] {
    const raws = list(value, `rules of ${description}`, options);
    return (options.lenient ? raws.filter(isRecord) : raws).map((raw, index) => {
        const rule = (raw ?? {}) as Record<string, unknown>;
        const where = `rules[${index}] of ${description}`;
        const field = (key: string) => strings(rule[key], `${key} of ${where}`, options);
        const resources = field("resources");
        const resourceNames = field("resourceNames");
        const apiGroups = field("apiGroups");
        const verbs = field("verbs");
        const nonResourceURLs = field("nonResourceURLs");
        return {
            apiGroups,
            resources,
            verbs,
            ...(resourceNames.length > 0 ? { resourceNames } : {}),
            ...(nonResourceURLs.length > 0 ? { nonResourceURLs } : {}),
        };
    });
}

/** A binding's roleRef; lenient reading returns undefined where strict reading throws. */
export function readRoleRef(object: KubernetesObject, options: ReadOptions = {}): RoleRef | undefined {
    const roleRef = object.roleRef;
    if (options.lenient) {
        if (!isRecord(roleRef) || typeof roleRef["name"] !== "string") return undefined;
        return { kind: typeof roleRef["kind"] === "string" ? roleRef["kind"] : "", name: roleRef["name"] };
    }
    const { kind, name } = (roleRef ?? {}) as { kind?: unknown; name?: unknown };
    if (typeof kind !== "string" || typeof name !== "string" || !name) {
        throw new Error(
            `${describeObject(object)} has roleRef ${JSON.stringify(roleRef ?? null)}; the API server requires roleRef with apiGroup ${RBAC_GROUP}, kind Role or ClusterRole, and a name.`,
        );
    }
    return { kind, name };
}

/** A binding's subjects as written (a ServiceAccount's namespace not yet defaulted: see inBindingNamespace). */
export function readSubjects(object: KubernetesObject, options: ReadOptions = {}): Subject[] {
    const description = describeObject(object);
    const raws = list(object.subjects, `subjects of ${description}`, options);
    return (options.lenient ? raws.filter(isRecord) : raws).map((raw, index) => {
        const subject = (raw ?? {}) as Record<string, unknown>;
        const namespace = typeof subject["namespace"] === "string" && subject["namespace"] ? { namespace: subject["namespace"] } : {};
        if (options.lenient) return { kind: looseText(subject["kind"]), name: looseText(subject["name"]), ...namespace } as Subject;
        if (typeof subject["kind"] !== "string" || typeof subject["name"] !== "string") {
            throw new Error(
                `subjects[${index}] of ${description} is ${JSON.stringify(raw)}; a subject needs a kind (User, Group or ServiceAccount) and a name.`,
            );
        }
        return { kind: subject["kind"], name: subject["name"], ...namespace } as Subject;
    });
}

/** A RoleBinding or ClusterRoleBinding; lenient reading returns undefined for one without a roleRef or (RoleBinding) a namespace. */
export function readBinding(object: KubernetesObject, options: ReadOptions = {}): BindingEntry | undefined {
    const description = describeObject(object);
    const roleRef = readRoleRef(object, options);
    const subjects = readSubjects(object, options);
    const namespace = object.kind === "RoleBinding" ? object.metadata.namespace : undefined;
    if (object.kind === "RoleBinding" && !namespace && !options.lenient)
        throw new Error(`${description} has no metadata.namespace; a RoleBinding grants in its namespace only, so set it.`);
    return roleRef && (namespace || object.kind !== "RoleBinding") ? { description, namespace, subjects, roleRef } : undefined;
}

function list(value: unknown, where: string, options: ReadOptions): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    if (options.lenient) return [];
    throw new Error(`${where} is ${JSON.stringify(value)}; it must be a list.`);
}

function strings(value: unknown, where: string, options: ReadOptions): string[] {
    return list(value, where, options).flatMap((item) => {
        if (typeof item === "string") return [item];
        if (options.lenient) return [];
        throw new Error(`${where} holds ${JSON.stringify(item)}; every entry must be a string.`);
    });
}
