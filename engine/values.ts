// Pulumi's wire encoding of property values, turned into plain data for the
// plan: unknowns (values a preview cannot know yet) and secrets become marker
// objects that say what they are and serialize to readable placeholders.
import * as pulumi from "@pulumi/pulumi";
import { isRecord } from "../core/records";

const { unknownValue, specialSigKey, specialSecretSig } = pulumi.runtime;
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/** A value the preview cannot know (an output of a resource not yet created). */
export class Unknown {
    static readonly instance = new Unknown();
    private constructor() {}
    toJSON(): string {
        return "[unknown]";
    }
}

/**
 * A secret value: kept for policies that inspect it, never written out. Its placeholder still says whether
 * the value is known: a secret a preview cannot know yet (a generated password) is "[unknown secret]", so a
 * reader of the plan treats it as undecided, as a policy in a preview does, not as the string "[secret]".
 */
export class Secret {
    constructor(readonly value: unknown) {}
    toJSON(): string {
        return containsUnknown(this.value as PlanValue) ? "[unknown secret]" : "[secret]";
    }
}

export type PlanValue = null | boolean | number | string | Unknown | Secret | PlanValue[] | { [key: string]: PlanValue };

export function decodeValue(value: unknown): PlanValue {
    if (value === unknownValue) return Unknown.instance;
    if (value === null || value === undefined) return null;
    if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
    if (Array.isArray(value)) return value.map(decodeValue);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only bigints, symbols and functions are left, which have their own strings
    if (!isRecord(value)) return String(value);
    switch (value[specialSigKey]) {
        case specialSecretSig:
            return new Secret(decodeValue(value["value"]));
        case RESOURCE_REFERENCE_SIG:
            return decodeValue(value["urn"]);
        case OUTPUT_VALUE_SIG: {
            if (!("value" in value)) return Unknown.instance;
            const inner = decodeValue(value["value"]);
            return value["secret"] === true ? new Secret(inner) : inner;
        }
        case ASSET_SIG:
        case ARCHIVE_SIG:
            return `[asset ${[value["path"], value["uri"]].find((where) => typeof where === "string") ?? "inline"}]`;
        default:
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, decodeValue(inner)]));
    }
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(value: PlanValue): boolean {
    if (value instanceof Unknown) return true;
    if (value instanceof Secret) return containsUnknown(value.value as PlanValue);
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (isRecord(value)) return Object.values(value).some((inner) => containsUnknown(inner));
    return false;
}
