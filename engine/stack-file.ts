// Reads Pulumi.yaml and a stack file the way the Pulumi CLI hands them to a
// program: every config value as a string, structured values as JSON. The
// CLI would decrypt `secure:` values; offline there is no key, so each one
// becomes a marked placeholder and its key is flagged secret.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { secretPlaceholder } from "../components/config/fields";
import { isRecord } from "../core/records";

export interface StackSettings {
    project: string;
    stack: string;
    /** The stack file the settings came from. */
    file: string;
    /** `namespace:key` → value, as the Pulumi CLI passes config to a program. */
    config: Record<string, string>;
    secretKeys: string[];
}

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

export function readYaml(file: string): unknown {
    if (!existsSync(file)) throw new StackFileError(`${file} does not exist.`);
    const document = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true });
    const error = document.errors[0];
    if (error) {
        const position = error.linePos?.[0];
        const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
        throw new StackFileError(`${file}${position ? `:${position.line}:${position.col}` : ""}: not valid YAML: ${reason}.`);
    }
    return document.toJS();
}

function isSecure(value: unknown): value is { secure: string } {
    return isRecord(value) && Object.keys(value).length === 1 && typeof value["secure"] === "string";
}

/** Replaces every `secure:` leaf with its placeholder; reports whether there was one. */
function replaceSecure(key: string, value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) return { value: secretPlaceholder(key), secret: true };
    if (Array.isArray(value)) {
        const items = value.map((item, index) => replaceSecure(`${key}[${index}]`, item));
        return { value: items.map((item) => item.value), secret: items.some((item) => item.secret) };
    }
    if (isRecord(value)) {
        const entries = Object.entries(value).map(([inner, item]) => [inner, replaceSecure(`${key}.${inner}`, item)] as const);
        return { value: Object.fromEntries(entries.map(([inner, item]) => [inner, item.value])), secret: entries.some(([, item]) => item.secret) };
    }
    return { value, secret: false };
}

export function projectDirectory(): string {
    return resolve(__dirname, "..");
}

export function listStacks(projectDir = projectDirectory()): string[] {
    return readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** Loads a stack by name (Pulumi.<stack>.yaml next to Pulumi.yaml), or under that name from another stack file. */
export function loadStackSettings(stack: string, options: { configFile?: string; projectDir?: string } = {}): StackSettings {
    const projectDir = options.projectDir ?? projectDirectory();
    const project = readYaml(join(projectDir, "Pulumi.yaml"));
    if (!isRecord(project) || typeof project["name"] !== "string") {
        throw new StackFileError(`${join(projectDir, "Pulumi.yaml")}: has no project name.`);
    }
    const file = options.configFile ? resolve(options.configFile) : join(projectDir, `Pulumi.${stack}.yaml`);
    if (!options.configFile && !existsSync(file)) {
        throw new StackFileError(`There is no stack "${stack}": ${file} does not exist. Stacks here: ${listStacks(projectDir).join(", ") || "none"}.`);
    }
    const document = readYaml(file);
    const configSection = isRecord(document) ? (document["config"] ?? {}) : undefined;
    if (!isRecord(configSection)) {
        throw new StackFileError(`${file}: expected a mapping with a "config:" section of key: value pairs.`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, rawValue] of Object.entries(configSection)) {
        const key = rawKey.includes(":") ? rawKey : `${project["name"]}:${rawKey}`;
        const { value, secret } = replaceSecure(key, rawValue);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) secretKeys.push(key);
    }
    return { project: project["name"], stack, file, config, secretKeys };
}
