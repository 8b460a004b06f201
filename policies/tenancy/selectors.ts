// Label selectors as the tenancy policies read them from resource inputs,
// over the one selector implementation the pack shares with the program.
import { type LabelSelector, compileLabelSelector } from "../../core/label-selectors";
import { isRecord } from "../../core/records";

function compiled(selector: Record<string, unknown>) {
    try {
        return compileLabelSelector(selector as LabelSelector, "selector");
    } catch {
        // A selector the API server would reject selects nothing a policy should count on.
        return undefined;
    }
}

/** A selector that selects everything: `{}`, or one with no requirements. */
export function isEmptySelector(selector: unknown): boolean {
    return isRecord(selector) && compiled(selector)?.empty === true;
}

/** Whether `selector` selects an object with `labels`; an invalid selector selects nothing. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
    return isRecord(selector) && (compiled(selector)?.matches(labels) ?? false);
}

/** `{"matchLabels":{"app":"x"}}`: a selector as messages show it. */
export function describeSelector(selector: unknown): string {
    return JSON.stringify(selector ?? {});
}
