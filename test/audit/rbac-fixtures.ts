// Factories for RBAC objects as manifests hold them, for the RBAC evaluator tests.
import type { KubernetesObject } from "../../core/objects";
import type { LabelSelector } from "../../core/label-selectors";
import type { PolicyRule, Subject } from "../../core/rbac/model";

const API_VERSION = "rbac.authorization.k8s.io/v1";

export const user = (name: string): Subject => ({ kind: "User", name });
export const group = (name: string): Subject => ({ kind: "Group", name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: "ServiceAccount", name, namespace });

/** The user of the hand-worked cases, and the rule that lets one read pods. */
export const alice = user("alice@example.com");
export const readPods: PolicyRule = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] };

export function clusterRole(
    name: string,
    rules: PolicyRule[],
    options: { labels?: Record<string, string>; aggregate?: LabelSelector[] } = {},
): KubernetesObject {
    return {
        apiVersion: API_VERSION,
        kind: "ClusterRole",
        metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
        ...(options.aggregate ? { aggregationRule: { clusterRoleSelectors: options.aggregate } } : {}),
        rules,
    };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): KubernetesObject {
    return { apiVersion: API_VERSION, kind: "Role", metadata: { name, namespace }, rules };
}

/** A subject as it is written in a binding: apiGroup for users and groups, as kubectl and KFAM write them. */
function written(subject: Subject) {
    return subject.kind === "ServiceAccount" ? { ...subject } : { apiGroup: "rbac.authorization.k8s.io", ...subject };
}

export function roleBinding(namespace: string, name: string, roleRef: { kind: "Role" | "ClusterRole"; name: string }, subjects: Subject[]): KubernetesObject {
    return {
        apiVersion: API_VERSION,
        kind: "RoleBinding",
        metadata: { name, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
        subjects: subjects.map(written),
    };
}

export function clusterRoleBinding(name: string, roleRef: { kind: "Role" | "ClusterRole"; name: string }, subjects: Subject[]): KubernetesObject {
    return {
        apiVersion: API_VERSION,
        kind: "ClusterRoleBinding",
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
        subjects: subjects.map(written),
    };
}
