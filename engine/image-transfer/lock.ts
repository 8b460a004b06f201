// The image lock of a release: every image a release runs, normalized, with the
// manifest digest it resolved to on a connected machine (for a multi-arch
// image, its index's digest). Kept in the repository next to the BOM
// (components/bom/<release>.lock.json); bundles and pushes are checked against it.
import { existsSync, readFileSync } from "node:fs";
import { lockFile } from "../../components/images/lock";
import { MirrorInputError, MirrorError } from "./errors";
import { writeFileAtomic } from "./files";
import { forEachLimit } from "./parallel";
import { type LockedImage, normalizeImage, resolvableReference } from "./reference";
import { type Skopeo, SkopeoCommandError } from "./skopeo";

export interface Lock {
    release: string;
    /** Normalized image -> "sha256:<hex>", sorted by image. */
    images: Record<string, string>;
}

export interface LockEntry {
    image: LockedImage;
    digest: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** components/bom/<release>.lock.json, where the repository keeps a release's lock. */
export const lockFileOf = (release: string) => lockFile(release);

/** Normalizes and deduplicates a list of images; throws MirrorInputError naming every entry of `where` that is not an image. */
export function normalizeImages(texts: unknown[], where: string): LockedImage[] {
    const problems: string[] = [];
    const images = new Map<string, LockedImage>();
    texts.forEach((text, index) => {
        const image = typeof text === "string" ? normalizeImage(text) : undefined;
        if (!image) problems.push(`  [${index}]: ${JSON.stringify(text)} is not an image reference`);
        else images.set(image.image, image);
    });
    if (problems.length > 0) throw new MirrorInputError([`${where} lists entries that are not image references (such as "gcr.io/ml-pipeline/api-server:2.0.5"); fix them:`, ...problems].join("\n"));
    return [...images.values()].sort((a, b) => a.image.localeCompare(b.image));
}

/** The lock in `file`, checked: every key a normalized image, every value a sha256 digest matching the image's own digest if it has one. */
export function readLock(file: string, what = "the image lock"): Lock {
    if (!existsSync(file)) throw new MirrorInputError(`There is no ${what} ${file}.`);
    let value: unknown;
    try {
        value = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
        throw new MirrorInputError(`${file} is not valid JSON (${(error as Error).message}); make it again with \`npm run images -- lock <bom>\`.`);
    }
    const lock = value as Partial<Lock>;
    const problems: string[] = [];
    if (typeof lock !== "object" || lock === null || Array.isArray(lock)) problems.push('it must be an object { "release", "images" }');
    else {
        if (typeof lock.release !== "string" || lock.release.length === 0) problems.push('"release" must name the release, such as "kubeflow-1.8.1"');
        if (typeof lock.images !== "object" || lock.images === null || Array.isArray(lock.images)) problems.push('"images" must map each image to its digest');
        else {
            for (const [image, digest] of Object.entries(lock.images)) {
                const normalized = normalizeImage(image);
                if (!normalized) problems.push(`images[${JSON.stringify(image)}]: the key is not an image reference`);
                else if (normalized.image !== image) problems.push(`images[${JSON.stringify(image)}]: the key must be the normalized reference ${JSON.stringify(normalized.image)}`);
                if (typeof digest !== "string" || !DIGEST.test(digest)) problems.push(`images[${JSON.stringify(image)}]: ${JSON.stringify(digest)} is not a sha256 digest ("sha256:" and 64 hex digits)`);
                else if (normalized?.digest !== undefined && normalized.digest !== digest) problems.push(`images[${JSON.stringify(image)}]: the reference pins ${normalized.digest}, but the lock says ${digest}`);
            }
            if (Object.keys(lock.images).length === 0) problems.push('"images" is empty');
        }
    }
    if (problems.length > 0) throw new MirrorInputError([`${file} is not a valid image lock:`, ...problems.map((problem) => `  ${problem}`), "Make it again with `npm run images -- lock <bom>`."].join("\n"));
    return lock as Lock;
}

export function writeLock(file: string, lock: Lock): void {
    const images = Object.fromEntries(Object.entries(lock.images).sort(([a], [b]) => a.localeCompare(b)));
    writeFileAtomic(file, `${JSON.stringify({ release: lock.release, images }, null, 2)}\n`);
}

export function lockEntries(lock: Lock): LockEntry[] {
    return Object.entries(lock.images)
        .map(([image, digest]) => ({ image: normalizeImage(image)!, digest }))
        .sort((a, b) => a.image.image.localeCompare(b.image.image));
}

export interface ResolveOptions {
    skopeo: Skopeo;
    /** Images resolved at once; 8 by default. */
    parallel?: number;
    /** Called after each image resolves. */
    onResolved?: (image: string, digest: string) => void;
    signal?: AbortSignal;
}

/** Resolves every image's manifest digest with skopeo; throws MirrorError naming every image that failed. */
export async function resolveLock(release: string, images: LockedImage[], options: ResolveOptions): Promise<Lock> {
    await options.skopeo.version();
    const resolved: Record<string, string> = {};
    const failures: { image: string; detail: string }[] = [];
    await forEachLimit(
        images,
        options.parallel ?? 8,
        async (image) => {
            const reference = resolvableReference(image);
            try {
                const digest = await options.skopeo.manifestDigest(reference, options.signal ? { signal: options.signal } : {});
                if (image.digest !== undefined && digest !== image.digest) failures.push({ image: image.image, detail: `the registry served a manifest with digest ${digest}, not the pinned ${image.digest}.` });
                else {
                    resolved[image.image] = digest;
                    options.onResolved?.(image.image, digest);
                }
            } catch (error) {
                if (options.signal?.aborted) return;
                if (!(error instanceof SkopeoCommandError)) throw error;
                failures.push({ image: image.image, detail: error.detail });
            }
        },
        options.signal,
    );
    if (options.signal?.aborted) throw new MirrorError(`Interrupted after resolving ${Object.keys(resolved).length} of ${images.length} images; no lock was written. Run the same command again.`);
    if (failures.length > 0) {
        throw new MirrorError(
            [
                `Could not resolve ${failures.length} of ${images.length} images; no lock was written:`,
                ...groupByDetail(failures),
                "Check the network connection, the image names and the registry credentials (`skopeo login <registry>`); for a mirror or an insecure registry pass --registries-conf <file>.",
            ].join("\n"),
        );
    }
    return { release, images: resolved };
}

/** One line per cause: "  <image>: <detail>", or the images sharing one cause (an unreachable registry) on one line. */
function groupByDetail(failures: { image: string; detail: string }[]): string[] {
    const byDetail = new Map<string, string[]>();
    for (const failure of failures) byDetail.set(failure.detail, [...(byDetail.get(failure.detail) ?? []), failure.image]);
    return [...byDetail]
        .map(([detail, images]) => {
            const sorted = images.sort();
            if (sorted.length === 1) return `  ${sorted[0]}: ${detail}`;
            const named = sorted.length > 4 ? `${sorted.slice(0, 3).join(", ")} and ${sorted.length - 3} more` : sorted.join(", ");
            return `  ${named} (${sorted.length} images): ${detail}`;
        })
        .sort();
}
