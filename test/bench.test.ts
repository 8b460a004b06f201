// The benchmark's baselines do the work they stand for, and its report has the shape --json promises.
// Its numbers are measured by `npm run bench`, never asserted here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../cli/bench-report";
import { kubernetesObjectsOf, registerThroughConfigGroup } from "../engine/bench/plan-baseline";
import { projectDirectory } from "../engine/stack-file";
import { plannedStack } from "./planned-stacks";

const scratch = mkdtempSync(join(tmpdir(), "kfstack-bench-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const countBy = (types: string[]) => Object.fromEntries([...new Set(types)].sort().map((type) => [type, types.filter((other) => other === type).length]));

describe("the plan's baseline", () => {
    it("registers every Kubernetes object of the dev plan, each as its own resource of the same type, through one ConfigGroup", async () => {
        const plan = await plannedStack("dev");
        const objects = kubernetesObjectsOf(plan);
        const planned = plan.resources.filter((resource) => /^kubernetes:[^:]+\/[^:]+:[A-Z]/.test(resource.type));
        expect(objects).toHaveLength(planned.length);
        expect(objects.length).toBeGreaterThan(700);
        const file = join(scratch, "dev.objects.json");
        writeFileSync(file, JSON.stringify(objects));
        const registered = await registerThroughConfigGroup(file);
        expect(registered.filter((resource) => resource.type === "kubernetes:yaml:ConfigGroup")).toHaveLength(1);
        const kinds = (resources: { type: string }[]) =>
            countBy(resources.map((resource) => resource.type).filter((type) => /^kubernetes:[^:]+\/[^:]+:[A-Z]/.test(type)));
        expect(kinds(registered)).toEqual(kinds(planned));
    });
});

describe("npm run bench -- --json", () => {
    it("writes each start-up command with its wall times and its ratio over node itself", () => {
        const file = join(scratch, "bench.json");
        const run = spawnSync(process.execPath, ["cli/run.mjs", "bench", "--sections", "startup", "--runs", "2", "--json", file], {
            cwd: projectDirectory(),
            encoding: "utf8",
        });
        expect(run.stderr).not.toContain("kfstack:");
        expect(run.status).toBe(0);
        const report = JSON.parse(readFileSync(file, "utf8")) as BenchReport;
        expect(report.runs).toBe(2);
        const startup = report.startup!;
        expect(startup.map((row) => row.command)).toEqual(["node -e 0", "npm run plan -- --help"]);
        for (const row of startup) {
            expect(row.wallMs.min).toBeLessThanOrEqual(row.wallMs.median);
            expect(row.wallMs.median).toBeLessThanOrEqual(row.wallMs.max);
            expect(row.ratio).toBeCloseTo(row.wallMs.median / startup[0]!.wallMs.median, 5);
        }
        expect(run.stdout).toContain("| npm run plan -- --help |");
    });
});
