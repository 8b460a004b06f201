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
