// Kubernetes label selectors (matchLabels and matchExpressions), as RBAC
// aggregation rules and NetworkPolicies use them.
import { isRecord } from "../lib/tenants";

interface Requirement {
    key: string;
    operator: string;
    values?: string[];
}

function requirementsOf(selector: Record<string, unknown>): Requirement[] {
    const matchLabels = isRecord(selector["matchLabels"]) ? Object.entries(selector["matchLabels"]) : [];
    const matchExpressions = Array.isArray(selector["matchExpressions"]) ? (selector["matchExpressions"] as unknown[]).filter(isRecord) : [];
    return [
        ...matchLabels.map(([key, value]) => ({ key, operator: "In", values: [String(value)] })),
        ...matchExpressions.map((expression) => ({
            key: String(expression["key"] ?? ""),
            operator: String(expression["operator"] ?? ""),
            ...(Array.isArray(expression["values"]) ? { values: (expression["values"] as unknown[]).map(String) } : {}),
        })),
    ];
}

/** A selector that selects everything: `{}`, or one with no requirements. */
export function isEmptySelector(selector: unknown): boolean {
    return isRecord(selector) && requirementsOf(selector).length === 0;
}

/** Whether `selector` selects an object with `labels`; an unknown operator selects nothing. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
    if (!isRecord(selector)) return false;
    return requirementsOf(selector).every(({ key, operator, values = [] }) => {
        switch (operator) {
            case "In":
                return key in labels && values.includes(labels[key]!);
            case "NotIn":
                return !(key in labels) || !values.includes(labels[key]!);
            case "Exists":
                return key in labels;
            case "DoesNotExist":
                return !(key in labels);
            default:
                return false;
        }
    });
}

/** `{"matchLabels":{"app":"x"}}`: a selector as messages show it. */
export function describeSelector(selector: unknown): string {
    return JSON.stringify(selector ?? {});
}
