// The image lists of the registry project's example stacks
// (registry/Pulumi.<stack>.yaml) are generated, not written: every tagged or
// digest-pinned image the prod and dev stacks deploy, as `npm run images` lists
// them. prod installs every component of the release, and dev keeps the
// in-cluster MinIO and MySQL that prod's managed data plane (S3, RDS) replaces,
// so together their inventories hold every other shipped stack's; and every
// image the release's bill of materials pins that neither deploys (mc, which
// makes a MinIO stack's tenant users: an enclave adds tenants after it is
// mirrored), and its runtime images with the tag they are pulled by (KServe's
// explainers are written untagged). `npm run docs` writes the lists; test/registry/stacks.test.ts
// checks them against the plans.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeImage } from "../core/image-references";
import { loadBom } from "../components/bom/load";
import { installedImages, runtimeImagesOf } from "../components/bom/schema";
import { type Plan, planStack } from "../engine/plan";
import { projectDirectory } from "../engine/stack-file";
import { replaceSection } from "./sections";

/** The shipped stacks whose inventories the registry stacks mirror. */
export const INVENTORY_STACKS = ["prod", "dev"] as const;
export const REGISTRY_STACKS = ["existing", "gcp", "govcloud"] as const;
const START = "  # generated:images";
const END = "  # end:images";

export const registryStackFile = (stack: string) => join(projectDirectory(), "registry", `Pulumi.${stack}.yaml`);

/**
 * The plans' tagged and digest-pinned images (an untagged one is pulled by a tag composed at run time, which the
 * inventory cannot know) and every image their release's bill of materials pins, runtime images too, once each, sorted.
 */
export function mirroredImagesOf(plans: readonly Pick<Plan, "images" | "outputs">[]): string[] {
    const deployed = plans.flatMap((plan) => plan.images.images.filter((entry) => entry.tag !== undefined || entry.digest !== undefined));
    const releases = new Set(plans.map((plan) => (plan.outputs["kubeflow"] as { release: string }).release));
    const pinned = [...releases].flatMap((release) => {
        const bom = loadBom(release);
        return [...installedImages(bom, bom.components).map((image) => normalizeImage(image)!.image), ...runtimeImagesOf(bom.components)];
    });
    return [...new Set([...deployed.map((entry) => entry.image), ...pinned])].sort();
}

/** A registry stack file's text with its generated `kfstack-mirror:images` list replaced by `images`. */
export function withImageList(text: string, file: string, images: readonly string[]): string {
    return replaceSection(text, file, START, END, ["  kfstack-mirror:images:", ...images.map((image) => `    - ${image}`)].join("\n"));
}

/** Plans the inventory stacks and rewrites every registry stack's image list; returns the files that changed. */
export async function regenerateRegistryStacks(): Promise<string[]> {
    const plans: Plan[] = [];
    for (const stack of INVENTORY_STACKS) plans.push(await planStack(stack));
    const images = mirroredImagesOf(plans);
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
