// Plan values as plain data, as the inventory and the rewriter read them.
// Pure: no Pulumi, no I/O.
/** A plain object or array: what manifests and plan inputs are made of, unlike class instances (Outputs, plan markers). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const prototype = Object.getPrototypeOf(value) as unknown;
    return prototype === Object.prototype || prototype === null;
}

/**
 * The marker objects of engine/values.ts, recognized by what they serialize
 * to so this module does not load the Pulumi SDK: `Unknown` ("[unknown]") and
 * `Secret` ("[secret]" or "[unknown secret]", its value in `value`).
 */
function markerOf(value: object): "unknown" | "secret" | undefined {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== "function") return undefined;
    const serialized = (toJSON as () => unknown).call(value);
    if (serialized === "[unknown]") return "unknown";
    if ((serialized === "[secret]" || serialized === "[unknown secret]") && "value" in value) return "secret";
    return undefined;
}

/**
 * Plan inputs as plain data for the image matcher: a secret's value stands in
 * for the secret (an image is pulled whether or not it is secret), and unknown
 * values and other objects (Pulumi Outputs during a real run) are left out.
 */
export function plainValue(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    // An unknown array item stays as a hole (undefined), so the indices in `where` stay those of the plan.
    if (Array.isArray(value)) return value.map(plainValue);
    if (isPlainRecord(value)) {
        return Object.fromEntries(
            Object.entries(value)
                .map(([key, inner]) => [key, plainValue(inner)] as const)
                .filter(([, inner]) => inner !== undefined),
        );
    }
    return markerOf(value) === "secret" ? plainValue((value as { value: unknown }).value) : undefined;
}
