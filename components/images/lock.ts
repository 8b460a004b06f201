// The image lock of a release: every image a release runs, normalized, with the
// manifest digest it resolved to on a connected machine (for a multi-arch
// image, its index's digest), resolved by `npm run images -- lock <bom>` and
// kept in the repository next to the BOM. Rewritten references are pinned to
// these digests (an image the lock lacks keeps its tag); bundles and pushes are
// checked against it. The one reader of its format.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeImage } from "../../core/image-references";
import { isRecord } from "../../core/records";

export interface ImageLock {
    release: string;
    /** Normalized image -> "sha256:<hex>", sorted by image. */
    images: Record<string, string>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** components/bom/<release>.lock.json, where the repository keeps a release's lock. */
export function lockFile(release: string): string {
    return join(__dirname, "..", "bom", `${release}.lock.json`);
}

function entryProblems(image: string, digest: unknown): string[] {
    const problems: string[] = [];
    const key = `images[${JSON.stringify(image)}]`;
    const normalized = normalizeImage(image);
    if (!normalized) problems.push(`${key}: the key is not an image reference`);
    else if (normalized.image !== image) problems.push(`${key}: the key must be the normalized reference ${JSON.stringify(normalized.image)}`);
    if (typeof digest !== "string" || !DIGEST.test(digest))
        problems.push(`${key}: ${JSON.stringify(digest)} is not a sha256 digest ("sha256:" and 64 hex digits)`);
    else if (normalized?.digest !== undefined && normalized.digest !== digest)
        problems.push(`${key}: the reference pins ${normalized.digest}, but the lock says ${digest}`);
    return problems;
}

/** What is wrong with a parsed lock file: every key a normalized image, every value a sha256 digest matching the image's own digest if it has one. */
export function imageLockProblems(value: unknown): string[] {
    if (!isRecord(value)) return ['it must be an object { "release", "images" }'];
    const problems: string[] = [];
    const { release, images } = value;
    if (typeof release !== "string" || release.length === 0) problems.push('"release" must name the release, such as "kubeflow-1.8.1"');
    if (!isRecord(images)) return [...problems, '"images" must map each image to its digest'];
    for (const [image, digest] of Object.entries(images)) problems.push(...entryProblems(image, digest));
    if (Object.keys(images).length === 0) problems.push('"images" is empty');
    return problems;
}

/** The one message for a lock that does not pass imageLockProblems. */
export function invalidLockMessage(file: string, problems: readonly string[]): string {
    return [`${file} is not a valid image lock:`, ...problems.map((problem) => `  ${problem}`), "Make it again with `npm run images -- lock <bom>`."].join(
        "\n",
    );
}

/** Normalized image → digest from the release's committed lock; empty when the release has no lock yet. */
export function loadImageLock(release: string): Map<string, string> {
    const file = lockFile(release);
    if (!existsSync(file)) return new Map();
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    const problems = imageLockProblems(value);
    if (problems.length > 0) throw new Error(invalidLockMessage(file, problems));
    const lock = value as ImageLock;
    if (lock.release !== release)
        throw new Error(`${file} locks ${lock.release}, not ${release}; resolve it again with \`npm run images -- lock ${release}\`.`);
    return new Map(Object.entries(lock.images));
}
