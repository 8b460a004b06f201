// Helpers for table-driven tests of invalid stack configuration: start from a
// shipped stack's raw settings, make one change, run the program offline, and
// get the ConfigError it must fail with.
import { expect } from "vitest";
import { ConfigError } from "../components/config/load";
import { OfflineRunError, type PlannedResource } from "../engine/offline";

/** A stack's settings without their namespace, as written in a stack file. */
export type RawConfig = Record<string, unknown>;
export type Change = (config: RawConfig) => void;

/** The object holding the last segment of a dotted path, created on the way if missing. */
function parentOf(config: RawConfig, path: string): [Record<string, unknown>, string] {
    const parts = path.split(".");
    const last = parts.pop()!;
    let node: Record<string, unknown> = config;
    for (const part of parts) {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
    }
    return [node, last];
}

/** Sets a (dotted) key, e.g. set("cluster.gpuPool.instanceType", "m6id.8xlarge"). */
export function set(path: string, value: unknown): Change {
    return (config) => {
        const [node, key] = parentOf(config, path);
        node[key] = value;
    };
}

/** Deletes a (dotted) key. */
export function unset(path: string): Change {
    return (config) => {
        const [node, key] = parentOf(config, path);
        delete node[key];
    };
}

/** Several changes as one, applied in order: for a case whose error needs two settings to disagree. */
export function combined(...changes: Change[]): Change {
    return (config) => {
        for (const change of changes) change(config);
    };
}

export function build(base: RawConfig, ...changes: Change[]): RawConfig {
    const config = structuredClone(base);
    combined(...changes)(config);
    return config;
}

/** Pulumi's wire form of a namespace's config, as engine/stack-file.ts builds it. */
export function toWire(namespace: string, raw: RawConfig): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [`${namespace}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** The ConfigError an offline run must fail with, and what it had registered by then. */
export async function rejection(run: Promise<unknown>): Promise<{ error: ConfigError; resources: PlannedResource[] }> {
    const failure = await run.then(
        () => undefined,
        (error: unknown) => error,
    );
    expect(failure, "the program must fail").toBeInstanceOf(OfflineRunError);
    const { cause, resources } = failure as OfflineRunError;
    expect(cause, "the failure must be a ConfigError").toBeInstanceOf(ConfigError);
    return { error: cause as ConfigError, resources };
}

/** One invalid configuration: a shipped stack, one change, and the key and message it must be rejected with. */
export interface ConfigCase<Base extends string> {
    name: string;
    base: Base;
    change: Change;
    key: string;
    message: string;
}

/** The message of the SyntaxError JSON.parse throws for `text` (V8 words it differently across Node releases). */
export function jsonParseError(text: string): string {
    try {
        JSON.parse(text);
    } catch (error) {
        return (error as Error).message;
    }
    throw new Error(`${text} is valid JSON`);
}
