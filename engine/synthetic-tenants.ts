// A real organisation's tenancy, synthesised: the prod stack with its two
// tenants plus synthetic ones, each with an owner, an editor and a viewer, so
// the bench and the tests can plan and audit 20 or 100 tenants.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { projectDirectory } from "./stack-file";

/** The base stack: its tenants come first, so its own audit rows can be compared with a stack of many. */
export const SYNTHETIC_BASE_STACK = "prod";

/** Tenant `index` (0-based) of the synthetic ones: no GPUs, so any count fits the base stack's GPU pool. */
export function syntheticTenant(index: number): Record<string, unknown> {
    const name = `team-${String(index + 1).padStart(3, "0")}`;
    return {
        name,
        owner: `lead@${name}.example.com`,
        members: [
            { email: `dev@${name}.example.com`, role: "edit" },
            { email: `analyst@${name}.example.com`, role: "view" },
        ],
        quotas: { gpus: 0, cpu: "16", memory: "64Gi", storage: "1Ti", pvcs: 10 },
    };
}

/**
 * Writes Pulumi.prod.yaml with `tenants` tenants in all (prod's own first, at
 * least those) into a new directory under `parent`; returns the file, for
 * planStack("prod", { configFile }).
 */
export function writeTenantStack(parent: string, tenants: number): string {
    const document = parseDocument(readFileSync(join(projectDirectory(), `Pulumi.${SYNTHETIC_BASE_STACK}.yaml`), "utf8"));
    const own = (document.getIn(["config", "kfstack:tenants"]) as { toJSON(): unknown[] }).toJSON();
    const synthetic = Array.from({ length: Math.max(0, tenants - own.length) }, (_, index) => syntheticTenant(index));
    document.setIn(["config", "kfstack:tenants"], document.createNode([...own, ...synthetic]));
    const file = join(mkdtempSync(join(parent, `tenants-${tenants}-`)), `Pulumi.${SYNTHETIC_BASE_STACK}.yaml`);
    writeFileSync(file, document.toString());
    return file;
}
