// The image lists of the registry project's example stacks
// (registry/Pulumi.<stack>.yaml) are generated, not written: every tagged or
// digest-pinned image the prod stack deploys, as `npm run images -- prod` lists
// them. prod installs every component of the release, so its inventory holds
// every other shipped stack's. `npm run docs` writes the lists;
// test/registry/stacks.test.ts checks them against the plan.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageInventory } from "../components/images/inventory";
import { planStack } from "../engine/plan";
import { projectDirectory } from "../engine/stack-file";
import { replaceSection } from "./sections";

/** The shipped stack whose inventory the registry stacks mirror. */
export const INVENTORY_STACK = "prod";
export const REGISTRY_STACKS = ["existing", "gcp", "govcloud"] as const;
const START = "  # generated:images";
const END = "  # end:images";

export const registryStackFile = (stack: string) => join(projectDirectory(), "registry", `Pulumi.${stack}.yaml`);

/** The inventory's tagged and digest-pinned images, sorted: an untagged one is pulled by a tag composed at run time, which the inventory cannot know. */
export function mirroredImagesOf(inventory: ImageInventory): string[] {
    return inventory.images
        .filter((entry) => entry.tag !== undefined || entry.digest !== undefined)
        .map((entry) => entry.image)
        .sort();
}

/** A registry stack file's text with its generated `kfstack-mirror:images` list replaced by `images`. */
export function withImageList(text: string, file: string, images: readonly string[]): string {
    return replaceSection(text, file, START, END, ["  kfstack-mirror:images:", ...images.map((image) => `    - ${image}`)].join("\n"));
}

/** Plans the inventory stack and rewrites every registry stack's image list; returns the files that changed. */
export async function regenerateRegistryStacks(): Promise<string[]> {
    const images = mirroredImagesOf((await planStack(INVENTORY_STACK)).images);
    const changed: string[] = [];
    for (const stack of REGISTRY_STACKS) {
        const file = registryStackFile(stack);
        const before = readFileSync(file, "utf8");
        const after = withImageList(before, file, images);
        if (after !== before) {
            writeFileSync(file, after);
            changed.push(file);
        }
    }
    return changed;
}
