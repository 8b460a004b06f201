// Plans shared by the test files of one `npm test` run: the first file that
// asks for a stack plans it and writes it to the run's cache directory (made
// by test/global-setup.ts); every other file, in any worker, reads it from
// there. Each call decodes a fresh copy, so a file may change what it gets.
// Files that plan with other manifests or a policy config call planStack.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";
import { type Plan, planStack } from "../engine/plan";
import { stackFixture } from "./helpers";
import { decodePlanValue, encodePlanValue } from "./plan-codec";

/** The shipped stacks (Pulumi.<name>.yaml) and the test-only stacks of test/stacks/ that several files plan. */
export type SharedStack =
    "dev" | "prod" | "gke-dev" | "onprem" | "airgap" | "govcloud-airgap" | "gke-prod" | "prod-minio" | "prod-kubeflow-1.9.1" | "airgap-kubeflow-1.9.1";

/** Every Pulumi.<name>.yaml the repository ships; test/planned-stacks.test.ts holds it to the files. */
export const SHIPPED_STACKS = ["dev", "prod", "gke-dev", "onprem", "airgap", "govcloud-airgap"] as const satisfies readonly SharedStack[];
export type ShippedStack = (typeof SHIPPED_STACKS)[number];

const FIXTURE_STACKS: ReadonlySet<SharedStack> = new Set(["gke-prod"]);

/**
 * Test-only variants of shipped stacks, each one setting changed. prod-minio: prod with its data plane in the cluster
 * (MinIO and MySQL), which an AWS production stack may choose; the attacks on per-tenant MinIO keys run on it.
 * prod-kubeflow-1.9.1, airgap-kubeflow-1.9.1: prod and airgap on the second release.
 */
const VARIANTS: Partial<Record<SharedStack, { stack: string; overrides: Record<string, string> }>> = {
    "prod-minio": { stack: "prod", overrides: { "dataPlane.objectStore": "minio", "dataPlane.database": "in-cluster" } },
    "prod-kubeflow-1.9.1": { stack: "prod", overrides: { "kubeflow.release": "kubeflow-1.9.1" } },
    "airgap-kubeflow-1.9.1": { stack: "airgap", overrides: { "kubeflow.release": "kubeflow-1.9.1" } },
};

function freshPlan(stack: SharedStack): Promise<Plan> {
    const variant = VARIANTS[stack];
    if (variant) return planStack(variant.stack, { overrides: variant.overrides });
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
