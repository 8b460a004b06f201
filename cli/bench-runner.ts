// The runner section of `kfstack bench`: how long `pulumi up` waits for the
// program's first resource under Pulumi's own runner (the runner test's
// engine, engine/runner-monitor.ts), with the deploy path's Pulumi.yaml
// options against the runner's type-checking ts-node (`typescript: true`),
// each with a cold compile cache (a fresh TMPDIR, where ts-node keeps its
// output) and a warm one. At most three runs per row: type-checking is slow.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Spread, spread } from "../engine/bench/processes";
import { type RunnerRun, type RuntimeOptions, projectRuntime, runUnderRunner } from "../engine/runner";
import { projectDirectory } from "../engine/stack-file";
import { plannableStackSettings } from "../engine/unset-secrets";

/** The stack the runner section deploys: the smallest shipped AWS stack, as the issue that asked for it measured. */
export const RUNNER_STACK = "dev";

export interface RunnerRow {
    options: string;
    cache: "cold" | "warm";
    firstResourceMs: Spread;
    totalMs: Spread;
    runs: number;
}

export async function benchRunner(runs: number): Promise<RunnerRow[]> {
    const count = Math.min(runs, 3);
    const settings = plannableStackSettings(RUNNER_STACK);
    const variants: [string, RuntimeOptions][] = [
        ["Pulumi.yaml (transpile only)", projectRuntime(projectDirectory()).options],
        ["typescript: true (type-checks)", { typescript: true }],
    ];
    const directory = mkdtempSync(join(tmpdir(), "kfstack-bench-runner-"));
    try {
        const rows: RunnerRow[] = [];
        for (const [label, options] of variants) {
            for (const cache of ["cold", "warm"] as const) {
                const warmCache = join(directory, `${rows.length}-warm`);
                if (cache === "warm") await runUnderRunner(settings, projectDirectory(), { options, env: { TMPDIR: warmCache } });
                const results: RunnerRun[] = [];
                for (let index = 0; index < count; index++) {
                    process.stderr.write(`\rbench runner ${label}, ${cache} cache: run ${index + 1}/${count}`.padEnd(72));
                    const cacheDir = cache === "warm" ? warmCache : join(directory, `${rows.length}-cold-${index}`);
                    results.push(await runUnderRunner(settings, projectDirectory(), { options, env: { TMPDIR: cacheDir } }));
                }
                rows.push({
                    options: label,
                    cache,
                    firstResourceMs: spread(results.map((run) => run.firstResourceMs)),
                    totalMs: spread(results.map((run) => run.totalMs)),
                    runs: count,
                });
            }
        }
        return rows;
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}
