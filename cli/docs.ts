// `kfstack docs`: regenerates the generated parts of README.md (the
// configuration reference, the machine-type table, the bill of materials) in place.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadBom } from "../components/bom/load";
import { bomTable } from "../components/bom/reference";
import { configReference } from "../components/config/reference";
import { machineTypeTable } from "../components/cluster/machine-types";
import { projectDirectory } from "../engine/stack-file";
import { policyTable } from "../policies/reference";

export const GENERATED_SECTIONS: Record<string, () => string> = {
    "config-reference": configReference,
    "machine-types": machineTypeTable,
    "bom-kubeflow-1.8.1": () => bomTable(loadBom("kubeflow-1.8.1")),
    policies: policyTable,
};

export function readmePath(): string {
    return join(projectDirectory(), "README.md");
}

/** README text with every generated section replaced by its current content. */
export function regenerate(readme: string): string {
    let text = readme;
    for (const [name, generate] of Object.entries(GENERATED_SECTIONS)) {
        const start = `<!-- generated:${name} -->`;
        const end = `<!-- end:${name} -->`;
        const from = text.indexOf(start);
        const to = text.indexOf(end);
        if (from < 0 || to < from) throw new Error(`README.md has no "${start}" … "${end}" section; add the two markers where it belongs.`);
        text = `${text.slice(0, from + start.length)}\n${generate()}\n${text.slice(to)}`;
    }
    return text;
}

export async function docsCommand(): Promise<void> {
    const path = readmePath();
    const before = readFileSync(path, "utf8");
    const after = regenerate(before);
    writeFileSync(path, after);
    console.log(before === after ? "README.md is up to date." : `Regenerated ${Object.keys(GENERATED_SECTIONS).join(", ")} in README.md.`);
}
