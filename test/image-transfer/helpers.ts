// Helpers of the mirror tests: running the CLI in-process with its output
// captured, and the system tools the end-to-end tests need.
import { vi } from "vitest";
import { runCli } from "../../cli/commands";
import { REGISTRY_COMMAND } from "../../engine/image-transfer/local-registry";
import { toolsRequirement } from "../requirements";

export interface CliRun {
    code: number;
    /** console.log lines. */
    stdout: string;
    /** console.error lines and direct writes to stderr (progress). */
    stderr: string;
}

/** Runs the CLI on `argv` in this process, capturing what it prints. */
export async function kfstack(...argv: string[]): Promise<CliRun> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void stdout.push(`${parts.join(" ")}\n`));
    const error = vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => void stderr.push(`${parts.join(" ")}\n`));
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
    try {
        const code = await runCli(argv);
        return { code, stdout: stdout.join(""), stderr: stderr.join("") };
    } finally {
        log.mockRestore();
        error.mockRestore();
        write.mockRestore();
    }
}

/** skopeo and the distribution registry, which the end-to-end tests run for real. */
export const mirrorTools = (what: string) => toolsRequirement(["skopeo", REGISTRY_COMMAND], what);

/** The cells of a Markdown table's only data row. */
export const summaryRow = (stdout: string) =>
    stdout
        .split("\n")
        .filter((line) => line.startsWith("|"))[2]!
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim());
