// A lossless text form of a plan for the tests' plan cache. The plan's own
// JSON (`npm run plan -- --json`) writes Unknown and Secret as placeholders and
// drops undefined; tests compare against the markers with instanceof and
// toEqual, so the cache tags them and refuses anything it could not restore.
import { Secret, Unknown } from "../engine/values";

const TAG = "$planCodec";

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

function encodeValue(value: unknown, path: string): Encoded {
    if (value === undefined) return { [TAG]: "undefined" };
    if (value === null || typeof value === "boolean" || typeof value === "string") return value;
    if (typeof value === "number") {
        if (!Number.isFinite(value) || Object.is(value, -0))
            throw new Error(`${path}: the plan cache cannot keep the number ${Object.is(value, -0) ? "-0" : value}.`);
        return value;
    }
    if (value instanceof Unknown) return { [TAG]: "unknown" };
    if (value instanceof Secret) return { [TAG]: "secret", value: encodeValue(value.value, `${path}.value`) };
    if (Array.isArray(value)) return Array.from(value, (item, index) => encodeValue(item, `${path}[${index}]`));
    if (typeof value !== "object") throw new Error(`${path}: the plan cache cannot keep a ${typeof value}.`);
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw new Error(`${path}: the plan cache cannot keep a ${value.constructor.name}.`);
    if (TAG in value) throw new Error(`${path}: a plain object with the key ${TAG} would read back as a marker.`);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, encodeValue(inner, `${path}.${key}`)]));
}

function decodeValue(value: Encoded): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(decodeValue);
    switch (value[TAG]) {
        case "undefined":
            return undefined;
        case "unknown":
            return Unknown.instance;
        case "secret":
            return new Secret(decodeValue(value["value"]!));
        default:
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, decodeValue(inner)]));
    }
}

/** The value as JSON text, Unknown, Secret and undefined tagged; throws on anything else that JSON would change. */
export function encodePlanValue(value: unknown): string {
    return JSON.stringify(encodeValue(value, "plan"));
}

/** The value `encodePlanValue` wrote, with Unknown.instance, Secret instances and undefined restored. */
export function decodePlanValue(text: string): unknown {
    return decodeValue(JSON.parse(text) as Encoded);
}
