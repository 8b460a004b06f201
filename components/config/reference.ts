// The configuration reference in README.md, generated from the schema (through
// its JSON Schema), so the documentation cannot drift from what is validated.
import { z } from "zod";
import { StackConfigSchema } from "./schema";

interface JsonSchema {
    type?: string;
    const?: unknown;
    enum?: unknown[];
    default?: unknown;
    description?: string;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    additionalProperties?: JsonSchema | boolean;
    oneOf?: JsonSchema[];
    anyOf?: JsonSchema[];
    format?: string;
}

interface Row {
    key: string;
    type: string;
    required: boolean;
    defaultValue: string;
    clouds: Set<string>;
    description: string;
}

function typeOf(schema: JsonSchema): string {
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" \\| ");
    if (schema.format === "cidrv4") return "IPv4 CIDR";
    if (schema.type === "array") return `list of ${schema.items ? typeOf(schema.items) : "values"}`;
    if (schema.type === "object") return schema.properties ? "mapping" : "mapping of strings";
    if (schema.anyOf) return schema.anyOf.map(typeOf).join(" or ");
    if (schema.oneOf) return "mapping";
    return schema.type ?? "any";
}

function collect(schema: JsonSchema, path: string, required: boolean, cloud: string, rows: Map<string, Row>): void {
    const existing = rows.get(path);
    const type = typeOf(schema);
    if (existing) {
        existing.clouds.add(cloud);
        // A key of several variants of a union (a discriminator, say) lists each variant's type.
        if (existing.type !== type && !existing.type.split(" \\| ").includes(type)) existing.type = `${existing.type} \\| ${type}`;
    } else {
        rows.set(path, {
            key: path,
            type,
            required,
            defaultValue: schema.default === undefined ? "" : JSON.stringify(schema.default),
            clouds: new Set([cloud]),
            description: schema.description ?? "",
        });
    }
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
        collect(child, `${path}.${name}`, schema.required?.includes(name) ?? false, cloud, rows);
    }
    // A discriminated union's keys are the keys of its variants; each is required only within its variant, which the description names.
    for (const variant of schema.oneOf ?? []) {
        for (const [name, child] of Object.entries(variant.properties ?? {})) collect(child, `${path}.${name}`, false, cloud, rows);
    }
}

export function configReference(): string {
    const root = z.toJSONSchema(StackConfigSchema, { io: "input" }) as JsonSchema;
    const rows = new Map<string, Row>();
    for (const variant of root.oneOf ?? []) {
        const cloud = String(variant.properties?.["cloud"]?.const);
        for (const [name, child] of Object.entries(variant.properties ?? {})) {
            collect(child, `kfstack:${name}`, variant.required?.includes(name) ?? false, cloud, rows);
        }
    }
    const cloudRow = rows.get("kfstack:cloud");
    if (cloudRow) {
        cloudRow.type = [...cloudRow.clouds].map((cloud) => JSON.stringify(cloud)).join(" \\| ");
        cloudRow.description = "Where the cluster runs: EKS, GKE, or an existing cluster reached through a kubeconfig.";
    }
    const allClouds = (root.oneOf ?? []).length;
    const lines = [
        "| key | type | required | default | clouds | description |",
        "| --- | --- | --- | --- | --- | --- |",
        ...[...rows.values()]
            .map((row) =>
                [
                    `\`${row.key}\``,
                    row.type,
                    row.required ? "yes" : "",
                    row.defaultValue ? `\`${row.defaultValue}\`` : "",
                    row.clouds.size === allClouds ? "all" : [...row.clouds].join(", "),
                    row.description.replaceAll("|", "\\|"),
                ].join(" | "),
            )
            .map((line) => `| ${line} |`),
    ];
    return lines.join("\n");
}
