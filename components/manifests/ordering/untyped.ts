// Reading untyped rendered objects where the API expects a map or a list of
// strings: anything else reads as empty, as the API server would reject it.
import { isRecord } from "../../../core/records";

export function record(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

export function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.map(String) : [];
}
