// Reads the `kfstack:` keys of the running stack, validates them against the
// schema and fails with ONE error naming every bad key before any resource is
// registered.
import type { z } from "zod";
import type { StackRelease } from "../bom/compatibility";
import { type CheckedStack, checkStack } from "./rules";
import { StackConfigSchema, type StackConfig, TOP_LEVEL_KEYS } from "./schema";
import type { NodePoolPlan } from "./topology";

export const CONFIG_NAMESPACE = "kfstack";

export interface ConfigIssue {
    /** Full key, e.g. `kfstack:cluster.gpuPool.instanceType`. */
    key: string;
    message: string;
}

/**
 * A stack file that cannot work. Printed without a stack trace by the kfstack CLI, and by Pulumi's runner, which
 * recognizes a RunError by its marker (RunError.isInstance): extending the SDK's class would load the SDK into
 * every command that reads a stack's settings.
 */
export class ConfigError extends Error {
    readonly __pulumiRunError = true;

    constructor(
        readonly issues: ConfigIssue[],
        readonly file: string = "the stack file",
    ) {
        super(
            [
                `Invalid kfstack configuration: ${issues.length} problem${issues.length === 1 ? "" : "s"}; nothing was created.`,
                ...issues.map((issue) => `  ${issue.key}: ${issue.message}`),
                `Fix these keys in ${file}; README.md has the configuration reference.`,
            ].join("\n"),
        );
        this.name = "ConfigError";
    }

    /** The same problems, named in the file they came from (a stack file passed with --config). */
    inFile(file: string): ConfigError {
        return new ConfigError(this.issues, file);
    }
}

/** What `read` returns; a ConfigError it throws names `file`, the running stack's file as the Pulumi CLI names it. */
export function readingStackFile<T>(file: string, read: () => T): T {
    try {
        return read();
    } catch (error) {
        throw error instanceof ConfigError ? error.inFile(file) : error;
    }
}

export function configKey(path: readonly PropertyKey[]): string {
    const rest = path
        .slice(1)
        .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
        .join("");
    return `${CONFIG_NAMESPACE}:${String(path[0] ?? "")}${rest}`;
}

function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "a mapping";
    return `the ${typeof value} ${JSON.stringify(value)}`;
}

const EXPECTED: Record<string, string> = { array: "a list", object: "a mapping", boolean: "true or false", number: "a number", string: "a string" };

const messages: z.core.$ZodErrorMap = (issue) => {
    switch (issue.code) {
        case "invalid_type": {
            const expected = EXPECTED[issue.expected] ?? issue.expected;
            if (issue.input === undefined) return `is required (${expected})`;
            // YAML turns `"false"` or `"6"` into strings; say so, or the message reads as a contradiction.
            const unquote = typeof issue.input === "string" && (issue.expected === "boolean" || issue.expected === "number") ? " without quotes" : "";
            return `must be ${expected}${unquote}, not ${describeValue(issue.input)}`;
        }
        case "invalid_value": {
            const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
            return issue.input === undefined ? `is required: one of ${values}` : `must be one of ${values}, not ${JSON.stringify(issue.input)}`;
        }
        default:
            return undefined;
    }
};

const UNKNOWN_KEY = "is not a kfstack setting; check its spelling and place in the configuration reference";

function toIssues(error: z.ZodError): ConfigIssue[] {
    return error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
            ? issue.keys.map((key) => ({
                  key: configKey([...issue.path, key]),
                  message: UNKNOWN_KEY,
              }))
            : [{ key: configKey(issue.path), message: issue.message }],
    );
}

/** A valid stack configuration with the node pools (general first) and the release its rules resolved. */
export interface ParsedStack {
    config: StackConfig;
    pools: NodePoolPlan[];
    release: StackRelease;
}

/**
 * Validates raw `kfstack:` values (keys without the namespace), cross-field rules
 * included; throws ConfigError listing every problem. Returns the node pools and
 * the release the rules resolved, so nothing resolves them again.
 */
export function parseStackConfig(raw: Record<string, unknown>): ParsedStack {
    let checked: CheckedStack | undefined;
    // The rules run inside the parse (superRefine), so their problems arrive in the same error as type errors.
    const schema = StackConfigSchema.superRefine((config, ctx) => {
        checked = checkStack(config, ctx);
    });
    const result = schema.safeParse(raw, { error: messages });
    if (!result.success) {
        // Without a valid cloud the union checks no keys: name the unknown ones anyway, since a typo is the likely cause.
        const unknown = Object.keys(raw)
            .filter((key) => !TOP_LEVEL_KEYS.has(key))
            .map((key) => ({ key: configKey([key]), message: UNKNOWN_KEY }));
        const issues = toIssues(result.error);
        throw new ConfigError([...issues, ...unknown.filter((extra) => !issues.some((issue) => issue.key === extra.key))]);
    }
    // A parse without problems ran the rules, and they resolved the release (a missing one is a problem).
    return { config: result.data, pools: checked!.pools, release: checked!.release! };
}

/**
 * Pulumi hands the program every config value as a string; structured values
 * (objects and lists in the stack file) arrive as JSON. Scalars stay strings,
 * which is why every top-level scalar setting in the schema is a string.
 */
export function rawStackConfig(all: Record<string, string>): { raw: Record<string, unknown>; issues: ConfigIssue[] } {
    const raw: Record<string, unknown> = {};
    const issues: ConfigIssue[] = [];
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        if (!/^[[{]/.test(value.trimStart())) {
            raw[key] = value;
            continue;
        }
        try {
            raw[key] = JSON.parse(value);
        } catch (error) {
            issues.push({ key: fullKey, message: `is not valid structured config (${(error as Error).message})` });
        }
    }
    return { raw, issues };
}
