// The table of fields controllers own after install (./controller-owned-fields.yaml), validated on load. It is
// release-independent: every layer of every stack applies it (components/manifests/layer.ts), and the Kubeflow facts
// carry it to DRIFT-01.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { ControllerOwnedField } from "../../core/controller-owned-fields";
import { BomError, CONTROLLER_OWNED_FIELDS_FILE } from "./load";

const groupKind = z.string().regex(/^([a-z0-9.-]+)?\/[A-Z][A-Za-z0-9]+$/, { error: 'must be <group>/<Kind>, the core group empty ("/Secret")' });
const propertyPath = z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\[\*\])?(\.[A-Za-z][A-Za-z0-9]*(\[\*\])?)*$/, {
    error: 'must be a property path such as "webhooks[*].clientConfig.caBundle"',
});

const SelectionSchema = z
    .strictObject({
        annotations: z.array(z.string().min(1)).min(1).optional(),
        labels: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
        labelKeys: z.array(z.string().min(1)).min(1).optional(),
        names: z.array(z.string().min(1)).min(1).optional(),
        referencedBy: z.strictObject({ kind: groupKind, path: propertyPath }).optional(),
    })
    .refine((selection) => Object.keys(selection).length > 0, { error: "must select by annotations, labels, labelKeys, names or referencedBy" });

const RowSchema = z.strictObject({
    controller: z.string().min(1),
    kinds: z.array(groupKind).min(1),
    select: SelectionSchema,
    paths: z.array(propertyPath).min(1),
    handling: z.enum(["remove", "ignoreChanges"]),
    source: z.string().min(10),
    why: z.string().min(10),
});

export const ControllerOwnedFieldsSchema = z.strictObject({ fields: z.array(RowSchema).min(1) });

let loaded: readonly ControllerOwnedField[] | undefined;

/** The table, validated once per process; throws BomError naming the row and what is wrong. */
export function controllerOwnedFields(): readonly ControllerOwnedField[] {
    if (loaded) return loaded;
    const file = join(__dirname, CONTROLLER_OWNED_FIELDS_FILE);
    const result = ControllerOwnedFieldsSchema.safeParse(parse(readFileSync(file, "utf8")));
    if (!result.success) {
        const issues = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
        throw new BomError([`${file} is not a valid table of controller-owned fields:`, ...issues].join("\n"));
    }
    return (loaded = result.data.fields);
}
