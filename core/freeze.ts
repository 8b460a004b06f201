// Values shared by every caller in a process (the BOM, cached manifests) are
// frozen all the way down, so a caller that changes one fails at once instead
// of changing what the next caller reads.

/** `value`, with every object and array inside it frozen. */
export function deepFreeze<T>(value: T): T {
    if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
    for (const inner of Object.values(value)) deepFreeze(inner);
    return Object.freeze(value);
}
