// `mirror bundle` on the connected side: copies every locked image into one OCI
// layout (blobs shared by images stored once), then adds the rendered
// manifests, the lock and a SHA256SUMS of every file. Several skopeo copies run
// at once, each into its own staging layout writing blobs straight into the
// shared store; only this process writes index.json, after checking the copied
// image. A re-run skips every image already present with its locked digest and
// all its blobs intact; SHA256SUMS is written last, so a bundle that has one is whole.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { MirrorError, MirrorInputError } from "./errors";
import type { ImageLock } from "../../components/images/lock";
import { lockEntries, type LockEntry, writeLock } from "./lock";
import { writeChecksums } from "./checksums";
import { writeFileAtomic } from "./files";
import {
    BlobChecker,
    blobPath,
    createLayout,
    type Descriptor,
    DOCKER_MANIFEST_LIST,
    describeProblem,
    findRef,
    type ImageBlobs,
    imageBlobs,
    manifestMediaType,
    type OciIndex,
    REF_NAME,
    readIndex,
    writeIndex,
    withRef,
} from "./layout";
import { forEachLimit } from "./parallel";
import { layoutRefName, sourceReference } from "./reference";
import { sha256Digest, SkopeoCommandError, type Skopeo } from "./skopeo";

export const BUNDLE_LAYOUT = "oci";
export const BUNDLE_MANIFESTS = "manifests";
export const BUNDLE_LOCK = "lock.json";
export const BUNDLE_SUMS = "SHA256SUMS";
export const BUNDLE_PUSHED = "pushed.json";
const STAGING = ".staging";

/** How skopeo 1.9 refuses to write a Docker manifest list into an OCI layout with --preserve-digests. */
const DOCKER_LIST_REFUSED = /Manifest list must be converted to type .* but we cannot modify it/;

/** A copy left blobs that do not match their digest (skopeo reuses blobs already in the shared store). */
class DamagedCopyError extends MirrorError {}

export interface ImageEvent {
    image: string;
    outcome: "copied" | "skipped" | "pushed" | "failed";
    /** Bytes of every blob of the image (0 for a push skipped without reading it). */
    bytes: number;
    ms: number;
    /** Why it failed: one paragraph naming the image and what to do. */
    error?: string;
}

export interface BundleOptions {
    lock: ImageLock;
    outDir: string;
    /** The rendered manifests directory (`npm run manifests -- pull`) to carry along. */
    manifestsDir: string;
    skopeo: Skopeo;
    /** Images copied at once; 4 by default. */
    parallel?: number;
    /** Called as each image is copied, skipped or fails. */
    onImage?: (event: ImageEvent) => void;
    /** Aborting stops starting images and ends the copies in flight; what was copied stays for the next run. */
    signal?: AbortSignal;
}

export interface BundleResult {
    outDir: string;
    /** One per locked image that finished, sorted by image. */
    images: ImageEvent[];
    failures: ImageEvent[];
    /** Every image is in, and the manifests, lock.json and SHA256SUMS are written. */
    complete: boolean;
    interrupted: boolean;
    /** Sum of the sizes of the bundled images, as if each were stored alone. */
    imageBytes: number;
    /** Bytes of the blobs on disk. */
    diskBytes: number;
    manifestFiles: number;
    ms: number;
}

/** Refuses a bundle directory that has files but is not a bundle: nothing of the user's is overwritten. */
function checkBundleDirectory(out: string): void {
    if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, BUNDLE_LAYOUT, "oci-layout"))) {
        throw new MirrorInputError(
            `${out} exists and is not a kfstack bundle (it has files but no ${BUNDLE_LAYOUT}/oci-layout); choose a new or empty directory for --out.`,
        );
    }
}

/** Prepares the layout and marks the bundle incomplete. */
function prepare(out: string): void {
    createLayout(join(out, BUNDLE_LAYOUT));
    // Incomplete from here until SHA256SUMS is written again.
    rmSync(join(out, BUNDLE_SUMS), { force: true });
    rmSync(join(out, STAGING), { recursive: true, force: true });
    mkdirSync(join(out, STAGING));
}

/** The manifests directory to carry along, resolved; throws MirrorInputError when it does not exist. */
function manifestsDirectoryOf(options: BundleOptions): string {
    const manifestsDir = resolve(options.manifestsDir);
    if (!existsSync(manifestsDir) || !statSync(manifestsDir).isDirectory()) {
        throw new MirrorInputError(
            `The manifests directory ${manifestsDir} does not exist; make it with \`npm run manifests -- pull ${options.lock.release} --out ${manifestsDir}\`, or pass --manifests <dir>.`,
        );
    }
    return manifestsDir;
}

/**
 * The images of one bundle run: copies each locked image into the shared
 * layout (or finds it there intact), records what happened, and keeps the
 * layout's index, which only this object writes.
 */
class BundleCopier {
    readonly layout: string;
    /** Normalized image → its blobs, for every image the layout holds intact. */
    readonly bundled = new Map<string, ImageBlobs>();
    readonly events: ImageEvent[] = [];
    private index: OciIndex;
    private readonly checker: BlobChecker;
    private readonly blobStore: string[];
    private readonly signal: { signal?: AbortSignal };

    constructor(
        private readonly out: string,
        private readonly options: BundleOptions,
    ) {
        this.layout = join(out, BUNDLE_LAYOUT);
        this.index = readIndex(this.layout);
        this.checker = new BlobChecker(this.layout);
        this.blobStore = ["--dest-shared-blob-dir", join(this.layout, "blobs")];
        this.signal = options.signal ? { signal: options.signal } : {};
    }

    /** Copies the image unless the layout holds it intact; a failure is recorded as an event, an abort ends it silently. */
    async add(entry: LockEntry): Promise<void> {
        const started = performance.now();
        const image = entry.image.image;
        const present = await this.inLayout(entry);
        if (present && present.problems.length === 0) {
            this.bundled.set(image, present);
            return this.finish({ image, outcome: "skipped", bytes: present.size, ms: performance.now() - started });
        }
        const staging = mkdtempSync(join(this.out, STAGING, "image-"));
        try {
            const blobs = await this.copyRetryingDamage(entry, staging);
            this.bundled.set(image, blobs);
            this.finish({ image, outcome: "copied", bytes: blobs.size, ms: performance.now() - started });
        } catch (error) {
            if (this.options.signal?.aborted) return;
            if (!(error instanceof MirrorError)) throw error;
            this.finish({ image, outcome: "failed", bytes: 0, ms: performance.now() - started, error: error.message });
        } finally {
            rmSync(staging, { recursive: true, force: true });
        }
    }

    /** Names every locked image in the index, in lock order, and drops blobs no image needs. */
    writeFinalIndex(entries: readonly LockEntry[]): void {
        this.index = { ...this.index, manifests: entries.map((entry) => findRef(this.index, layoutRefName(entry.image))!) };
        writeIndex(this.layout, this.index);
        collectGarbage(this.layout, [...this.bundled.values()]);
    }

    private finish(event: ImageEvent): void {
        this.events.push(event);
        this.options.onImage?.(event);
    }

    /** The image as the layout holds it, when its digest is the locked one; damaged blobs are deleted so the copy fetches them again. */
    private async inLayout(entry: LockEntry, descriptor = findRef(this.index, layoutRefName(entry.image))): Promise<ImageBlobs | undefined> {
        if (!descriptor || descriptor.digest !== entry.digest) return undefined;
        const blobs = await imageBlobs(this.checker, descriptor);
        for (const problem of blobs.problems.filter((candidate) => candidate.actual !== undefined)) {
            rmSync(blobPath(this.layout, problem.digest), { force: true });
            this.checker.forget(problem.digest);
        }
        return blobs;
    }

    private async copyRetryingDamage(entry: LockEntry, staging: string): Promise<ImageBlobs> {
        try {
            return await this.copy(entry, staging);
        } catch (error) {
            if (!(error instanceof DamagedCopyError)) throw error;
            // A damaged blob that skopeo reused from the shared store: deleted by now, so one more copy fetches it.
            rmSync(staging, { recursive: true, force: true });
            mkdirSync(staging);
            return this.copy(entry, staging);
        }
    }

    /** Copies the image, checks every blob it landed in the layout, then names it in the index. */
    private async copy(entry: LockEntry, staging: string): Promise<ImageBlobs> {
        const ref = layoutRefName(entry.image);
        const descriptor = await this.copyTopManifest(entry, staging, ref);
        const blobs = await this.inLayout(entry, { ...descriptor, annotations: { [REF_NAME]: ref } });
        if (!blobs || blobs.problems.length > 0) {
            const problems = blobs?.problems.map(describeProblem).join("; ") ?? "its manifest is unreadable";
            throw new DamagedCopyError(
                `${entry.image.image}: after the copy, ${problems}; the damaged blobs were deleted. Run the same command again to fetch them anew.`,
            );
        }
        this.index = withRef(this.index, ref, descriptor);
        writeIndex(this.layout, this.index);
        return blobs;
    }

    /** The locked manifest copied (a Docker manifest list platform by platform); skopeo's failures become one MirrorError naming the image. */
    private async copyTopManifest(entry: LockEntry, staging: string, ref: string): Promise<Descriptor> {
        const source = sourceReference(entry.image, entry.digest);
        try {
            try {
                return await this.copyManifest(entry, entry.digest, staging, ref);
            } catch (error) {
                if (!(error instanceof SkopeoCommandError && DOCKER_LIST_REFUSED.test(error.detail))) throw error;
                // Only a Docker manifest list: fetch it to store it as served, and copy its platforms.
                const raw = await this.options.skopeo.rawManifest(source, this.signal);
                if (sha256Digest(raw) !== entry.digest || manifestMediaType(raw) !== DOCKER_MANIFEST_LIST) {
                    throw new MirrorError(
                        `${entry.image.image}: ${source} serves a manifest with digest ${sha256Digest(raw)}, not the locked one; the registry does not serve content by digest. Check --registries-conf and the registry.`,
                    );
                }
                return await this.copyDockerList(entry, raw, staging);
            }
        } catch (error) {
            if (!(error instanceof SkopeoCommandError)) throw error;
            throw new MirrorError(
                `${entry.image.image}: could not copy ${source}: ${error.detail} Check the network connection and the registry credentials (\`skopeo login ${entry.image.registry}\`), and that the locked digest still exists upstream; then run the same command again (images already bundled are kept).`,
            );
        }
    }

    /** skopeo copies `digest` of the image's repository into the staging layout, blobs into the store; returns its descriptor. */
    private async copyManifest(entry: LockEntry, digest: string, staging: string, ref: string): Promise<Descriptor> {
        await this.options.skopeo.copy(sourceReference(entry.image, digest), `oci:${staging}:${ref}`, { extra: this.blobStore, ...this.signal });
        const staged = findRef(readIndex(staging), ref);
        if (!staged)
            throw new MirrorError(`${entry.image.image}: skopeo reported a copy of ${digest}, but wrote no image named ${ref}; run the same command again.`);
        if (staged.digest !== digest) {
            throw new MirrorError(
                `${entry.image.image}: the copy of ${digest} has manifest digest ${staged.digest}: skopeo changed the manifest. Run the same command again; if it persists, report it with \`skopeo --version\`.`,
            );
        }
        const { annotations: _annotations, ...descriptor } = staged;
        return descriptor;
    }

    /**
     * skopeo 1.9 cannot write a Docker manifest list into an OCI layout without
     * converting it (which changes its digest), so it copies each platform's
     * manifest, and the list itself is stored here, byte for byte as the registry served it.
     */
    private async copyDockerList(entry: LockEntry, list: Buffer, staging: string): Promise<Descriptor> {
        const instances = (JSON.parse(list.toString("utf8")) as { manifests: Descriptor[] }).manifests;
        // Its platforms at once, each into a staging layout of its own (skopeo rewrites a layout's index.json whole): each copy is a
        // process mostly waiting on the registry, and a list should not take its platforms' times added up.
        await Promise.all(instances.map((instance, position) => this.copyManifest(entry, instance.digest, join(staging, `platform-${position}`), "image")));
        if (!existsSync(blobPath(this.layout, entry.digest))) writeFileAtomic(blobPath(this.layout, entry.digest), list);
        return { mediaType: DOCKER_MANIFEST_LIST, digest: entry.digest, size: list.length };
    }
}

/** Completes a bundle whose every image is in: the final index, the manifests, the lock, then SHA256SUMS last. Returns the number of manifest files. */
async function sealBundle(out: string, copier: BundleCopier, entries: readonly LockEntry[], options: BundleOptions, manifestsDir: string): Promise<number> {
    copier.writeFinalIndex(entries);
    const manifestFiles = copyManifests(manifestsDir, join(out, BUNDLE_MANIFESTS));
    writeLock(join(out, BUNDLE_LOCK), options.lock);
    await writeChecksums(out, BUNDLE_SUMS, (file) => (file.startsWith(`${BUNDLE_LAYOUT}/blobs/sha256/`) ? file.slice(file.lastIndexOf("/") + 1) : undefined), [
        BUNDLE_SUMS,
        BUNDLE_PUSHED,
        STAGING,
    ]);
    return manifestFiles;
}

/** Bytes of the blobs on disk. */
function storeBytes(layout: string): number {
    const store = join(layout, "blobs", "sha256");
    return readdirSync(store).reduce((sum, name) => sum + statSync(join(store, name)).size, 0);
}

export async function bundleImages(options: BundleOptions): Promise<BundleResult> {
    const started = performance.now();
    const out = resolve(options.outDir);
    const manifestsDir = manifestsDirectoryOf(options);
    checkBundleDirectory(out);
    await options.skopeo.version();
    prepare(out);
    const copier = new BundleCopier(out, options);
    const entries = lockEntries(options.lock);
    await forEachLimit(entries, options.parallel ?? 4, (entry) => copier.add(entry), options.signal);
    const interrupted = options.signal?.aborted === true;
    const failures = copier.events.filter((event) => event.outcome === "failed");
    const complete = !interrupted && failures.length === 0 && copier.bundled.size === entries.length;
    const manifestFiles = complete ? await sealBundle(out, copier, entries, options, manifestsDir) : 0;
    rmSync(join(out, STAGING), { recursive: true, force: true });
    return {
        outDir: out,
        images: copier.events.sort((a, b) => a.image.localeCompare(b.image)),
        failures,
        complete,
        interrupted,
        imageBytes: [...copier.bundled.values()].reduce((sum, blobs) => sum + blobs.size, 0),
        diskBytes: storeBytes(copier.layout),
        manifestFiles,
        ms: performance.now() - started,
    };
}

/** Deletes blobs no bundled image needs (left by images dropped from the lock, or by interrupted copies). */
function collectGarbage(layout: string, images: ImageBlobs[]): void {
    const needed = new Set(
        images.flatMap((image) => [image.top, ...image.instances, ...image.blobs].map((descriptor) => descriptor.digest.slice("sha256:".length))),
    );
    const store = join(layout, "blobs", "sha256");
    for (const name of readdirSync(store)) if (!needed.has(name)) rmSync(join(store, name), { force: true });
}

/** Replaces `target` with a copy of `source`; returns the number of files. */
function copyManifests(source: string, target: string): number {
    const partial = `${target}.partial`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(source, partial, { recursive: true, dereference: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
    const count = (directory: string): number =>
        readdirSync(directory, { withFileTypes: true }).reduce((sum, entry) => sum + (entry.isDirectory() ? count(join(directory, entry.name)) : 1), 0);
    return count(target);
}
