import { describe, expect, it } from "vitest";
import { containerResources } from "../../policies/workloads/mem-01-container-resources";
import { WORKLOAD_KINDS, changed, kindsNamedIn, messagesOf, podCarriers, record } from "./fixtures";

const deployment = () => podCarriers().find((carrier) => carrier.type === "kubernetes:apps/v1:Deployment")!;

describe("MEM-01 container resources", () => {
    it("accepts every pod-template carrier whose containers set memory limits and requests and cpu requests", async () => {
        expect(await messagesOf(containerResources, podCarriers())).toEqual([]);
    });

    it.each([
        [["limits", "memory"], "memory limit", "resources.limits.memory"],
        [["requests", "memory"], "memory request", "resources.requests.memory"],
        [["requests", "cpu"], "cpu request", "resources.requests.cpu"],
    ])("rejects a container without its %s", async (path, label, field) => {
        const bad = changed(deployment(), ["props", "spec", "template", "spec", "containers", 0, "resources", ...path], undefined);
        expect(await messagesOf(containerResources, [bad])).toEqual([`Container "app" in Deployment "team-a/deployment" has no ${label}; set ${field}.`]);
    });

    it("names every missing field of a container without resources, init containers included", async () => {
        const bad = changed(deployment(), ["props", "spec", "template", "spec", "initContainers", 0, "resources"], undefined);
        expect(await messagesOf(containerResources, [bad])).toEqual([
            'Init container "setup" in Deployment "team-a/deployment" has no memory limit, memory request and cpu request; set resources.limits.memory, resources.requests.memory and resources.requests.cpu.',
        ]);
    });

    it("finds the containers of every carrier: Pod, workloads, CronJob, PyTorchJob replicas and InferenceService predictors", async () => {
        const bad = podCarriers().map((carrier) => {
            const text = JSON.stringify(carrier).replaceAll('"limits":{"memory":"1Gi"}', '"limits":{}');
            return JSON.parse(text) as typeof carrier;
        });
        const messages = await messagesOf(containerResources, bad);
        expect(kindsNamedIn(messages)).toEqual([
            ...WORKLOAD_KINDS.flatMap((kind) => [kind, kind]),
            "PyTorchJob",
            "PyTorchJob",
            "PyTorchJob",
            "PyTorchJob",
            "InferenceService",
        ]);
    });

    it("leaves resources that carry no pods alone", async () => {
        expect(
            await messagesOf(containerResources, [record("kubernetes:core/v1:ConfigMap", { metadata: { name: "c", namespace: "team-a" }, data: {} })]),
        ).toEqual([]);
    });

    it("can be disabled or made advisory through the pack config", async () => {
        const bad = changed(deployment(), ["props", "spec", "template", "spec", "containers", 0, "resources"], undefined);
        expect(await messagesOf(containerResources, [bad], { "mem-01-container-resources": "disabled" })).toEqual([]);
    });
});
