// The parsed form of rendered manifests, kept as JSON in a cache folder:
// parsing a release's YAML takes about 25 times as long as JSON.parse of the
// same objects. An entry is named by the sha256 of the YAML bytes and carries
// the sha256 of its own JSON, so a stale, corrupt or half-written entry is
// never used; the manifests directory (often read-only) is never written.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const CACHE_DIR_ENV = "KFSTACK_CACHE_DIR";

/** Changes when what read.ts makes of a YAML file changes, so entries written by an older kfstack are not read. */
const FORMAT = "kfstack-parsed-manifests/1";

/** kfstack's cache folder: `$KFSTACK_CACHE_DIR`, else the user's cache folder (`$XDG_CACHE_HOME` or `~/.cache`) `/kfstack`. */
export function kfstackCacheDirectory(environment: NodeJS.ProcessEnv = process.env): string {
    return environment[CACHE_DIR_ENV] || join(environment["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "kfstack");
}

/** Where the parsed entries live: beside the default manifests directory (`<cache>/manifests`), never in it. */
export function parsedCacheDirectory(environment: NodeJS.ProcessEnv = process.env): string {
    return join(kfstackCacheDirectory(environment), "parsed");
}

const sha256Of = (text: string) => createHash("sha256").update(text).digest("hex");

/** Writes `text` aside and renames it into place, so a reader (processes plan in parallel) sees the whole file or none. */
function writeWhole(file: string, text: string): void {
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    try {
        writeFileSync(temporary, text);
        renameSync(temporary, file);
    } finally {
        rmSync(temporary, { force: true });
    }
}

/**
 * Parsed files as JSON text by the sha256 of their YAML: in memory for the
 * process (text, so no caller can change what the next one reads), on disk
 * for the next process.
 */
export class ParsedManifestCache {
    private readonly memory = new Map<string, string>();

    constructor(readonly directory: string) {}

    private entryFile(yamlSha256: string): string {
        return join(this.directory, `${yamlSha256}.json`);
    }

    /** The JSON of the YAML file with this sha256, or undefined when no intact entry has it. */
    get(yamlSha256: string): string | undefined {
        const known = this.memory.get(yamlSha256);
        if (known !== undefined) return known;
        const json = this.readEntry(yamlSha256);
        if (json !== undefined) this.memory.set(yamlSha256, json);
        return json;
    }

    /** Keeps `json` for the YAML file with this sha256; a cache folder that cannot be written only costs the next process a parse. */
    set(yamlSha256: string, json: string): void {
        this.memory.set(yamlSha256, json);
        try {
            mkdirSync(this.directory, { recursive: true });
            writeWhole(this.entryFile(yamlSha256), `${FORMAT} ${yamlSha256} ${sha256Of(json)}\n${json}`);
        } catch {
            // Not cached: unwritable, full or missing folder.
        }
    }

    private readEntry(yamlSha256: string): string | undefined {
        let text: string;
        try {
            text = readFileSync(this.entryFile(yamlSha256), "utf8");
        } catch {
            return undefined;
        }
        const newline = text.indexOf("\n");
        const json = text.slice(newline + 1);
        return newline > 0 && text.slice(0, newline) === `${FORMAT} ${yamlSha256} ${sha256Of(json)}` ? json : undefined;
    }
}
