// The image lock of a release: the digest of every image its install refers
// to, resolved on a connected machine (`npm run images -- lock <bom>`) and
// kept in the repository next to the BOM. Rewritten references are pinned to
// these digests; an image the lock lacks keeps its tag.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const LockSchema = z.strictObject({
    release: z.string(),
    images: z.record(z.string(), z.string().regex(/^sha256:[0-9a-f]{64}$/)),
});

export type ImageLock = z.infer<typeof LockSchema>;

export function lockFile(release: string): string {
    return join(__dirname, "..", "bom", `${release}.lock.json`);
}

/** Normalized image → digest; empty when the release has no lock yet. */
export function loadImageLock(release: string): Map<string, string> {
    const file = lockFile(release);
    if (!existsSync(file)) return new Map();
    const result = LockSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!result.success) {
        const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
        throw new Error(`${file} is not a valid image lock: ${problems}. Resolve it again with \`npm run images -- lock ${release}\`.`);
    }
    if (result.data.release !== release) throw new Error(`${file} locks ${result.data.release}, not ${release}; resolve it again with \`npm run images -- lock ${release}\`.`);
    return new Map(Object.entries(result.data.images));
}
