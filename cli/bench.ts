// `kfstack bench`: plan time and peak memory per stack (Kubeflow included), as
// medians over fresh processes (each run pays module loading like a real
// `npm run plan` does).
// Speed is measured here, never asserted in tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectDirectory } from "../engine/stack-file";
import { markdownTable } from "./format";

export interface BenchOptions {
    runs: number;
    stacks: string;
}

interface RunStats {
    planMs: number;
    policyMs: number;
    wallMs: number;
    peakRssMB: number;
    resources: number;
}

export interface PlanStats {
    planMs: number;
    /** The policy pack alone over the plan. */
    policyMs: number;
    peakRssBytes: number;
    resources: number;
}

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function runOnce(stack: string, statsFile: string): RunStats {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "plan", stack, "--quiet", "--stats", statsFile], {
        cwd: projectDirectory(),
        encoding: "utf8",
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.status !== 0) throw new Error(`plan of ${stack} failed (exit ${child.status}): ${child.stderr.trim()}`);
    const stats = JSON.parse(readFileSync(statsFile, "utf8")) as PlanStats;
    return { planMs: stats.planMs, policyMs: stats.policyMs, wallMs, peakRssMB: stats.peakRssBytes / 2 ** 20, resources: stats.resources };
}

export async function benchCommand(options: BenchOptions): Promise<void> {
    if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs must be a positive integer, not ${options.runs}`);
    const directory = mkdtempSync(join(tmpdir(), "kfstack-bench-"));
    try {
        const rows = options.stacks.split(",").map((stack) => {
            const runs = Array.from({ length: options.runs }, (_, index) => {
                process.stderr.write(`\rbench ${stack}: run ${index + 1}/${options.runs}   `);
                return runOnce(stack, join(directory, `${stack}-${index}.json`));
            });
            const planMs = median(runs.map((run) => run.planMs));
            const policyMs = median(runs.map((run) => run.policyMs));
            return [
                stack,
                runs[0]!.resources,
                planMs.toFixed(0),
                (planMs / runs[0]!.resources).toFixed(2),
                policyMs.toFixed(0),
                Math.round((runs[0]!.resources / policyMs) * 1000),
                median(runs.map((run) => run.wallMs)).toFixed(0),
                median(runs.map((run) => run.peakRssMB)).toFixed(0),
                options.runs,
            ];
        });
        process.stderr.write("\n");
        console.log(markdownTable(
                ["stack", "resources", "plan ms (median)", "ms per resource", "policy pack ms (median)", "pack resources/s", "process wall ms (median)", "peak RSS MB (median)", "runs"],
                rows,
            ),);
        console.log(
            "\nplan ms: running the program offline and building the plan (the policy pack included); policy pack ms: the pack alone over the plan; process wall ms: the whole `plan` command, module loading included.",
        );
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}
