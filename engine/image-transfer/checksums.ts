// SHA256SUMS: the checksum manifest of a bundle, in the format of coreutils'
// sha256sum, so `sha256sum -c SHA256SUMS` checks a bundle anywhere.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256File, writeFileAtomic } from "./files";

/** Every file under `root` as a path relative to it with "/" separators, sorted; `excluded` top-level names left out. */
export function filesUnder(root: string, excluded: string[] = []): string[] {
    const files: string[] = [];
    const walk = (directory: string, prefix: string) => {
        for (const entry of readdirSync(directory, { withFileTypes: true })) {
            const path = prefix ? `${prefix}/${entry.name}` : entry.name;
            if (!prefix && excluded.includes(entry.name)) continue;
            if (entry.isDirectory()) walk(join(directory, entry.name), path);
            else files.push(path);
        }
    };
    walk(root, "");
    return files.sort();
}

/**
 * Writes `<root>/<name>` with the sha256 of every file under root. `known`
 * gives the hex digest of a file already checked (a content-addressed blob),
 * so it is not read again.
 */
export async function writeChecksums(root: string, name: string, known: (file: string) => string | undefined, excluded: string[]): Promise<void> {
    const lines: string[] = [];
    for (const file of filesUnder(root, excluded)) lines.push(`${known(file) ?? (await sha256File(join(root, file)))}  ${file}`);
    writeFileAtomic(join(root, name), `${lines.join("\n")}\n`);
}

/** A SHA256SUMS file as path -> hex digest; empty when there is none. */
export function readChecksums(file: string): Map<string, string> {
    if (!existsSync(file)) return new Map();
    const sums = new Map<string, string>();
    for (const line of readFileSync(file, "utf8").split("\n")) {
        const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
        if (match) sums.set(match[2]!, match[1]!);
    }
    return sums;
}
