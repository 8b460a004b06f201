import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { memoryLimitRange } from "../../policies/workloads/mem-02-memory-limit-range";
import { changed, messagesOf, record, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { CONTAINER, MASTER_SPEC, carrierOf, clusterFactsRecord, generalPool, gpuJob, workloadCarriers } from "./fixtures-workloads";

const facts = () => clusterFactsRecord();
const deployment = (limit: unknown) => changed(carrierOf("Deployment"), [...CONTAINER, "resources", "limits", "memory"], limit);
const pytorchJob = (limit: unknown) =>
    changed(
        carrierOf("PyTorchJob"),
        ["props", "spec", "pytorchReplicaSpecs", "Worker", "template", "spec", "containers", 0, "resources", "limits", "memory"],
        limit,
    );
const gpuLimit = (limit: unknown) => changed(gpuJob(), [...MASTER_SPEC, "containers", 0, "resources", "limits", "memory"], limit);

function notebook(limit: string) {
    return record("kubernetes:kubeflow.org/v1:Notebook", {
        apiVersion: "kubeflow.org/v1",
        kind: "Notebook",
        metadata: { name: "scratch", namespace: "team-a" },
        spec: {
            template: {
                spec: {
                    containers: [
                        {
                            name: "scratch",
                            image: "kubeflownotebookswg/jupyter-scipy:v1.8.0",
                            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: limit } },
                        },
                    ],
                },
            },
        },
    });
}

const belowFloor = (what: string, limit: string, floor: string, label: string) =>
    `${what} has memory limit ${limit}, below the ${floor} floor for ${label}; raise resources.limits.memory to at least ${floor}.`;
const APP = 'Container "app" in Deployment "team-a/deployment"';
const GENERAL =
    'a node of pool "general" (m6id.8xlarge, 128Gi less a 12.8Gi system reserve) gives a pod; lower resources.limits.memory to at most 115.2Gi or add a larger node pool.';

describe("MEM-02 memory limit range", () => {
    it("accepts every carrier and a GPU job whose limits lie between their class floor and their node ceiling", async () => {
        expect(await messagesOf(memoryLimitRange, [facts(), gpuJob(), notebook("2Gi"), ...workloadCarriers()])).toEqual([]);
    });

    it("rejects a platform limit below the 64Mi floor, reported on the workload", async () => {
        const bad = deployment("32Mi");
        expect(await violationsOf(memoryLimitRange, [facts(), bad])).toEqual([
            mandatoryViolation({ policy: "mem-02-memory-limit-range", id: "MEM-02" }, bad, belowFloor(APP, "32Mi", "64Mi", "platform workloads")),
        ]);
    });

    it.each([["64Mi"], ["65536Ki"], ["67108864"], ["0.0625Gi"], [67108864]])("compares quantities by value: %j is the 64Mi floor", async (limit) => {
        expect(await messagesOf(memoryLimitRange, [facts(), deployment(limit)])).toEqual([]);
    });

    it.each([
        ["64M", "64M"],
        ["67108863", "67108863"],
        ["512m", "512m"],
    ])("rejects %s, which is below 64Mi by value", async (limit, shown) => {
        expect(await messagesOf(memoryLimitRange, [facts(), deployment(limit)])).toEqual([belowFloor(APP, shown, "64Mi", "platform workloads")]);
    });

    it("rejects a training job below the 2Gi floor, and accepts 2048Mi and 2147483648", async () => {
        expect(await messagesOf(memoryLimitRange, [facts(), pytorchJob("2G")])).toEqual([
            belowFloor('Container "app" in PyTorchJob "team-a/pytorchjob"', "2G", "2Gi", "training jobs"),
        ]);
        expect(
            await messagesOf(memoryLimitRange, [facts(), pytorchJob("2048Mi"), changed(pytorchJob("2147483648"), ["props", "metadata", "name"], "other")]),
        ).toEqual([]);
    });

    it("rejects a notebook below the 1Gi floor", async () => {
        expect(await messagesOf(memoryLimitRange, [facts(), notebook("512Mi")])).toEqual([
            belowFloor('Container "scratch" in Notebook "team-a/scratch"', "512Mi", "1Gi", "notebooks"),
        ]);
    });

    it("rejects a model server below the 512Mi floor", async () => {
        const isvc = changed(carrierOf("InferenceService"), ["props", "spec", "predictor", "containers", 0, "resources", "limits", "memory"], "256Mi");
        expect(await messagesOf(memoryLimitRange, [facts(), isvc])).toEqual([
            belowFloor('Container "kserve-container" in InferenceService "team-a/inferenceservice"', "256Mi", "512Mi", "model servers"),
        ]);
    });

    it("rejects a limit above what the largest general node gives a pod, and accepts one just below", async () => {
        expect(await messagesOf(memoryLimitRange, [facts(), deployment("116Gi")])).toEqual([`${APP} has memory limit 116Gi, above the 115.2Gi ${GENERAL}`]);
        expect(await messagesOf(memoryLimitRange, [facts(), deployment("115Gi")])).toEqual([]);
    });

    it("gives a CPU pod the general nodes' ceiling even when the GPU nodes are larger", async () => {
        expect(await messagesOf(memoryLimitRange, [facts(), deployment("200Gi")])).toEqual([`${APP} has memory limit 200Gi, above the 115.2Gi ${GENERAL}`]);
    });

    it("gives a pod that requests GPUs the GPU nodes' ceiling", async () => {
        expect(await messagesOf(memoryLimitRange, [facts(), gpuLimit("1000Gi")])).toEqual([]);
        expect(await messagesOf(memoryLimitRange, [facts(), gpuLimit("1.5Ti")])).toEqual([
            'Container "pytorch" in PyTorchJob "team-a/bert" has memory limit 1.5Ti, above the 1036.8Gi a node of pool "gpu" (p4d.24xlarge, 1152Gi less a 115.2Gi system reserve) gives a pod; lower resources.limits.memory to at most 1036.8Gi or add a larger node pool.',
        ]);
    });

    it("keeps at least the minimum reserve on a small node", async () => {
        const small = clusterFactsRecord([generalPool(8, "m6i.large")]);
        expect(await messagesOf(memoryLimitRange, [small, deployment("7.5Gi")])).toEqual([
            `${APP} has memory limit 7.5Gi, above the 7Gi a node of pool "general" (m6i.large, 8Gi less a 1Gi system reserve) gives a pod; lower resources.limits.memory to at most 7Gi or add a larger node pool.`,
        ]);
    });

    it("checks only the floor when the stack has no cluster facts", async () => {
        expect(await messagesOf(memoryLimitRange, [deployment("10Ti"), pytorchJob("1Gi")])).toEqual([
            belowFloor('Container "app" in PyTorchJob "team-a/pytorchjob"', "1Gi", "2Gi", "training jobs"),
        ]);
    });

    it("rejects a limit that is not a Kubernetes quantity, and leaves a missing limit to MEM-01", async () => {
        expect(
            await messagesOf(memoryLimitRange, [facts(), deployment("2GB"), changed(deployment(undefined), ["props", "metadata", "name"], "nolimit")]),
        ).toEqual([`${APP} has memory limit "2GB", which is not a Kubernetes quantity; write it as 2Gi, 512Mi or a number of bytes.`]);
    });

    it("takes floors and the reserve from the policy config", async () => {
        const config = { "mem-02-memory-limit-range": { platformFloor: "128Mi", trainingFloor: "8Gi", reserveFraction: 0.05 } };
        expect(
            await messagesOf(
                memoryLimitRange,
                [facts(), deployment("100Mi"), pytorchJob("4Gi"), changed(deployment("120Gi"), ["props", "metadata", "name"], "big")],
                config,
            ),
        ).toEqual([
            belowFloor(APP, "100Mi", "128Mi", "platform workloads"),
            belowFloor('Container "app" in PyTorchJob "team-a/pytorchjob"', "4Gi", "8Gi", "training jobs"),
            belowFloor('Init container "setup" in PyTorchJob "team-a/pytorchjob"', "4Gi", "8Gi", "training jobs"),
        ]);
    });

    it("is undecided for the stack, not failed, when a memory limit is unknown during preview", async () => {
        expect(await undecidedOf(memoryLimitRange, [facts(), deployment(Unknown.instance)])).toEqual([
            {
                policy: "mem-02-memory-limit-range",
                resource: "stack",
                reason: "string value at .spec.template.spec.containers.0.resources.limits.memory can't be known during preview",
            },
        ]);
    });
});
