// Reading untyped objects (rendered manifests, resource inputs, stack files) without casts.

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The record at `key`, or an empty one when it is absent or not an object. */
export function recordAt(object: unknown, key: string): Record<string, unknown> {
    const value = isRecord(object) ? object[key] : undefined;
    return isRecord(value) ? value : {};
}

/** The array at `key`, or an empty one when it is absent or not an array. */
export function arrayAt(object: unknown, key: string): unknown[] {
    const value = isRecord(object) ? object[key] : undefined;
    return Array.isArray(value) ? value : [];
}
