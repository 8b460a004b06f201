// Helpers of the mirror tests: running the CLI in-process with its output
// captured, and whether the system tools the end-to-end tests need are here.
import { vi } from "vitest";
import { runCli } from "../../cli/program";
import { commandExists, REGISTRY_COMMAND } from "../../engine/mirror/local-registry";

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

/** The tools the end-to-end tests run for real that are not on PATH. */
export const missingTools = ["skopeo", REGISTRY_COMMAND].filter((command) => !commandExists(command));
/** Skip when tools are missing, unless KFSTACK_REQUIRE_TOOLS=1 (then the tests fail, naming them). */
export const skipWithoutTools = missingTools.length > 0 && process.env.KFSTACK_REQUIRE_TOOLS !== "1";

const missingList = () => `${missingTools.join(" and ")} ${missingTools.length === 1 ? "is" : "are"} not on PATH`;

/** Says once, visibly, why the tests that need the tools are skipped. */
export function warnSkipped(what: string): void {
    if (skipWithoutTools) console.warn(`Skipping ${what}: ${missingList()} (Debian: apt-get install ${missingTools.join(" ")}; set KFSTACK_REQUIRE_TOOLS=1 to fail instead).`);
}

export function requireMirrorTools(): void {
    if (missingTools.length > 0) throw new Error(`${missingList()}, and KFSTACK_REQUIRE_TOOLS=1 requires them: apt-get install ${missingTools.join(" ")}.`);
}
