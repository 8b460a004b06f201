// The image lock on the connected side: normalizing the images to lock,
// resolving their digests with skopeo, and reading and writing lock files
// (their format and its checks are components/images/lock.ts).
import { existsSync, readFileSync } from "node:fs";
import { type ImageLock, imageLockProblems, invalidLockMessage } from "../../components/images/lock";
import { type NormalizedImage, normalizeImage } from "../../core/image-references";
import { MirrorInputError, MirrorError } from "./errors";
import { writeFileAtomic } from "./files";
import { forEachLimit } from "./parallel";
import { resolvableReference } from "./reference";
import { type Skopeo, SkopeoCommandError } from "./skopeo";

export interface LockEntry {
    image: NormalizedImage;
    digest: string;
}

/** Normalizes and deduplicates a list of images; throws MirrorInputError naming every entry of `where` that is not an image. */
export function normalizeImages(texts: unknown[], where: string): NormalizedImage[] {
    const problems: string[] = [];
    const images = new Map<string, NormalizedImage>();
    texts.forEach((text, index) => {
        const image = typeof text === "string" ? normalizeImage(text.trim()) : undefined;
        if (!image) problems.push(`  [${index}]: ${JSON.stringify(text)} is not an image reference`);
        else images.set(image.image, image);
    });
    if (problems.length > 0)
        throw new MirrorInputError(
            [`${where} lists entries that are not image references (such as "gcr.io/ml-pipeline/api-server:2.0.5"); fix them:`, ...problems].join("\n"),
        );
    return [...images.values()].sort((a, b) => a.image.localeCompare(b.image));
}

/** The lock in `file`, checked (components/images/lock.ts); throws MirrorInputError when it is missing or invalid. */
export function readLock(file: string, missing = "make one on a connected machine with `npm run images -- lock <release>`"): ImageLock {
    if (!existsSync(file)) throw new MirrorInputError(`There is no image lock at ${file}; ${missing}.`);
    let value: unknown;
    try {
        value = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
        throw new MirrorInputError(`${file} is not valid JSON (${(error as Error).message}); make it again with \`npm run images -- lock <bom>\`.`);
    }
    const problems = imageLockProblems(value);
    if (problems.length > 0) throw new MirrorInputError(invalidLockMessage(file, problems));
    return value as ImageLock;
}

export function writeLock(file: string, lock: ImageLock): void {
    const images = Object.fromEntries(Object.entries(lock.images).sort(([a], [b]) => a.localeCompare(b)));
    writeFileAtomic(file, `${JSON.stringify({ release: lock.release, images }, null, 2)}\n`);
}

export function lockEntries(lock: ImageLock): LockEntry[] {
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
export async function resolveLock(release: string, images: NormalizedImage[], options: ResolveOptions): Promise<ImageLock> {
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
                if (image.digest !== undefined && digest !== image.digest)
                    failures.push({ image: image.image, detail: `the registry served a manifest with digest ${digest}, not the pinned ${image.digest}.` });
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
    if (options.signal?.aborted)
        throw new MirrorError(
            `Interrupted after resolving ${Object.keys(resolved).length} of ${images.length} images; no lock was written. Run the same command again.`,
        );
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
