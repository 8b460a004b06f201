// promtool (Debian's `prometheus` package, installed by .ci/run) checks and
// unit-tests the PromQL kfstack ships. Without it these tests skip with a
// visible message, and fail instead when KFSTACK_REQUIRE_TOOLS=1.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { stringify } from "yaml";

const promtoolMissing = spawnSync("promtool", ["--version"]).error !== undefined;
const requireTools = process.env.KFSTACK_REQUIRE_TOOLS === "1";

/** `it`, or `it.skip` with a warning when promtool is missing and tools are not required. */
export function itWithPromtool(file: string): typeof it | typeof it.skip {
    if (!promtoolMissing || requireTools) return it;
    console.warn(`${file}: skipping the promtool tests: promtool is not on PATH (install Debian's prometheus package; set KFSTACK_REQUIRE_TOOLS=1 to fail instead).`);
    return it.skip;
}

export interface PromtoolResult {
    status: number;
    output: string;
}

/** Runs `promtool <args>` in `directory`; throws when promtool is missing (the test is required). */
export function promtool(args: string[], directory: string): PromtoolResult {
    if (promtoolMissing) throw new Error("promtool is not on PATH, and KFSTACK_REQUIRE_TOOLS=1 requires it: install Debian's prometheus package.");
    const result = spawnSync("promtool", args, { cwd: directory, encoding: "utf8" });
    return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** Writes `files` (name → YAML-serialisable value) into a fresh temporary directory. */
export function writeYamlFiles(files: Record<string, unknown>): string {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-promtool-"));
    for (const [name, value] of Object.entries(files)) writeFileSync(join(directory, name), typeof value === "string" ? value : stringify(value));
    return directory;
}
