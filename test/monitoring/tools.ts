// promtool (Debian's `prometheus` package) checks and unit-tests the PromQL
// kfstack ships; amtool (`prometheus-alertmanager`) checks the Alertmanager
// configuration it writes. .ci/run installs both. Without one, its tests skip
// with a visible message, and fail instead when KFSTACK_REQUIRE_TOOLS=1.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { stringify } from "yaml";

const requireTools = process.env.KFSTACK_REQUIRE_TOOLS === "1";
const PACKAGES = { promtool: "prometheus", amtool: "prometheus-alertmanager" } as const;
type Tool = keyof typeof PACKAGES;
const missing = (tool: Tool) => spawnSync(tool, ["--version"]).error !== undefined;

/** `it`, or `it.skip` with a warning when `tool` is missing and tools are not required. */
export function itWithTool(tool: Tool, file: string): typeof it | typeof it.skip {
    if (!missing(tool) || requireTools) return it;
    console.warn(`${file}: skipping the ${tool} tests: ${tool} is not on PATH (install Debian's ${PACKAGES[tool]} package; set KFSTACK_REQUIRE_TOOLS=1 to fail instead).`);
    return it.skip;
}

export const itWithPromtool = (file: string) => itWithTool("promtool", file);

export interface ToolResult {
    status: number;
    output: string;
}

/** Runs `tool <args>` in `directory`; throws when the tool is missing (the test is required). */
export function runTool(tool: Tool, args: string[], directory: string): ToolResult {
    if (missing(tool)) throw new Error(`${tool} is not on PATH, and KFSTACK_REQUIRE_TOOLS=1 requires it: install Debian's ${PACKAGES[tool]} package.`);
    const result = spawnSync(tool, args, { cwd: directory, encoding: "utf8" });
    return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

export const promtool = (args: string[], directory: string) => runTool("promtool", args, directory);

/** Writes `files` (name → YAML-serialisable value) into a fresh temporary directory. */
export function writeYamlFiles(files: Record<string, unknown>): string {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-promtool-"));
    for (const [name, value] of Object.entries(files)) writeFileSync(join(directory, name), typeof value === "string" ? value : stringify(value));
    return directory;
}
