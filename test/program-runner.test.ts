// The program under the Pulumi SDK's own runner, started as `pulumi preview`
// starts it with the project's Pulumi.yaml runtime options (engine/runner.ts),
// against a minimal engine over real gRPC (engine/runner-monitor.ts). It must
// register exactly what the offline plan records: URNs, types, names, parents,
// dependencies, providers, inputs and the stack's outputs. So an SDK upgrade,
// a runtime option or a difference between the mocks and the wire that changes
// what the program does cannot pass unnoticed.
import { plannableStackSettings } from "../engine/unset-secrets";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { platformProgram } from "../components/platform";
import { runOffline } from "../engine/offline";
import type { PlannedResource } from "../engine/preview-record";
import { type RunnerRun, runUnderRunner } from "../engine/runner";
import { projectDirectory } from "../engine/stack-file";
import { type SharedStack, plannedStack } from "./planned-stacks";
import { skipWithoutFixtures } from "./requirements";

/** A whole stack under the runner takes 20–60 s on two busy cores. */
const RUNNER_TIMEOUT = 300_000;

const runs = new Map<string, Promise<RunnerRun>>();
/** Each stack runs under the runner once per file. */
function runnerRun(stack: SharedStack): Promise<RunnerRun> {
    if (!runs.has(stack)) runs.set(stack, runUnderRunner(plannableStackSettings(stack), projectDirectory()));
    return runs.get(stack)!;
}

const withoutCustom = (resources: PlannedResource[]) => resources.map(({ custom: _custom, ...resource }) => resource);
/** Over gRPC, registrations reach the engine in the order their requests finish serializing; the engine orders by dependencies, not arrival. */
const byUrn = <T extends { urn: string }>(resources: T[]) => [...resources].sort((a, b) => a.urn.localeCompare(b.urn));

/** The URNs recorded differently (or only once) by the two records, in the runner's order, then the plan's. */
function differingUrns(runner: Omit<PlannedResource, "custom">[], plan: Omit<PlannedResource, "custom">[]): string[] {
    const planned = new Map(plan.map((resource) => [resource.urn, resource]));
    const registered = new Set(runner.map((resource) => resource.urn));
    return [
        ...runner.filter((resource) => !isDeepStrictEqual(resource, planned.get(resource.urn))).map((resource) => resource.urn),
        ...plan.filter((resource) => !registered.has(resource.urn)).map((resource) => resource.urn),
    ];
}

describe("the program under Pulumi's runner", () => {
    // dev and prod (onprem's reads of the cluster are compared with the plan offline, in test/entry-point.test.ts).
    for (const stack of ["dev", "prod"] as const) {
        it.skipIf(skipWithoutFixtures("the runner test"))(
            `registers for ${stack} exactly the resources, parents, dependencies, providers, inputs and outputs the offline plan records`,
            async () => {
                const [run, plan] = await Promise.all([runnerRun(stack), plannedStack(stack)]);
                expect(differingUrns(withoutCustom(run.resources), plan.resources)).toEqual([]);
                expect(byUrn(withoutCustom(run.resources))).toEqual(byUrn(plan.resources));
                expect(run.outputs).toEqual(plan.outputs);
                expect(run.logs.filter((log) => log.severity === "warning" || log.severity === "error")).toEqual([]);
            },
            RUNNER_TIMEOUT,
        );
    }

    it.skipIf(skipWithoutFixtures("the runner test"))(
        "tells a different stack apart: the dev run differs from a plan of dev with other private-endpoint CIDRs in exactly the API security group",
        async () => {
            const settings = plannableStackSettings("dev");
            const privateEndpoint = JSON.stringify({ enabled: true, allowedCidrs: ["10.1.0.0/16"] });
            const [run, other] = await Promise.all([
                runnerRun("dev"),
                runOffline(platformProgram(), { ...settings, config: { ...settings.config, "kfstack:privateEndpoint": privateEndpoint } }),
            ]);
            expect(differingUrns(withoutCustom(run.resources), withoutCustom(other.resources))).toEqual([
                "urn:pulumi:dev::kfstack::kfstack:cluster:EksCluster$aws:ec2/securityGroup:SecurityGroup::kfstack-dev-api",
            ]);
            expect(byUrn(withoutCustom(run.resources))).not.toEqual(byUrn(withoutCustom(other.resources)));
        },
        RUNNER_TIMEOUT,
    );
});
