// Reads the reference tables of the fixtures' MANIFEST.md files: the object
// counts by apiVersion/kind that each rendered file holds, as recorded when
// the fixtures were rendered. Tests compare plans against these, not against
// counts the product computes itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesDirectory } from "./requirements";

/** `apiVersion kind` → count, from the "Resource count by apiVersion/kind" table of `file`'s section in `folder/MANIFEST.md`. */
export function referenceCounts(folder: string, file: string): Map<string, number> {
    const lines = readFileSync(join(fixturesDirectory(), folder, "MANIFEST.md"), "utf8").split("\n");
    const section = lines.findIndex((line) => /^#{2,3} /.test(line) && line.includes(`${file} `) && !line.includes("Summary"));
    if (section < 0) throw new Error(`${folder}/MANIFEST.md has no section for ${file}`);
    const table = lines.findIndex((line, index) => index > section && line.includes("Resource count by apiVersion/kind"));
    const counts = new Map<string, number>();
    for (const line of lines.slice(table + 1)) {
        const row = /^\| `([^`]+)` \| (\S+) \| (\d+) \|$/.exec(line);
        if (row) counts.set(`${row[1]} ${row[2]}`, Number(row[3]));
        else if (counts.size > 0 && !line.startsWith("|")) break;
    }
    return counts;
}

export function addCounts(...maps: Map<string, number>[]): Map<string, number> {
    const total = new Map<string, number>();
    for (const map of maps) for (const [key, count] of map) total.set(key, (total.get(key) ?? 0) + count);
    return total;
}

/** The lines of `file`'s section in `folder/MANIFEST.md`, up to the next file's. */
function manifestSection(folder: string, file: string): string[] {
    const lines = readFileSync(join(fixturesDirectory(), folder, "MANIFEST.md"), "utf8").split("\n");
    const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.includes(`${file} `) && !line.includes("Summary"));
    if (start < 0) throw new Error(`${folder}/MANIFEST.md has no section for ${file}`);
    const end = lines.findIndex((line, index) => index > start && /^#{2,3} \S+\.yaml /.test(line));
    return lines.slice(start, end < 0 ? undefined : end);
}

/** The image list under a heading like "Container images (52)" in `file`'s section: its code block, or its table's first column. */
export function listedImages(folder: string, file: string, heading: string): string[] {
    const lines = manifestSection(folder, file);
    const at = lines.findIndex((line) => line.startsWith("####") && line.includes(` ${heading} (`));
    const count = Number(/\((\d+)\)$/.exec(lines[at] ?? "")?.[1]);
    if (at < 0 || Number.isNaN(count)) throw new Error(`${folder}/MANIFEST.md has no "${heading}" list for ${file}`);
    const next = lines.findIndex((line, index) => index > at && line.startsWith("####"));
    const body = lines.slice(at + 1, next);
    const block = body.indexOf("```text");
    const images =
        block >= 0
            ? body.slice(block + 1, body.indexOf("```", block + 1))
            : body.flatMap((line) => /^\| `([^`]+)` \|/.exec(line)?.[1] ?? []).filter((image, index, all) => all.indexOf(image) === index);
    if (images.length !== count) throw new Error(`${folder}/MANIFEST.md lists ${images.length} ${heading} for ${file}, but its heading says ${count}`);
    return images;
}

/** file → sha256, from the "Files in this folder" table of `folder/MANIFEST.md`. */
export function listedSha256s(folder: string): Map<string, string> {
    const rows = readFileSync(join(fixturesDirectory(), folder, "MANIFEST.md"), "utf8")
        .split("\n")
        .flatMap((line) => {
            const row = /^\| `([^`]+)` \| \d+ \| `([0-9a-f]{64})` \|/.exec(line);
            return row ? [[row[1]!, row[2]!] as const] : [];
        });
    return new Map(rows);
}
