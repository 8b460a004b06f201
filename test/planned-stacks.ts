// Plans shared by the test files of one `npm test` run: the first file that
// asks for a stack plans it and writes it to the run's cache directory (made
// by test/global-setup.ts); every other file, in any worker, reads it from
// there. Each call decodes a fresh copy, so a file may change what it gets.
// Files that plan with other manifests or a policy config call planStack.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";
import { parseDocument } from "yaml";
import { type Plan, planStack } from "../engine/plan";
import { projectDirectory } from "../engine/stack-file";
import { stackFixture } from "./helpers";
import { decodePlanValue, encodePlanValue } from "./plan-codec";

/** The shipped stacks (Pulumi.<name>.yaml) and the test-only stacks of test/stacks/ that several files plan. */
export type SharedStack = "dev" | "prod" | "gke-dev" | "onprem" | "airgap" | "govcloud-airgap" | "gke-prod" | "prod-minio";

const FIXTURE_STACKS: ReadonlySet<SharedStack> = new Set(["gke-prod"]);

/**
 * prod with its data plane in the cluster (MinIO and MySQL), which an AWS production stack may choose: the attacks on
 * per-tenant MinIO keys run on it. Written from Pulumi.prod.yaml at each run, so it follows prod.
 */
function prodOnMinio(): string {
    const document = parseDocument(readFileSync(join(projectDirectory(), "Pulumi.prod.yaml"), "utf8"));
    document.setIn(["config", "kfstack:dataPlane"], document.createNode({ objectStore: "minio", database: "in-cluster" }));
    const file = join(mkdtempSync(join(tmpdir(), "kfstack-prod-minio-")), "Pulumi.prod.yaml");
    writeFileSync(file, document.toString());
    return file;
}

function freshPlan(stack: SharedStack): Promise<Plan> {
    if (stack === "prod-minio") return planStack("prod", { configFile: prodOnMinio() });
    return planStack(stack, FIXTURE_STACKS.has(stack) ? { configFile: stackFixture(stack) } : {});
}

/** Plans the stack and leaves its plan, or the error, where waiting files look. */
async function planInto(directory: string, stack: SharedStack): Promise<void> {
    try {
        const plan = await freshPlan(stack);
        // Written under another name and renamed: a reader never sees half a plan.
        writeFileSync(join(directory, `${stack}.partial`), encodePlanValue(plan));
        renameSync(join(directory, `${stack}.partial`), join(directory, `${stack}.json`));
    } catch (error) {
        writeFileSync(join(directory, `${stack}.error`), error instanceof Error ? error.message : String(error));
        throw error;
    }
}

/** Waits for the file planning the stack to finish; fails as it failed. */
async function planOf(directory: string, stack: SharedStack): Promise<Plan> {
    for (;;) {
        if (existsSync(join(directory, `${stack}.json`))) return decodePlanValue(readFileSync(join(directory, `${stack}.json`), "utf8")) as Plan;
        if (existsSync(join(directory, `${stack}.error`)))
            throw new Error(`Planning stack ${stack} failed in another test file: ${readFileSync(join(directory, `${stack}.error`), "utf8")}`);
        await sleep(50);
    }
}

/** Claims the planning of a stack for this file; false when another file has it. */
function claim(directory: string, stack: SharedStack): boolean {
    try {
        closeSync(openSync(join(directory, `${stack}.lock`), "wx"));
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
    }
}

/** The plan of the stack with default options, planned once per test run. */
export async function plannedStack(stack: SharedStack): Promise<Plan> {
    const directory = inject("plannedStacks");
    // The file that plans reads the plan back too, so every file sees the cached plan.
    if (claim(directory, stack)) await planInto(directory, stack);
    return planOf(directory, stack);
}
