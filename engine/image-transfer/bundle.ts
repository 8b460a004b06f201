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
import { BlobChecker, blobPath, createLayout, type Descriptor, DOCKER_MANIFEST_LIST, describeProblem, findRef, type ImageBlobs, imageBlobs, manifestMediaType, REF_NAME, readIndex, writeIndex, withRef } from "./layout";
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
        throw new MirrorInputError(`${out} exists and is not a kfstack bundle (it has files but no ${BUNDLE_LAYOUT}/oci-layout); choose a new or empty directory for --out.`);
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

export async function bundleImages(options: BundleOptions): Promise<BundleResult> {
    const started = performance.now();
    const out = resolve(options.outDir);
    const layout = join(out, BUNDLE_LAYOUT);
    const manifestsDir = resolve(options.manifestsDir);
    if (!existsSync(manifestsDir) || !statSync(manifestsDir).isDirectory()) {
        throw new MirrorInputError(
            `The manifests directory ${manifestsDir} does not exist; make it with \`npm run manifests -- pull ${options.lock.release} --out ${manifestsDir}\`, or pass --manifests <dir>.`,
        );
    }
    checkBundleDirectory(out);
    await options.skopeo.version();
    prepare(out);

    let index = readIndex(layout);
    const checker = new BlobChecker(layout);
    const bundled = new Map<string, ImageBlobs>();
    const events: ImageEvent[] = [];
    const finish = (event: ImageEvent) => {
        events.push(event);
        options.onImage?.(event);
    };

    /** The image as the layout holds it, when its digest is the locked one; damaged blobs are deleted so the copy fetches them again. */
    const inLayout = async (entry: LockEntry, descriptor = findRef(index, layoutRefName(entry.image))): Promise<ImageBlobs | undefined> => {
        if (!descriptor || descriptor.digest !== entry.digest) return undefined;
        const blobs = await imageBlobs(checker, descriptor);
        for (const problem of blobs.problems.filter((candidate) => candidate.actual !== undefined)) {
            rmSync(blobPath(layout, problem.digest), { force: true });
            checker.forget(problem.digest);
        }
        return blobs;
    };

    const blobStore = ["--dest-shared-blob-dir", join(layout, "blobs")];
    const signal = options.signal ? { signal: options.signal } : {};

    /** skopeo copies `digest` of the image's repository into the staging layout, blobs into the store; returns its descriptor. */
    const copyManifest = async (entry: LockEntry, digest: string, staging: string, ref: string): Promise<Descriptor> => {
        await options.skopeo.copy(sourceReference(entry.image, digest), `oci:${staging}:${ref}`, { extra: blobStore, ...signal });
        const staged = findRef(readIndex(staging), ref);
        if (!staged) throw new MirrorError(`${entry.image.image}: skopeo reported a copy of ${digest}, but wrote no image named ${ref}; run the same command again.`);
        if (staged.digest !== digest) {
            throw new MirrorError(`${entry.image.image}: the copy of ${digest} has manifest digest ${staged.digest}: skopeo changed the manifest. Run the same command again; if it persists, report it with \`skopeo --version\`.`);
        }
        const { annotations: _annotations, ...descriptor } = staged;
        return descriptor;
    };

    /**
     * skopeo 1.9 cannot write a Docker manifest list into an OCI layout without
     * converting it (which changes its digest), so it copies each platform's
     * manifest, and the list itself is stored here, byte for byte as the registry served it.
     */
    const copyDockerList = async (entry: LockEntry, list: Buffer, staging: string): Promise<Descriptor> => {
        const instances = (JSON.parse(list.toString("utf8")) as { manifests: Descriptor[] }).manifests;
        for (const [position, instance] of instances.entries()) await copyManifest(entry, instance.digest, staging, `platform-${position}`);
        if (!existsSync(blobPath(layout, entry.digest))) writeFileAtomic(blobPath(layout, entry.digest), list);
        return { mediaType: DOCKER_MANIFEST_LIST, digest: entry.digest, size: list.length };
    };

    const copy = async (entry: LockEntry, staging: string): Promise<ImageBlobs> => {
        const ref = layoutRefName(entry.image);
        const source = sourceReference(entry.image, entry.digest);
        let descriptor: Descriptor;
        try {
            try {
                descriptor = await copyManifest(entry, entry.digest, staging, ref);
            } catch (error) {
                if (!(error instanceof SkopeoCommandError && DOCKER_LIST_REFUSED.test(error.detail))) throw error;
                // Only a Docker manifest list: fetch it to store it as served, and copy its platforms.
                const raw = await options.skopeo.rawManifest(source, signal);
                if (sha256Digest(raw) !== entry.digest || manifestMediaType(raw) !== DOCKER_MANIFEST_LIST) {
                    throw new MirrorError(`${entry.image.image}: ${source} serves a manifest with digest ${sha256Digest(raw)}, not the locked one; the registry does not serve content by digest. Check --registries-conf and the registry.`);
                }
                descriptor = await copyDockerList(entry, raw, staging);
            }
        } catch (error) {
            if (!(error instanceof SkopeoCommandError)) throw error;
            throw new MirrorError(
                `${entry.image.image}: could not copy ${source}: ${error.detail} Check the network connection and the registry credentials (\`skopeo login ${entry.image.registry}\`), and that the locked digest still exists upstream; then run the same command again (images already bundled are kept).`,
            );
        }
        const blobs = await inLayout(entry, { ...descriptor, annotations: { [REF_NAME]: ref } });
        if (!blobs || blobs.problems.length > 0) {
            const problems = blobs?.problems.map(describeProblem).join("; ") ?? "its manifest is unreadable";
            throw new DamagedCopyError(`${entry.image.image}: after the copy, ${problems}; the damaged blobs were deleted. Run the same command again to fetch them anew.`);
        }
        index = withRef(index, ref, descriptor);
        writeIndex(layout, index);
        return blobs;
    };

    const work = async (entry: LockEntry) => {
        const imageStarted = performance.now();
        const present = await inLayout(entry);
        if (present && present.problems.length === 0) {
            bundled.set(entry.image.image, present);
            return finish({ image: entry.image.image, outcome: "skipped", bytes: present.size, ms: performance.now() - imageStarted });
        }
        const staging = mkdtempSync(join(out, STAGING, "image-"));
        try {
            let blobs: ImageBlobs;
            try {
                blobs = await copy(entry, staging);
            } catch (error) {
                if (!(error instanceof DamagedCopyError)) throw error;
                // A damaged blob that skopeo reused from the shared store: deleted by now, so one more copy fetches it.
                rmSync(staging, { recursive: true, force: true });
                mkdirSync(staging);
                blobs = await copy(entry, staging);
            }
            bundled.set(entry.image.image, blobs);
            finish({ image: entry.image.image, outcome: "copied", bytes: blobs.size, ms: performance.now() - imageStarted });
        } catch (error) {
            if (options.signal?.aborted) return;
            if (!(error instanceof MirrorError)) throw error;
            finish({ image: entry.image.image, outcome: "failed", bytes: 0, ms: performance.now() - imageStarted, error: error.message });
        } finally {
            rmSync(staging, { recursive: true, force: true });
        }
    };

    const entries = lockEntries(options.lock);
    await forEachLimit(entries, options.parallel ?? 4, work, options.signal);
    const interrupted = options.signal?.aborted === true;
    const failures = events.filter((event) => event.outcome === "failed");
    const complete = !interrupted && failures.length === 0 && bundled.size === entries.length;
    let manifestFiles = 0;
    if (complete) {
        index = { ...index, manifests: entries.map((entry) => findRef(index, layoutRefName(entry.image))!) };
        writeIndex(layout, index);
        collectGarbage(layout, [...bundled.values()]);
        manifestFiles = copyManifests(manifestsDir, join(out, BUNDLE_MANIFESTS));
        writeLock(join(out, BUNDLE_LOCK), options.lock);
        await writeChecksums(out, BUNDLE_SUMS, (file) => (file.startsWith(`${BUNDLE_LAYOUT}/blobs/sha256/`) ? file.slice(file.lastIndexOf("/") + 1) : undefined), [BUNDLE_SUMS, BUNDLE_PUSHED, STAGING]);
    }
    rmSync(join(out, STAGING), { recursive: true, force: true });
    return {
        outDir: out,
        images: events.sort((a, b) => a.image.localeCompare(b.image)),
        failures,
        complete,
        interrupted,
        imageBytes: [...bundled.values()].reduce((sum, blobs) => sum + blobs.size, 0),
        diskBytes: readdirSync(join(layout, "blobs", "sha256")).reduce((sum, name) => sum + statSync(join(layout, "blobs", "sha256", name)).size, 0),
        manifestFiles,
        ms: performance.now() - started,
    };
}

/** Deletes blobs no bundled image needs (left by images dropped from the lock, or by interrupted copies). */
function collectGarbage(layout: string, images: ImageBlobs[]): void {
    const needed = new Set(images.flatMap((image) => [image.top, ...image.instances, ...image.blobs].map((descriptor) => descriptor.digest.slice("sha256:".length))));
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
