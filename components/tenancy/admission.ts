// The tenant namespaces' ValidatingAdmissionPolicies: CEL helpers for the admission object, where every optional
// field may be absent, and a policy with its binding to every namespace the profile controller labels as a profile's.
import type { KubernetesObject } from "../../core/objects";

import { PROFILE_NAMESPACE_LABELS } from "./profile-controller";

/** The label the profile controller puts on every profile's namespace (namespace-labels.yaml of Kubeflow 1.8.1's profiles config). */
const PROFILE_LABEL = "app.kubernetes.io/part-of";

export type Validation = { expression: string; message: string };
export type ResourceRule = { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] };

export const literal = (value: string | number | boolean) => (typeof value === "string" ? `'${value}'` : String(value));
export const quoted = (values: Iterable<string | number | boolean>) => `[${[...values].map(literal).join(", ")}]`;
/** `test` of the field at `path` under `root`, or true where any step of the path is absent: the admission object may omit every optional field. */
export const unsetOr = (root: string, path: readonly string[], test: (field: string) => string) =>
    [...path.map((_, index) => `!has(${[root, ...path.slice(0, index + 1)].join(".")})`), test([root, ...path].join("."))].join(" || ");

/** The policy and its binding to every profile namespace: Deny, and Fail if the API server cannot evaluate it. */
export function tenantAdmissionPolicy(name: string, resourceRules: readonly ResourceRule[], validations: readonly Validation[]): KubernetesObject[] {
    const apiVersion = "admissionregistration.k8s.io/v1";
    return [
        {
            apiVersion,
            kind: "ValidatingAdmissionPolicy",
            metadata: { name },
            spec: { failurePolicy: "Fail", matchConstraints: { resourceRules }, validations },
        },
        {
            apiVersion,
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name },
            spec: {
                policyName: name,
                validationActions: ["Deny"],
                // By label, so a namespace the profile controller makes later (a Profile created through KFAM) is covered too.
                matchResources: { namespaceSelector: { matchLabels: { [PROFILE_LABEL]: PROFILE_NAMESPACE_LABELS[PROFILE_LABEL]! } } },
            },
        },
    ];
}
