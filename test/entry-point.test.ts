// index.ts is what `pulumi up` runs: it must be the very program the offline
// plan runs, so a refactoring cannot leave the two paths apart.
import { plannableStackSettings } from "../engine/unset-secrets";
import { describe, expect, it } from "vitest";
import entryPoint from "../index";
import { runOffline } from "../engine/offline";
import { plannedStack } from "./planned-stacks";
import { skipWithoutFixtures } from "./requirements";

describe("index.ts", () => {
    it.skipIf(skipWithoutFixtures("the entry-point test"))(
        "registers exactly the resources, parents, dependencies and inputs the offline plan of the prod stack records",
        async () => {
            const run = await runOffline(entryPoint, plannableStackSettings("prod"));
            const plan = await plannedStack("prod");
            expect(run.resources.map(({ custom: _custom, ...resource }) => resource)).toEqual(plan.resources);
            expect(run.outputs).toEqual(plan.outputs);
        },
    );

    it.skipIf(skipWithoutFixtures("the entry-point test"))(
        "reads and registers exactly what the offline plan of the onprem stack records, its reads of the cluster included",
        async () => {
            const run = await runOffline(entryPoint, plannableStackSettings("onprem"));
            const plan = await plannedStack("onprem");
            expect(run.resources.map(({ custom: _custom, ...resource }) => resource)).toEqual(plan.resources);
            expect(run.resources.filter((resource) => resource.read).map((resource) => resource.read!.id)).toEqual([
                "ceph-rbd",
                "cephfs",
                "kube-system/calico-node",
                "metallb-system/controller",
            ]);
        },
    );
});
