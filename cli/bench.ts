// `kfstack bench`: whole processes timed as a user starts them (`npm run …`),
// each target a ratio against a baseline timed in the same rounds, interleaved
// run by run, with min / median / max. Speed is measured here, never asserted
// in tests. The sections' tables and the --json report come from bench-report.ts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFESTS_DIR_ENV } from "../components/manifests/read";
import { benchMirror, mirrorBenchUnavailable } from "../engine/bench/mirror";
import { registerThroughConfigGroup, writePlanObjects } from "../engine/bench/plan-baseline";
import { interleaved, npmRunOutput, spread, timedNpmRun, timedProcess } from "../engine/bench/processes";
import { SYNTHETIC_BASE_STACK, writeTenantStack } from "../engine/synthetic-tenants";
import { type BenchReport, type PlanRow, type StartupRow, type TenantRow, printReport } from "./bench-report";
import { benchRunner } from "./bench-runner";
import type { PlanStats } from "./plan";

export interface BenchOptions {
    runs: number;
    stacks: string;
    /** Comma-separated: startup, plan, tenants, mirror, runner. */
    sections?: string;
    json?: string;
    /** Hidden: be the plan's baseline program over these objects, and nothing else. */
    baselineObjects?: string;
}

const SECTIONS = ["startup", "plan", "tenants", "mirror", "runner"];

/** Tenant counts of the tenant-scaling section: the prod stack's own two, a department, a real organisation. */
const TENANT_COUNTS = [2, 20, 100];

/** The stack whose image inventory the mirror section carries: the production one, the largest. */
const MIRROR_STACK = "prod";

const progress = (line: string) => process.stderr.write(`\rbench ${line}`.padEnd(72));

function readStats(file: string): PlanStats {
    return JSON.parse(readFileSync(file, "utf8")) as PlanStats;
}

/** The plan of each stack and its baseline, interleaved: plan dev, baseline dev, plan prod, baseline prod, … */
async function benchPlans(stacks: string[], runs: number, scratch: string): Promise<PlanRow[]> {
    const objects = new Map<string, { file: string; count: number }>();
    for (const stack of stacks) {
        progress(`${stack}: writing its plan's objects for the baseline`);
        const planFile = join(scratch, `${stack}.plan.json`);
        timedNpmRun("plan", [stack, "--quiet", "--json", planFile]);
        const file = join(scratch, `${stack}.objects.json`);
        objects.set(stack, { file, count: writePlanObjects(planFile, file) });
    }
    const stats = (stack: string, round: number) => join(scratch, `${stack}-${round}.stats.json`);
    const jobs: Record<string, (round: number) => number> = {};
    for (const stack of stacks) {
        jobs[`plan ${stack}`] = (round) => timedNpmRun("plan", [stack, "--quiet", "--stats", stats(stack, round)]);
        jobs[`baseline ${stack}`] = () => timedNpmRun("bench", ["--baseline-objects", objects.get(stack)!.file]);
    }
    const times = await interleaved(runs, jobs, progress);
    return stacks.map((stack) => {
        const runStats = Array.from({ length: runs }, (_, round) => readStats(stats(stack, round)));
        const wallMs = spread(times[`plan ${stack}`]!);
        const baselineWallMs = spread(times[`baseline ${stack}`]!);
        return {
            stack,
            resources: runStats[0]!.resources,
            objects: objects.get(stack)!.count,
            wallMs,
            baselineMs: baselineWallMs.median,
            baselineWallMs,
            ratio: wallMs.median / baselineWallMs.median,
            planMs: spread(runStats.map((run) => run.planMs)).median,
            policyMs: spread(runStats.map((run) => run.policyMs)).median,
            rssMb: spread(runStats.map((run) => run.peakRssBytes / 2 ** 20)).median,
        };
    });
}

/** The prod stack with 2, 20 and 100 tenants (synthetic ones added to its own), interleaved by count. */
async function benchTenants(runs: number, scratch: string): Promise<TenantRow[]> {
    const configs = new Map(TENANT_COUNTS.map((count) => [count, writeTenantStack(scratch, count)]));
    const stats = (count: number, round: number) => join(scratch, `tenants-${count}-${round}.stats.json`);
    const times = await interleaved(
        runs,
        Object.fromEntries(
            TENANT_COUNTS.map((count) => [
                `${count} tenants`,
                (round: number) => timedNpmRun("plan", [SYNTHETIC_BASE_STACK, "--config", configs.get(count)!, "--quiet", "--stats", stats(count, round)]),
            ]),
        ),
        progress,
    );
    return TENANT_COUNTS.map((count) => {
        const runStats = Array.from({ length: runs }, (_, round) => readStats(stats(count, round)));
        return {
            count,
            resources: runStats[0]!.resources,
            wallMs: spread(times[`${count} tenants`]!),
            auditMs: spread(runStats.map((run) => run.auditMs)).median,
            rssMb: spread(runStats.map((run) => run.peakRssBytes / 2 ** 20)).median,
        };
    });
}

/** `--help` through npm and node itself, interleaved; the ratios are taken against `node -e 0`. */
async function benchStartup(runs: number): Promise<{ node: number[]; help: number[] }> {
    return interleaved(runs, { node: () => timedProcess(process.execPath, ["-e", "0"]), help: () => timedNpmRun("plan", ["--help"]) }, progress);
}

/** The tagged images of the mirror stack's inventory (digest-pinned ones cannot be published as synthetic images under their digest). */
function inventoryImages(): string[] {
    const inventory = JSON.parse(npmRunOutput("images", [MIRROR_STACK, "--json"])) as { images: { image: string; tag?: string; digest?: string }[] };
    return inventory.images.filter((image) => image.tag !== undefined && image.digest === undefined).map((image) => image.image);
}

function manifestsForBundle(scratch: string): string {
    const shared = process.env[MANIFESTS_DIR_ENV];
    if (shared && existsSync(shared)) return shared;
    const directory = join(scratch, "manifests");
    mkdirSync(directory);
    writeFileSync(join(directory, "kubeflow.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n");
    return directory;
}

export async function benchCommand(options: BenchOptions): Promise<void> {
    if (options.baselineObjects) {
        console.log(`${(await registerThroughConfigGroup(options.baselineObjects)).length} resources`);
        return;
    }
    if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs must be a positive integer, not ${options.runs}`);
    const sections = (options.sections ?? SECTIONS.join(",")).split(",").map((section) => section.trim());
    const unknown = sections.filter((section) => !SECTIONS.includes(section));
    if (unknown.length > 0) throw new Error(`--sections takes ${SECTIONS.join(", ")}, not ${unknown.join(", ")}`);
    const scratch = mkdtempSync(join(tmpdir(), "kfstack-bench-"));
    const report: BenchReport = { runs: options.runs };
    try {
        let startup: { node: number[]; help: number[] } | undefined;
        if (sections.includes("startup") || sections.includes("mirror")) startup = await benchStartup(options.runs);
        if (sections.includes("plan")) report.plan = await benchPlans(options.stacks.split(","), options.runs, scratch);
        if (sections.includes("tenants")) report.tenants = await benchTenants(options.runs, scratch);
        if (sections.includes("mirror")) {
            const unavailable = mirrorBenchUnavailable();
            if (unavailable) report.mirrorSkipped = unavailable;
            else {
                const images = inventoryImages();
                const mirror = await benchMirror({ runs: options.runs, images, manifestsDir: manifestsForBundle(scratch), parallel: 4, progress });
                report.mirror = {
                    ...mirror,
                    bundleRatio: mirror.bundle.median / mirror.rawCopy.median,
                    noopWallMs: mirror.bundleNoop.median,
                    pushRatio: mirror.push.median / mirror.rawPush.median,
                };
            }
        }
        if (startup) {
            const node = spread(startup.node);
            const rows: Omit<StartupRow, "ratio">[] = [
                { command: "node -e 0", wallMs: node },
                { command: "npm run plan -- --help", wallMs: spread(startup.help) },
                ...(report.mirror ? [{ command: "npm run mirror -- bundle (nothing to do)", wallMs: report.mirror.bundleNoop }] : []),
            ];
            report.startup = rows.map((row) => ({ ...row, ratio: row.wallMs.median / node.median }));
        }
        if (sections.includes("runner")) report.runner = await benchRunner(options.runs);
    } finally {
        rmSync(scratch, { recursive: true, force: true });
        process.stderr.write("\n");
    }
    printReport(report);
    if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
}
