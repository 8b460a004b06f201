// Reading untyped objects (rendered manifests, resource inputs, stack files) without casts.

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` where the API expects a map; anything else reads as empty, as the API server would reject it. */
export function asRecord(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

/** `value` where the API expects a list of strings; anything else reads as empty. */
export function asStrings(value: unknown): string[] {
    return Array.isArray(value) ? value.map(String) : [];
}

/** The record at `key`, or an empty one when it is absent or not an object. */
export function recordAt(object: unknown, key: string): Record<string, unknown> {
    return asRecord(isRecord(object) ? object[key] : undefined);
}

/** The array at `key`, or an empty one when it is absent or not an array. */
export function arrayAt(object: unknown, key: string): unknown[] {
    const value = isRecord(object) ? object[key] : undefined;
    return Array.isArray(value) ? value : [];
}
