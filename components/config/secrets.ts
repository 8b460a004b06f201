// The settings that hold secrets, found in the schema (fields.ts secretValue
// carries `secret: true` in its metadata), and the three things kfstack does
// with them: refuse one written in plain text into the stack file, name the
// exact `pulumi config set --secret` command when one is missing, and, for the
// offline plan only, stand in a marked placeholder so a stack can be planned
// before its secrets are set.
import { z } from "zod";
import { secretPlaceholder } from "./fields";
import { CONFIG_NAMESPACE, type ConfigIssue } from "./load";
import { StackConfigSchema } from "./schema";

interface JsonSchema {
    secret?: boolean;
    properties?: Record<string, JsonSchema>;
    items?: JsonSchema;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    additionalProperties?: JsonSchema | boolean;
}

/** Paths of secret settings, "[]" standing for any list index: "identity.staticAdmin.passwordHash". */
function collectSecretPaths(schema: JsonSchema, path: string, found: Set<string>): void {
    if (schema.secret) found.add(path);
    for (const [name, child] of Object.entries(schema.properties ?? {})) collectSecretPaths(child, path ? `${path}.${name}` : name, found);
    if (schema.items) collectSecretPaths(schema.items, `${path}[]`, found);
    for (const variant of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) collectSecretPaths(variant, path, found);
}

let secretPathCache: ReadonlySet<string> | undefined;

export function secretPaths(): ReadonlySet<string> {
    if (!secretPathCache) {
        const found = new Set<string>();
        collectSecretPaths(z.toJSONSchema(StackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema, "", found);
        secretPathCache = found;
    }
    return secretPathCache;
}

/** "kfstack:monitoring.alertRouting.webhook.url" → the schema path it is an instance of, when that path is a secret. */
export function isSecretKey(key: string): boolean {
    const path = key.slice(CONFIG_NAMESPACE.length + 1).replace(/\[\d+\]/g, "[]");
    return secretPaths().has(path);
}

export const setSecretCommand = (key: string) => `pulumi config set --secret --path '${key}' '<value>'`;

/** Every secret setting present in the raw config, by full key with list indices. */
function presentSecrets(raw: Record<string, unknown>): string[] {
    const found: string[] = [];
    const walk = (value: unknown, key: string): void => {
        if (isSecretKey(key) && value !== undefined) found.push(key);
        if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${key}[${index}]`));
        else if (value !== null && typeof value === "object") for (const [name, child] of Object.entries(value)) walk(child, `${key}.${name}`);
    };
    for (const [name, value] of Object.entries(raw)) walk(value, `${CONFIG_NAMESPACE}:${name}`);
    return found;
}

/**
 * Secret settings the stack file holds in plain text: Pulumi marks a top-level key secret when any value under it was
 * set with --secret (that is as fine as the CLI reports it), so a secret under a key that is not marked was typed in.
 */
export function plainTextSecrets(raw: Record<string, unknown>, secretKeys: readonly string[]): ConfigIssue[] {
    return presentSecrets(raw)
        .filter((key) => !secretKeys.includes(key.replace(/[.[].*$/, "")))
        .map((key) => ({
            key,
            message: `is a secret written in plain text into the stack file; delete it there and set it encrypted: ${setSecretCommand(key)}`,
        }));
}

/** A missing secret's message names the command that sets it. */
export function withSetCommands(issues: readonly ConfigIssue[]): ConfigIssue[] {
    return issues.map((issue) =>
        isSecretKey(issue.key) && issue.message.startsWith("is required")
            ? { ...issue, message: `is required, as a secret: ${setSecretCommand(issue.key)}` }
            : issue,
    );
}

/** Sets `value` at a full key ("kfstack:a.b[0].c") inside the raw config, creating what is missing. */
function setAt(raw: Record<string, unknown>, key: string, value: string): void {
    const parts = key
        .slice(CONFIG_NAMESPACE.length + 1)
        .split(/\.|(?=\[)/)
        .map((part) => (part.startsWith("[") ? Number(part.slice(1, -1)) : part));
    let node: Record<string | number, unknown> = raw;
    for (const [index, part] of parts.entries()) {
        if (index === parts.length - 1) node[part] = value;
        else node = (node[part] ??= typeof parts[index + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
    }
}

/**
 * For the offline plan: the raw config with a placeholder for every required secret the parse found missing, and their
 * keys. Only the plan does this; `pulumi preview` stops on a missing secret with the command that sets it.
 */
export function withUnsetSecretPlaceholders(raw: Record<string, unknown>, issues: readonly ConfigIssue[]): { raw: Record<string, unknown>; unset: string[] } {
    const unset = issues.filter((issue) => isSecretKey(issue.key) && issue.message.startsWith("is required")).map((issue) => issue.key);
    const filled = structuredClone(raw);
    for (const key of unset) setAt(filled, key, secretPlaceholder(key));
    return { raw: filled, unset };
}
