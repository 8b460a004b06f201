// What `kfstack bench` measured, as tables (each target beside its baseline
// from the same run) and as the --json report.
import type { MirrorBench } from "../engine/bench/mirror";
import { type Spread, formatSpread } from "../engine/bench/processes";
import { SYNTHETIC_BASE_STACK } from "../engine/synthetic-tenants";
import { RUNNER_STACK, type RunnerRow } from "./bench-runner";
import { markdownTable } from "./format";

export interface StartupRow {
    command: string;
    wallMs: Spread;
    /** Over `node -e 0`'s median. */
    ratio: number;
}

export interface PlanRow {
    stack: string;
    resources: number;
    /** The Kubernetes objects the baseline registers. */
    objects: number;
    wallMs: Spread;
    baselineMs: number;
    baselineWallMs: Spread;
    ratio: number;
    /** Inside the process: the program, the plan, the pack and the audit. */
    planMs: number;
    policyMs: number;
    rssMb: number;
}

export interface TenantRow {
    count: number;
    resources: number;
    wallMs: Spread;
    auditMs: number;
    rssMb: number;
}

export interface BenchReport {
    runs: number;
    startup?: StartupRow[];
    plan?: PlanRow[];
    tenants?: TenantRow[];
    mirror?: MirrorBench & { bundleRatio: number; noopWallMs: number; pushRatio: number };
    mirrorSkipped?: string;
    runner?: RunnerRow[];
}

/** The targets of issue 15, each a ratio (or a time) against what the same run measured. */
export const TARGETS = { planRatio: 1.1, bundleRatio: 1.3, noopWallMs: 2000, helpWallMs: 500 };

const verdict = (met: boolean) => (met ? "met" : "NOT met");
const times = (value: number) => `${value.toFixed(2)}x`;

function printStartup(rows: StartupRow[], runs: number): void {
    console.log(
        `\n${markdownTable(
            ["command", "wall ms (min / median / max)", "over node -e 0", "target"],
            rows.map((row) => [
                row.command,
                formatSpread(row.wallMs),
                times(row.ratio),
                row.command.includes("--help")
                    ? `< ${TARGETS.helpWallMs} ms: ${verdict(row.wallMs.median < TARGETS.helpWallMs)}`
                    : row.command.includes("nothing to do")
                      ? `<= ${TARGETS.noopWallMs} ms: ${verdict(row.wallMs.median <= TARGETS.noopWallMs)}`
                      : "baseline",
            ]),
        )}`,
    );
    console.log(`\nStart-up: whole processes, ${runs} rounds, interleaved; \`npm run\` includes npm's own start.`);
}

function printPlans(rows: PlanRow[], runs: number): void {
    console.log(
        `\n${markdownTable(
            [
                "stack",
                "resources",
                "plan wall ms (min / median / max)",
                "baseline wall ms (min / median / max)",
                "ratio",
                "target",
                "in-process plan ms",
                "policy pack ms",
                "peak RSS MB",
            ],
            rows.map((row) => [
                row.stack,
                row.resources,
                formatSpread(row.wallMs),
                formatSpread(row.baselineWallMs),
                times(row.ratio),
                `<= ${TARGETS.planRatio}x: ${verdict(row.ratio <= TARGETS.planRatio)}`,
                row.planMs.toFixed(0),
                row.policyMs.toFixed(0),
                row.rssMb.toFixed(0),
            ]),
        )}`,
    );
    console.log(
        `\nplan: \`npm run plan -- <stack> --quiet\` as a whole process (program, policy pack, tenancy audit and cost included); baseline: \`npm run bench -- --baseline-objects\`, a bare Pulumi program that registers the same ${rows.map((row) => `${row.objects} (${row.stack})`).join(", ")} Kubernetes objects, as the plan registers them, through k8s.yaml.ConfigGroup under the same offline engine. ${runs} rounds, interleaved plan, baseline, stack by stack.`,
    );
}

function printTenants(rows: TenantRow[], runs: number): void {
    console.log(
        `\n${markdownTable(
            ["tenants", "resources", "plan wall ms (min / median / max)", "audit ms (median)", "peak RSS MB (median)"],
            rows.map((row) => [row.count, row.resources, formatSpread(row.wallMs), row.auditMs.toFixed(0), row.rssMb.toFixed(0)]),
        )}`,
    );
    console.log(
        `\nThe ${SYNTHETIC_BASE_STACK} stack with its own tenants plus synthetic ones (an owner, an editor and a viewer each), ${runs} rounds, interleaved by count. audit ms: the tenancy audit inside the plan. Target: 100 tenants under 15,000 ms and 600 MB.`,
    );
}

function printMirror(mirror: NonNullable<BenchReport["mirror"]>): void {
    console.log(
        `\n${markdownTable(
            ["mirror step", "wall ms (min / median / max)", "ratio", "target"],
            [
                [
                    "npm run mirror -- bundle",
                    formatSpread(mirror.bundle),
                    times(mirror.bundleRatio),
                    `<= ${TARGETS.bundleRatio}x: ${verdict(mirror.bundleRatio <= TARGETS.bundleRatio)}`,
                ],
                ["raw skopeo copy into one blob store (baseline)", formatSpread(mirror.rawCopy), "", ""],
                [
                    "npm run mirror -- bundle, nothing to do",
                    formatSpread(mirror.bundleNoop),
                    "",
                    `<= ${TARGETS.noopWallMs} ms: ${verdict(mirror.noopWallMs <= TARGETS.noopWallMs)}`,
                ],
                ["npm run mirror -- push", formatSpread(mirror.push), times(mirror.pushRatio), ""],
                ["raw skopeo copy out of the blob store (baseline)", formatSpread(mirror.rawPush), "", ""],
                ["npm run mirror -- push, nothing to do", formatSpread(mirror.pushNoop), "", ""],
            ],
        )}`,
    );
    console.log(
        `\n${mirror.images} synthetic images under the names of the prod stack's inventory, between two local registries, ${mirror.parallel} at a time, ${mirror.runs} rounds, interleaved. bundle and push: whole processes; raw: the same transfers by \`skopeo copy\` alone (verifying nothing, writing no manifests or checksums).`,
    );
}

function printRunner(rows: RunnerRow[]): void {
    console.log(
        `\n${markdownTable(
            ["runtime options", "compile cache", "first resource ms (min / median / max)", "whole preview ms (min / median / max)", "runs"],
            rows.map((row) => [row.options, row.cache, formatSpread(row.firstResourceMs), formatSpread(row.totalMs), row.runs]),
        )}`,
    );
    console.log(
        `\nThe ${RUNNER_STACK} stack under @pulumi/pulumi's runner, started as the nodejs language host starts it for \`pulumi preview\`. first resource: what \`pulumi up\` waits before anything happens. A warm cache holds ts-node's output for unchanged files: a clean checkout, CI and every edited file pay the cold row.`,
    );
}

export function printReport(report: BenchReport): void {
    if (report.startup) printStartup(report.startup, report.runs);
    if (report.plan) printPlans(report.plan, report.runs);
    if (report.tenants) printTenants(report.tenants, report.runs);
    if (report.mirror) printMirror(report.mirror);
    if (report.mirrorSkipped) console.log(`\nMirror section skipped: ${report.mirrorSkipped}.`);
    if (report.runner) printRunner(report.runner);
}
