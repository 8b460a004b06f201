// `kfstack docs`: regenerates the generated parts of README.md (the
// configuration reference, the machine-type table, the bill of materials) and
// the image lists of the registry stacks (cli/registry-stacks.ts) in place.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadBom } from "../components/bom/load";
import { bomTable } from "../components/bom/reference";
import { configReference } from "../components/config/reference";
import { machineTypeTable } from "../components/cluster/machine-types";
import { priceTable } from "../components/cluster/prices";
import { projectDirectory } from "../engine/stack-file";
import { policyTable } from "../policies/reference";
import { ManifestsError } from "../components/manifests/read";
import { OfflineRunError } from "../engine/offline";
import { INVENTORY_STACKS, regenerateRegistryStacks } from "./registry-stacks";
import { replaceSection } from "./sections";

export const GENERATED_SECTIONS: Record<string, () => string> = {
    "config-reference": configReference,
    "machine-types": machineTypeTable,
    prices: priceTable,
    "bom-kubeflow-1.8.1": () => bomTable(loadBom("kubeflow-1.8.1")),
    "bom-kubeflow-1.9.1": () => bomTable(loadBom("kubeflow-1.9.1")),
    policies: policyTable,
};

export function readmePath(): string {
    return join(projectDirectory(), "README.md");
}

/** README text with every generated section replaced by its current content. */
export function regenerate(readme: string): string {
    let text = readme;
    for (const [name, generate] of Object.entries(GENERATED_SECTIONS))
        text = replaceSection(text, "README.md", `<!-- generated:${name} -->`, `<!-- end:${name} -->`, generate());
    return text;
}

export async function docsCommand(): Promise<void> {
    const path = readmePath();
    const before = readFileSync(path, "utf8");
    const after = regenerate(before);
    writeFileSync(path, after);
    console.log(before === after ? "README.md is up to date." : `Regenerated ${Object.keys(GENERATED_SECTIONS).join(", ")} in README.md.`);
    try {
        const changed = await regenerateRegistryStacks();
        console.log(changed.length === 0 ? "The registry stacks' image lists are up to date." : `Regenerated the image list in ${changed.join(", ")}.`);
    } catch (error) {
        const cause = error instanceof OfflineRunError ? error.cause : error;
        if (!(cause instanceof ManifestsError)) throw error;
        // The lists come from the plan of a stack, which needs the rendered manifests; README.md needs none.
        console.log(
            `The registry stacks' image lists were not regenerated: planning ${INVENTORY_STACKS.join(" and ")} needs the rendered manifests. ${cause.message}`,
        );
    }
}
