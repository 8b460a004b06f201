// Timing whole processes, as a user starts them: `npm run <script> -- …` from
// the project directory, module loading and npm's own start included. Targets
// are ratios against a baseline timed in the same rounds, interleaved run by
// run, so drift on a shared machine lands on both sides.
import { spawnSync } from "node:child_process";
import { projectDirectory } from "../stack-file";

/** The spread of a measurement over its runs. */
export interface Spread {
    min: number;
    median: number;
    max: number;
}

export function spread(values: readonly number[]): Spread {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return { min: sorted[0]!, median, max: sorted.at(-1)! };
}

/** `min / median / max`, in whole milliseconds. */
export const formatSpread = (value: Spread) => `${value.min.toFixed(0)} / ${value.median.toFixed(0)} / ${value.max.toFixed(0)}`;

/** A ratio of medians, as the targets are stated. */
export const ratio = (measured: Spread, baseline: Spread) => measured.median / baseline.median;

/** `command args` run to completion from the project directory: its wall time and output. Throws with its output when it fails. */
function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { wallMs: number; stdout: string } {
    const started = process.hrtime.bigint();
    const child = spawnSync(command, args, { cwd: projectDirectory(), env, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.error) throw child.error;
    if (child.status !== 0) throw new Error(`\`${[command, ...args].join(" ")}\` failed (exit ${child.status}): ${child.stderr.trim() || child.stdout.trim()}`);
    return { wallMs, stdout: child.stdout };
}

/** The wall time of `command args`, run to completion from the project directory. */
export const timedProcess = (command: string, args: readonly string[], env?: NodeJS.ProcessEnv) => runProcess(command, args, env).wallMs;

/** The command line of `npm run -s <script> -- args`: npm's own CLI under this Node when the bench itself runs under npm. */
export function npmRun(script: string, args: readonly string[]): [string, string[]] {
    const npm = process.env["npm_execpath"];
    const run = ["run", "-s", script, "--", ...args];
    return npm ? [process.execPath, [npm, ...run]] : ["npm", run];
}

/** `npm run -s <script> -- args`, timed as a whole process. */
export function timedNpmRun(script: string, args: readonly string[], env?: NodeJS.ProcessEnv): number {
    const [command, commandArgs] = npmRun(script, args);
    return runProcess(command, commandArgs, env).wallMs;
}

/** What `npm run -s <script> -- args` prints. */
export function npmRunOutput(script: string, args: readonly string[]): string {
    const [command, commandArgs] = npmRun(script, args);
    return runProcess(command, commandArgs).stdout;
}

/**
 * Runs every job once per round, in the order given, for `rounds` rounds, and returns each job's times.
 */
export async function interleaved<K extends string>(
    rounds: number,
    jobs: Record<K, (round: number) => number | Promise<number>>,
    progress: (line: string) => void,
): Promise<Record<K, number[]>> {
    const names = Object.keys(jobs) as K[];
    const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
    for (let round = 0; round < rounds; round++) {
        for (const name of names) {
            progress(`${name}: run ${round + 1}/${rounds}`);
            times[name].push(await jobs[name](round));
        }
    }
    return times;
}
