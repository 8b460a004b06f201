// File helpers of the mirror: whole-or-nothing writes and streamed sha256.
import { createHash } from "node:crypto";
import { createReadStream, renameSync, writeFileSync } from "node:fs";

/** Writes a file whole or not at all: a temporary file renamed over the target. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, file);
}

/** The hex sha256 of a file, read as a stream. */
export function sha256File(file: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const hash = createHash("sha256");
        createReadStream(file)
            .on("error", reject)
            .on("data", (chunk) => hash.update(chunk))
            .on("end", () => resolve(hash.digest("hex")));
    });
}
