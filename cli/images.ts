// `kfstack images <stack>`: every image reference the stack deploys,
// normalized and deduplicated, with where each is used.
import type { ImageInventory } from "../components/images/inventory";
import { planStack } from "../engine/plan";
import { UnreadableInputError } from "./errors";
import { markdownTable } from "./format";

export interface ImagesOptions {
    config?: string;
    json?: boolean;
}

export function renderInventory(stack: string, inventory: ImageInventory): string {
    const { summary } = inventory;
    return [
        `Images of stack ${stack}: ${summary.images} images in ${summary.references} references (${summary.digestPinned} pinned by digest, ${summary.untagged} untagged).`,
        "",
        markdownTable(
            ["image", "used by", "where (first use)"],
            inventory.images.map((entry) => [entry.image, entry.usedBy.map((use) => use.resource).join(", "), entry.usedBy[0]?.where ?? ""]),
        ),
    ].join("\n");
}

export async function imagesCommand(stack: string | undefined, options: ImagesOptions): Promise<void> {
    if (!stack) throw new UnreadableInputError("Name a stack (`images prod`), or lock a release's digests with `images lock <bom>`.");
    const { images } = await planStack(stack, options.config ? { configFile: options.config } : {});
    console.log(options.json ? JSON.stringify(images, null, 2) : renderInventory(stack, images));
}
