// promtool (Debian's `prometheus` package) checks and unit-tests the PromQL
// kfstack ships; amtool (`prometheus-alertmanager`) checks the Alertmanager
// configuration it writes. .ci/run installs both; without one, its tests skip
// visibly, or fail under KFSTACK_REQUIRE_TOOLS=1 (../requirements.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { stringify } from "yaml";
import { toolsRequirement } from "../requirements";

type Tool = "promtool" | "amtool";

/** `it`, or `it.skip` (said visibly) when `tool` is missing and tools are not required. */
export function itWithTool(tool: Tool, file: string): typeof it | typeof it.skip {
    return toolsRequirement([tool], `the ${tool} tests of ${file}`).skip ? it.skip : it;
}

export const itWithPromtool = (file: string) => itWithTool("promtool", file);

export interface ToolResult {
    status: number;
    output: string;
}

/** Runs `tool <args>` in `directory`; throws when the tool is missing (the test is required). */
export function runTool(tool: Tool, args: string[], directory: string): ToolResult {
    toolsRequirement([tool], `${tool} ${args.join(" ")}`).assert();
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
