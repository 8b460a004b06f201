// `kfstack images lock <bom>`, `kfstack mirror bundle` and `kfstack mirror push`:
// lock a release's image digests, carry the images across an air gap in one
// bundle, and push them into the enclave's registry. The work is in engine/image-transfer/.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { loadBom } from "../components/bom/load";
import { type BomComponent, runtimeImagesOf } from "../components/bom/schema";
import { repositoryOf } from "../core/image-references";
import { type ImageInventory, imageInventory } from "../components/images/inventory";
import { locateManifests } from "../components/manifests/location";
import { listStacks, loadStackSettings } from "../engine/stack-file";
import { type BundleResult, bundleImages, type ImageEvent } from "../engine/image-transfer/bundle";
import { MirrorInputError } from "../engine/image-transfer/errors";
import { type ImageLock, lockFile } from "../components/images/lock";
import type { StackConfig } from "../components/config/schema";
import { normalizeImages, readLock, resolveLock, writeLock } from "../engine/image-transfer/lock";
import { type PushResult, pushBundle } from "../engine/image-transfer/push";
import { Skopeo } from "../engine/image-transfer/skopeo";
import { EXIT_INVALID, UnreadableInputError } from "./errors";
import { integer, markdownTable } from "./format";

/** Exit code of a run stopped with Ctrl-C, as shells report it. */
export const EXIT_INTERRUPTED = 130;

export interface ImagesLockOptions {
    images?: string;
    stacks?: string;
    out?: string;
    registriesConf?: string;
    parallel: number;
}

export interface MirrorBundleOptions {
    stack?: string;
    lock?: string;
    out: string;
    manifests?: string;
    parallel: number;
    registriesConf?: string;
}

export interface MirrorPushOptions {
    bundle: string;
    registry: string;
    insecure?: boolean;
    parallel: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function humanBytes(bytes: number): string {
    const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return unit === 0 ? `${integer(bytes)} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export function checkParallel(parallel: number): void {
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
        throw new MirrorInputError(`--parallel must be a whole number from 1 to 64, not ${String(parallel)}.`);
}

/** A progress bar on a terminal; elsewhere (CI logs, tests) one line per image. */
export function progress(total: number, verb: string): { update(done: number, line: string): void; stop(): void } {
    if (process.stderr.isTTY) {
        const bar = new SingleBar({
            format: `${verb} [{bar}] {value}/{total} images | {line}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
            barsize: 30,
        });
        bar.start(total, 0, { line: "" });
        return { update: (done, line) => bar.update(done, { line }), stop: () => bar.stop() };
    }
    return { update: (done, line) => process.stderr.write(`${verb} ${done}/${total}: ${line}\n`), stop: () => undefined };
}

/** Runs `work` with an AbortSignal that Ctrl-C triggers, so an interrupted run stops cleanly and can be resumed. */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    process.once("SIGINT", abort);
    try {
        return await work(controller.signal);
    } finally {
        process.off("SIGINT", abort);
    }
}

function imageLine(event: ImageEvent): string {
    return `${event.outcome} ${event.image}${event.bytes ? ` (${humanBytes(event.bytes)}, ${seconds(event.ms)})` : ""}`;
}

function trackImages(total: number, verb: string) {
    const bar = progress(total, verb);
    let done = 0;
    return { onImage: (event: ImageEvent) => bar.update(++done, imageLine(event)), stop: () => bar.stop() };
}

/** Reads `--images <file>`: a JSON array of image references. */
function readImageList(file: string): unknown[] {
    if (!existsSync(file)) throw new UnreadableInputError(`The image list ${resolve(file)} does not exist; --images takes a JSON array of image references.`);
    let value: unknown;
    try {
        value = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
        throw new UnreadableInputError(`${resolve(file)} is not valid JSON (${(error as Error).message}); --images takes a JSON array of image references.`);
    }
    if (!Array.isArray(value))
        throw new UnreadableInputError(
            `${resolve(file)} is not a JSON array; --images takes a JSON array of image references, such as ["gcr.io/ml-pipeline/api-server:2.0.5"].`,
        );
    return value;
}

/**
 * The release a stack installs, read from its configuration only: `images lock` must work while the release's lock is
 * missing or stale. Loaded on demand: the config schema's error is a Pulumi error, whose SDK only a run naming a stack pays for.
 */
async function releaseReader(): Promise<(stack: string) => string> {
    const configOf = await stackConfigReader();
    return (stack) => configOf(stack).kubeflow.release;
}

/** A stack's resolved configuration, read without planning it (see releaseReader for why it is loaded on demand). */
export async function stackConfigReader(): Promise<(stack: string) => StackConfig> {
    const [{ stackConfigOf }, { withPlaceholdersForUnsetSecrets }] = await Promise.all([
        import("../components/stack.js"),
        import("../engine/unset-secrets.js"),
    ]);
    return (stack) => stackConfigOf({ stack, config: withPlaceholdersForUnsetSecrets(loadStackSettings(stack)).settings.config }).config;
}

/** The stacks named by --stacks, each checked to install `release` before anything is planned. */
function stacksOfRelease(names: string, release: string, releaseOf: (stack: string) => string): string[] {
    const stacks = names.split(",").map((stack) => stack.trim());
    for (const stack of stacks) {
        const installs = releaseOf(stack);
        if (installs !== release)
            throw new MirrorInputError(
                `Stack "${stack}" installs ${installs}, not ${release}; lock its own release, or pass --stacks with stacks of ${release}.`,
            );
    }
    return stacks;
}

/** The image inventories of the offline plans of `stacks`. */
async function inventoriesOf(stacks: string[]): Promise<ImageInventory[]> {
    const { planStack } = await import("../engine/plan.js");
    const inventories: ImageInventory[] = [];
    for (const stack of stacks) {
        process.stderr.write(`planning ${stack} for its image inventory\n`);
        const plan = await planStack(stack);
        inventories.push(
            imageInventory(plan.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.inputs }))),
        );
    }
    return inventories;
}

/**
 * What `images lock --stacks` locks: the tagged or digest-pinned images the inventories hold and the release's runtime
 * images, by the tag they are pulled with, so one written untagged (KServe's explainers) is locked after all; and the
 * untagged references left (their tag is composed at run time, so there is nothing to lock).
 */
export function imagesToLock(inventories: readonly ImageInventory[], components: readonly BomComponent[]): { images: string[]; untagged: string[] } {
    const images = new Set<string>();
    const untagged = new Set<string>();
    for (const inventory of inventories) {
        for (const image of inventory.images) (image.tag === undefined && image.digest === undefined ? untagged : images).add(image.image);
    }
    const runtime = runtimeImagesOf(components);
    const runtimeRepositories = new Set(runtime.map((image) => repositoryOf(image)));
    for (const image of runtime) images.add(image);
    return { images: [...images], untagged: [...untagged].filter((image) => !images.has(image) && !runtimeRepositories.has(image)) };
}

export async function imagesLockCommand(release: string, options: ImagesLockOptions): Promise<void> {
    checkParallel(options.parallel);
    const bom = loadBom(release);
    let listed: unknown[];
    let where: string;
    if (options.images && options.stacks)
        throw new MirrorInputError("Pass either --images <file> or --stacks <names>, not both: they are two ways to say which images to lock.");
    if (options.images) {
        listed = readImageList(options.images);
        where = resolve(options.images);
    } else {
        const releaseOf = await releaseReader();
        const stacks = options.stacks
            ? stacksOfRelease(options.stacks, bom.release, releaseOf)
            : listStacks().filter((stack) => releaseOf(stack) === bom.release);
        if (stacks.length === 0)
            throw new MirrorInputError(`No stack here installs ${bom.release}; pass --stacks <names> or --images <file> (a JSON array of image references).`);
        const toLock = imagesToLock(await inventoriesOf(stacks), bom.components);
        if (toLock.untagged.length > 0) console.log(`Not locked (untagged: the tag is composed at run time): ${toLock.untagged.join(", ")}.`);
        listed = toLock.images;
        where = `the image inventory of ${stacks.join(", ")}`;
    }
    const images = normalizeImages(listed, where);
    const out = resolve(options.out ?? lockFile(bom.release));
    const skopeo = new Skopeo(options.registriesConf ? { registriesConf: resolve(options.registriesConf) } : {});
    const started = performance.now();
    const bar = progress(images.length, "resolved");
    let done = 0;
    let lock: ImageLock;
    try {
        lock = await interruptible((signal) =>
            resolveLock(bom.release, images, {
                skopeo,
                parallel: options.parallel,
                signal,
                onResolved: (image, digest) => bar.update(++done, `${image} ${digest.slice(0, 19)}`),
            }),
        );
    } finally {
        bar.stop();
    }
    writeLock(out, lock);
    const byRegistry = new Map<string, number>();
    for (const image of images) byRegistry.set(image.registry, (byRegistry.get(image.registry) ?? 0) + 1);
    console.log(markdownTable(["registry", "images"], [...[...byRegistry].sort(([a], [b]) => a.localeCompare(b)), ["total", images.length]]));
    console.log(
        `\nLocked the digests of ${images.length} images of ${bom.release} in ${seconds(performance.now() - started)}: wrote ${out}. Commit it; \`npm run mirror -- bundle\` copies exactly these digests.`,
    );
}

/** The lock a bundle copies: --lock, else the committed lock of the stack's release. */
async function bundleLock(options: MirrorBundleOptions): Promise<ImageLock> {
    if (options.lock) return readLock(resolve(options.lock));
    if (!options.stack) throw new MirrorInputError("Say what to bundle: --stack <stack> (the committed lock of its release) or --lock <file>.");
    const release = (await releaseReader())(options.stack);
    const file = lockFile(release);
    if (!existsSync(file)) {
        throw new MirrorInputError(
            `There is no image lock for ${release} (${file}), which stack "${options.stack}" installs: make it on a connected machine with \`npm run images -- lock ${release}\` and commit it, or pass --lock <file>.`,
        );
    }
    const lock = readLock(file);
    if (lock.release !== release)
        throw new MirrorInputError(`${file} locks ${lock.release}, not ${release}; make it again with \`npm run images -- lock ${release}\`.`);
    return lock;
}

export function renderBundleSummary(result: BundleResult): string {
    const count = (outcome: ImageEvent["outcome"]) => result.images.filter((event) => event.outcome === outcome).length;
    return markdownTable(
        ["images", "copied", "already bundled", "failed", "image bytes", "bytes on disk", "dedup ratio", "manifest files", "time"],
        [
            [
                result.images.length,
                count("copied"),
                count("skipped"),
                count("failed"),
                humanBytes(result.imageBytes),
                humanBytes(result.diskBytes),
                result.diskBytes ? `${(result.imageBytes / result.diskBytes).toFixed(2)}x` : "-",
                result.complete ? result.manifestFiles : "-",
                seconds(result.ms),
            ],
        ],
    );
}

/** The directory the plan reads a release's manifests from: KFSTACK_MANIFESTS_DIR, else the default cache, pulled on first use. */
async function manifestsOf(release: string): Promise<string> {
    const bom = loadBom(release);
    return (await locateManifests(bom, bom.components, undefined)).directory;
}

export async function mirrorBundleCommand(options: MirrorBundleOptions): Promise<void> {
    checkParallel(options.parallel);
    const lock = await bundleLock(options);
    const manifests = options.manifests ?? (await manifestsOf(lock.release));
    const skopeo = new Skopeo(options.registriesConf ? { registriesConf: resolve(options.registriesConf) } : {});
    const tracker = trackImages(Object.keys(lock.images).length, "bundled");
    let result: BundleResult;
    try {
        result = await interruptible((signal) =>
            bundleImages({ lock, outDir: options.out, manifestsDir: manifests, skopeo, parallel: options.parallel, onImage: tracker.onImage, signal }),
        );
    } finally {
        tracker.stop();
    }
    console.log(renderBundleSummary(result));
    reportFailures(result.failures);
    const total = Object.keys(lock.images).length;
    const bundled = result.images.filter((event) => event.outcome !== "failed").length;
    if (result.interrupted) {
        console.error(`\nInterrupted: ${bundled} of ${total} images are in ${result.outDir}. Run the same command again to finish; it skips them.`);
        process.exitCode = EXIT_INTERRUPTED;
    } else if (!result.complete) {
        const kept = bundled === 0 ? "none is bundled yet" : `the other ${bundled} are in ${result.outDir}`;
        console.error(
            `\n${result.failures.length} of ${total} images could not be bundled; ${kept}. Fix the causes above, then run the same command again: it skips what is bundled.`,
        );
        process.exitCode = EXIT_INVALID;
    } else {
        console.log(`\nBundled ${total} images of ${lock.release}, the rendered manifests, lock.json and SHA256SUMS in ${result.outDir}.`);
        console.log(`Carry the whole directory into the enclave, then run \`npm run mirror -- push --bundle <dir> --registry <host[/prefix]>\` there.`);
    }
}

function reportFailures(failures: ImageEvent[]): void {
    for (const failure of failures) console.error(`\n${failure.error}`);
}

export function renderPushSummary(result: PushResult): string {
    const count = (outcome: ImageEvent["outcome"]) => result.images.filter((event) => event.outcome === outcome).length;
    return markdownTable(
        ["registry", "images", "pushed", "already pushed", "failed", "bytes pushed", "time"],
        [[result.registry, result.images.length, count("pushed"), count("skipped"), count("failed"), humanBytes(result.bytes), seconds(result.ms)]],
    );
}

export async function mirrorPushCommand(options: MirrorPushOptions): Promise<void> {
    checkParallel(options.parallel);
    const skopeo = new Skopeo();
    let tracker: ReturnType<typeof trackImages> | undefined;
    let result: PushResult;
    try {
        result = await interruptible((signal) =>
            pushBundle({
                bundleDir: options.bundle,
                registry: options.registry,
                insecure: options.insecure === true,
                skopeo,
                parallel: options.parallel,
                signal,
                onStart: (total) => (tracker = trackImages(total, "pushed")),
                onImage: (event) => tracker?.onImage(event),
            }),
        );
    } finally {
        tracker?.stop();
    }
    console.log(renderPushSummary(result));
    reportFailures(result.failures);
    const verified = result.images.filter((event) => event.outcome !== "failed").length;
    if (result.interrupted) {
        console.error(
            `\nInterrupted: ${verified} images are pushed and verified (recorded in ${result.pushedFile}). Run the same command again to push the rest.`,
        );
        process.exitCode = EXIT_INTERRUPTED;
    } else if (!result.complete) {
        console.error(
            `\n${result.failures.length} of ${result.images.length} images were not pushed; ${verified} are pushed and verified (recorded in ${result.pushedFile}). Fix the causes above, then run the same command again: it pushes only the rest.`,
        );
        process.exitCode = EXIT_INVALID;
    } else {
        console.log(`\nEvery image of the bundle is in ${result.registry}, each verified against the lock's digest (recorded in ${result.pushedFile}).`);
    }
}
