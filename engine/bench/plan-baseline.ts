// The plan's baseline: a bare Pulumi program that registers the Kubernetes
// objects a stack's plan registers, as they are after kfstack's changes,
// through @pulumi/kubernetes's own `k8s.yaml.ConfigGroup`, under the same
// offline engine, and nothing else: no configuration, cloud resources,
// customization, policy pack or audit. What a plan costs beyond it is kfstack's.
import { readFileSync, writeFileSync } from "node:fs";
import { type PlannedResource, runOffline } from "../offline";
import type { Plan } from "../plan";

/** The Kubernetes objects of a plan: every resource of a `kubernetes:<group>/<version>:<Kind>` type, with its inputs. */
export function kubernetesObjectsOf(plan: Pick<Plan, "resources">): Record<string, unknown>[] {
    return plan.resources
        .filter((resource) => /^kubernetes:[^:]+\/[^:]+:[A-Z]/.test(resource.type))
        .map((resource) => resource.inputs as Record<string, unknown>);
}

/** Writes the Kubernetes objects of the plan JSON in `planFile` to `objectsFile`; returns how many. */
export function writePlanObjects(planFile: string, objectsFile: string): number {
    const objects = kubernetesObjectsOf(JSON.parse(readFileSync(planFile, "utf8")) as Plan);
    writeFileSync(objectsFile, JSON.stringify(objects));
    return objects.length;
}

/** Registers the objects in `objectsFile` through one ConfigGroup under the offline engine; returns what it registered. */
export async function registerThroughConfigGroup(objectsFile: string): Promise<PlannedResource[]> {
    const objects = JSON.parse(readFileSync(objectsFile, "utf8")) as Record<string, unknown>[];
    const k8s = await import("@pulumi/kubernetes");
    const run = await runOffline(
        () => {
            new k8s.yaml.ConfigGroup("baseline", { objs: objects });
            return Promise.resolve({});
        },
        { project: "kfstack-baseline", stack: "baseline", config: {}, secretKeys: [] },
    );
    return run.resources;
}
