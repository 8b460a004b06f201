// `kfstack bench`: plan time and peak memory per stack (Kubeflow included), as
// medians over fresh processes (each run pays module loading like a real
// `npm run plan` does), the air-gap mirror's bundle and push times, and how
// long `pulumi up` waits for the program's first resource under Pulumi's runner.
// Speed is measured here, never asserted in tests.
import { plannableStackSettings } from "../engine/unset-secrets";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFESTS_DIR_ENV } from "../components/manifests/read";
import { benchMirror, mirrorBenchUnavailable } from "../engine/image-transfer/bench";
import { REGISTRY_COMMAND } from "../engine/image-transfer/local-registry";
import { type RunnerRun, type RuntimeOptions, projectRuntime, runUnderRunner } from "../engine/runner";
import { projectDirectory } from "../engine/stack-file";
import { SYNTHETIC_BASE_STACK, writeTenantStack } from "../engine/synthetic-tenants";
import { integer, markdownTable } from "./format";

export interface BenchOptions {
    runs: number;
    stacks: string;
    /** Comma-separated: plan, tenants, mirror, runner. */
    sections?: string;
}

interface RunStats {
    planMs: number;
    policyMs: number;
    auditMs: number;
    wallMs: number;
    peakRssMB: number;
    resources: number;
}

export interface PlanStats {
    planMs: number;
    /** The policy pack alone over the plan. */
    policyMs: number;
    /** The tenancy audit alone over the plan. */
    auditMs: number;
    peakRssBytes: number;
    resources: number;
}

const SECTIONS = ["plan", "tenants", "mirror", "runner"];

/** Tenant counts of the tenant-scaling section: the prod stack's own two, a department, a real organisation. */
const TENANT_COUNTS = [2, 20, 100];

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function runOnce(stack: string, statsFile: string, configFile?: string): RunStats {
    const started = process.hrtime.bigint();
    const config = configFile ? ["--config", configFile] : [];
    const child = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "plan", stack, ...config, "--quiet", "--stats", statsFile], {
        cwd: projectDirectory(),
        encoding: "utf8",
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.status !== 0) throw new Error(`plan of ${stack} failed (exit ${child.status}): ${child.stderr.trim()}`);
    const stats = JSON.parse(readFileSync(statsFile, "utf8")) as PlanStats;
    return {
        planMs: stats.planMs,
        policyMs: stats.policyMs,
        auditMs: stats.auditMs,
        wallMs,
        peakRssMB: stats.peakRssBytes / 2 ** 20,
        resources: stats.resources,
    };
}

export async function benchCommand(options: BenchOptions): Promise<void> {
    if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs must be a positive integer, not ${options.runs}`);
    const sections = (options.sections ?? SECTIONS.join(",")).split(",").map((section) => section.trim());
    const unknown = sections.filter((section) => !SECTIONS.includes(section));
    if (unknown.length > 0) throw new Error(`--sections takes ${SECTIONS.join(", ")}, not ${unknown.join(", ")}`);
    if (sections.includes("plan")) benchPlans(options);
    if (sections.includes("tenants")) benchTenants(options.runs);
    if (sections.includes("mirror")) await benchMirrorSection(options.runs);
    if (sections.includes("runner")) await benchRunner(options.runs);
}

/** The stack the runner section deploys: the smallest shipped AWS stack, as the issue that asked for it measured. */
const RUNNER_STACK = "dev";

/**
 * Time to the first resource under Pulumi's runner (the runner test's engine,
 * engine/runner-monitor.ts), with the deploy path's Pulumi.yaml options against
 * the runner's type-checking ts-node (`typescript: true`), each with a cold
 * compile cache (a fresh TMPDIR, where both ts-node and tsx keep theirs) and a
 * warm one. Each row runs at most three times: a type-checking run is slow.
 */
async function benchRunner(runs: number): Promise<void> {
    const count = Math.min(runs, 3);
    const settings = plannableStackSettings(RUNNER_STACK);
    const variants: [string, RuntimeOptions][] = [
        ["Pulumi.yaml (transpile only)", projectRuntime(projectDirectory()).options],
        ["typescript: true (type-checks)", { typescript: true }],
    ];
    const directory = mkdtempSync(join(tmpdir(), "kfstack-bench-runner-"));
    try {
        const rows: (string | number)[][] = [];
        for (const [label, options] of variants) {
            for (const cache of ["cold", "warm"] as const) {
                const warmCache = join(directory, `${rows.length}-warm`);
                if (cache === "warm") await runUnderRunner(settings, projectDirectory(), { options, env: { TMPDIR: warmCache } });
                const results: RunnerRun[] = [];
                for (let index = 0; index < count; index++) {
                    process.stderr.write(`\rbench runner ${label}, ${cache} cache: run ${index + 1}/${count}   `);
                    const cacheDir = cache === "warm" ? warmCache : join(directory, `${rows.length}-cold-${index}`);
                    results.push(await runUnderRunner(settings, projectDirectory(), { options, env: { TMPDIR: cacheDir } }));
                }
                rows.push([
                    label,
                    cache,
                    median(results.map((run) => run.firstResourceMs)).toFixed(0),
                    median(results.map((run) => run.totalMs)).toFixed(0),
                    count,
                ]);
            }
        }
        process.stderr.write("\n");
        console.log(`\n${markdownTable(["runtime options", "compile cache", "first resource ms (median)", "whole preview ms (median)", "runs"], rows)}`);
        console.log(
            `\nThe ${RUNNER_STACK} stack under @pulumi/pulumi's runner, started as the nodejs language host starts it for \`pulumi preview\`, against the runner test's engine. ` +
                "first resource: from starting node to the program's first registration, what `pulumi up` waits before anything happens; whole preview: until the runner exits. " +
                "A warm cache holds ts-node's output for unchanged files, which it reuses without type-checking them again: a clean checkout, CI and every edited file pay the cold row.",
        );
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}

/** Air-gap mirroring: bundle and push of the synthetic Kubeflow images between two local registries, against a naive skopeo loop. */
async function benchMirrorSection(runs: number): Promise<void> {
    const unavailable = mirrorBenchUnavailable();
    if (unavailable) {
        console.log(`
Mirror section skipped: ${unavailable}.`);
        return;
    }
    const manifestsDir = process.env[MANIFESTS_DIR_ENV] && existsSync(process.env[MANIFESTS_DIR_ENV]) ? process.env[MANIFESTS_DIR_ENV] : undefined;
    const result = await benchMirror({
        runs,
        ...(manifestsDir ? { manifestsDir } : {}),
        onProgress: (line) => process.stderr.write(`\rbench mirror: ${line}   `),
    });
    process.stderr.write("\n");
    const labels: Record<string, string> = {
        bundle: "mirror bundle (parallel 4)",
        "bundle re-run": "mirror bundle re-run, nothing to do (target <= 2,000 ms)",
        "naive copy": "naive: sequential skopeo copy, a directory per image",
        push: "mirror push (parallel 4, verified)",
        "push re-run": "mirror push re-run, nothing to do",
        "naive push": "naive: sequential skopeo copy of each directory",
    };
    console.log(
        `\n${markdownTable(
            ["mirror step", "wall ms (median)", "bytes", "dedup ratio"],
            result.steps.map((step) => [
                labels[step.step] ?? step.step,
                step.ms.toFixed(0),
                step.bytes === undefined ? "-" : integer(step.bytes),
                step.dedupRatio === undefined ? "-" : `${step.dedupRatio.toFixed(2)}x`,
            ]),
        )}`,
    );
    console.log(
        `\n${result.images} synthetic Kubeflow images (OCI and Docker schema 2, an OCI index and a Docker manifest list, most sharing base layers) between two local ${REGISTRY_COMMAND} processes, ${result.runs} runs; ` +
            `each bundle also carries ${result.manifestFiles} manifest files${manifestsDir ? ` (${manifestsDir})` : ""}. bytes: blobs on disk for bundle and naive copy, image bytes sent for the pushes; dedup ratio: the images' summed sizes over those bytes.`,
    );
}

function benchPlans(options: BenchOptions): void {
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
        console.log(
            markdownTable(
                [
                    "stack",
                    "resources",
                    "plan ms (median)",
                    "ms per resource",
                    "policy pack ms (median)",
                    "pack resources/s",
                    "process wall ms (median)",
                    "peak RSS MB (median)",
                    "runs",
                ],
                rows,
            ),
        );
        console.log(
            "\nplan ms: running the program offline and building the plan (the policy pack included); policy pack ms: the pack alone over the plan; process wall ms: the whole `plan` command, module loading included.",
        );
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}

/**
 * Tenant scaling: the prod stack with 2, 20 and 100 tenants (synthetic ones
 * added to its own), each planned in fresh processes. The 100-tenant row
 * runs at most twice, to keep the bench short.
 */
function benchTenants(runs: number): void {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-bench-tenants-"));
    try {
        const rows = TENANT_COUNTS.map((tenants) => {
            const configFile = writeTenantStack(directory, tenants);
            const count = tenants >= 100 ? Math.min(runs, 2) : runs;
            const results = Array.from({ length: count }, (_, index) => {
                process.stderr.write(`\rbench ${tenants} tenants: run ${index + 1}/${count}   `);
                return runOnce(SYNTHETIC_BASE_STACK, join(directory, `tenants-${tenants}-${index}.json`), configFile);
            });
            return [
                tenants,
                results[0]!.resources,
                median(results.map((run) => run.wallMs)).toFixed(0),
                median(results.map((run) => run.planMs)).toFixed(0),
                median(results.map((run) => run.auditMs)).toFixed(0),
                median(results.map((run) => run.peakRssMB)).toFixed(0),
                count,
            ];
        });
        process.stderr.write("\n");
        console.log(
            `\n${markdownTable(["tenants", "resources", "plan wall ms (median)", "plan ms (median)", "audit ms (median)", "peak RSS MB (median)", "runs"], rows)}`,
        );
        console.log(
            `\nThe ${SYNTHETIC_BASE_STACK} stack with its own tenants plus synthetic ones (an owner, an editor and a viewer each). plan wall ms: the whole \`plan\` command; audit ms: the tenancy audit alone over the plan (the plan runs it too). Target: 100 tenants under 15,000 ms and 600 MB.`,
        );
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}
