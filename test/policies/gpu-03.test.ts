import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { gpuScheduling } from "../../policies/workloads/gpu-03-gpu-scheduling";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { SKIP_UPSTREAM, MASTER_SPEC, TEMPLATE_SPEC, carrierOf, gpuJob, upstreamObject, workloadCarriers } from "./fixtures-workloads";

const TOLERATION_FIX = "add tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}].";
const MODEL_FIX = "set nodeSelector {nvidia.com/gpu.product: <product, e.g. NVIDIA-A100-SXM4-40GB>} or a required node affinity on nvidia.com/gpu.product.";
const GPU_CONTAINER = [...MASTER_SPEC, "containers", 0];

describe("GPU-03 GPU scheduling", () => {
    it("accepts a GPU job that tolerates the GPU taint and selects a model, and CPU workloads without the toleration", async () => {
        expect(await messagesOf(gpuScheduling, [gpuJob(), ...workloadCarriers()])).toEqual([]);
    });

    it("rejects a GPU pod without the GPU toleration", async () => {
        const bad = changed(gpuJob(), [...MASTER_SPEC, "tolerations"], undefined);
        expect(await violationsOf(gpuScheduling, [bad])).toEqual([
            mandatoryViolation(
                { policy: "gpu-03-gpu-scheduling", id: "GPU-03" },
                bad,
                `Container "pytorch" in PyTorchJob "team-a/bert" requests 8 nvidia.com/gpu, but its pod does not tolerate the GPU taint nvidia.com/gpu=present:NoSchedule and will never schedule; ${TOLERATION_FIX}`,
            ),
        ]);
    });

    it("rejects a GPU pod that selects no GPU model", async () => {
        const bad = changed(gpuJob(), [...MASTER_SPEC, "nodeSelector"], { "kfstack.io/pool": "gpu" });
        expect(await messagesOf(gpuScheduling, [bad])).toEqual([
            `Container "pytorch" in PyTorchJob "team-a/bert" requests 8 nvidia.com/gpu, but its pod selects no GPU model; ${MODEL_FIX}`,
        ]);
    });

    it("counts a GPU limit without a request as a GPU request", async () => {
        const limitOnly = changed(
            changed(gpuJob(), [...GPU_CONTAINER, "resources", "requests", "nvidia.com/gpu"], undefined),
            [...MASTER_SPEC, "tolerations"],
            [],
        );
        expect(await messagesOf(gpuScheduling, [limitOnly])).toEqual([
            `Container "pytorch" in PyTorchJob "team-a/bert" requests 8 nvidia.com/gpu, but its pod does not tolerate the GPU taint nvidia.com/gpu=present:NoSchedule and will never schedule; ${TOLERATION_FIX}`,
        ]);
    });

    it.each([
        ["Equal present", { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }],
        ["the default operator (Equal) and no effect", { key: "nvidia.com/gpu", value: "present" }],
        ["Exists without a key (every taint)", { operator: "Exists" }],
    ])("accepts a GPU toleration written as %s", async (_case, toleration) => {
        expect(await messagesOf(gpuScheduling, [changed(gpuJob(), [...MASTER_SPEC, "tolerations"], [toleration])])).toEqual([]);
    });

    it.each([
        ["another value", { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
        ["another effect", { key: "nvidia.com/gpu", operator: "Exists", effect: "NoExecute" }],
        ["another key", { key: "gpu", operator: "Exists", effect: "NoSchedule" }],
    ])("does not count a toleration with %s", async (_case, toleration) => {
        expect(await messagesOf(gpuScheduling, [changed(gpuJob(), [...MASTER_SPEC, "tolerations"], [toleration])])).toEqual([
            `Container "pytorch" in PyTorchJob "team-a/bert" requests 8 nvidia.com/gpu, but its pod does not tolerate the GPU taint nvidia.com/gpu=present:NoSchedule and will never schedule; ${TOLERATION_FIX}`,
        ]);
    });

    it("accepts a required node affinity on the GPU product", async () => {
        const affinity = {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                        { matchExpressions: [{ key: "nvidia.com/gpu.product", operator: "In", values: ["NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-SXM4-80GB"] }] },
                    ],
                },
            },
        };
        const byAffinity = changed(changed(gpuJob(), [...MASTER_SPEC, "nodeSelector"], undefined), [...MASTER_SPEC, "affinity"], affinity);
        expect(await messagesOf(gpuScheduling, [byAffinity])).toEqual([]);
    });

    it.each([
        [
            "a preferred affinity only",
            {
                nodeAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        { weight: 1, preference: { matchExpressions: [{ key: "nvidia.com/gpu.product", operator: "In", values: ["NVIDIA-A100-SXM4-40GB"] }] } },
                    ],
                },
            },
        ],
        [
            "Exists on the product",
            {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "nvidia.com/gpu.product", operator: "Exists" }] }],
                    },
                },
            },
        ],
        [
            "a second term that allows any node",
            {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [
                            { matchExpressions: [{ key: "nvidia.com/gpu.product", operator: "In", values: ["NVIDIA-A100-SXM4-40GB"] }] },
                            { matchExpressions: [{ key: "kfstack.io/pool", operator: "In", values: ["gpu"] }] },
                        ],
                    },
                },
            },
        ],
    ])("does not take %s for a model selection", async (_case, affinity) => {
        const bad = changed(changed(gpuJob(), [...MASTER_SPEC, "nodeSelector"], undefined), [...MASTER_SPEC, "affinity"], affinity);
        expect(await messagesOf(gpuScheduling, [bad])).toEqual([
            `Container "pytorch" in PyTorchJob "team-a/bert" requests 8 nvidia.com/gpu, but its pod selects no GPU model; ${MODEL_FIX}`,
        ]);
    });

    it("rejects a pod that requests no GPU but tolerates the GPU taint", async () => {
        const bad = changed(carrierOf("Deployment"), [...TEMPLATE_SPEC, "tolerations"], [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(await messagesOf(gpuScheduling, [bad])).toEqual([
            'Deployment "team-a/deployment" requests no nvidia.com/gpu but tolerates the GPU taint nvidia.com/gpu=present:NoSchedule with {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}; remove that toleration so it cannot take a GPU node.',
        ]);
    });

    it("counts a toleration of every taint on a CPU pod, and a GPU request of 0 as none", async () => {
        const wildcard = changed(carrierOf("Deployment"), [...TEMPLATE_SPEC, "tolerations"], [{ operator: "Exists" }]);
        const zero = changed(
            changed(gpuJob(), [...GPU_CONTAINER, "resources"], { requests: { "nvidia.com/gpu": "0" }, limits: { memory: "4Gi" } }),
            [...MASTER_SPEC, "nodeSelector"],
            undefined,
        );
        expect(await messagesOf(gpuScheduling, [wildcard, zero])).toEqual([
            'Deployment "team-a/deployment" requests no nvidia.com/gpu but tolerates the GPU taint nvidia.com/gpu=present:NoSchedule with {operator: Exists}; remove that toleration so it cannot take a GPU node.',
            'PyTorchJob "team-a/bert" requests no nvidia.com/gpu but tolerates the GPU taint nvidia.com/gpu=present:NoSchedule with {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}; remove that toleration so it cannot take a GPU node.',
        ]);
    });

    it("checks a GPU model server: the InferenceService predictor is the pod", async () => {
        const isvc = changed(carrierOf("InferenceService"), ["props", "spec", "predictor", "containers", 0, "resources", "limits", "nvidia.com/gpu"], 1);
        expect(await messagesOf(gpuScheduling, [isvc])).toEqual([
            `Container "kserve-container" in InferenceService "team-a/inferenceservice" requests 1 nvidia.com/gpu, but its pod does not tolerate the GPU taint nvidia.com/gpu=present:NoSchedule and will never schedule; ${TOLERATION_FIX}`,
            `Container "kserve-container" in InferenceService "team-a/inferenceservice" requests 1 nvidia.com/gpu, but its pod selects no GPU model; ${MODEL_FIX}`,
        ]);
    });

    describe.skipIf(SKIP_UPSTREAM)("node agents on the exemption list", () => {
        it("accepts the upstream NVIDIA device plugin, which tolerates the GPU taint to serve the GPU nodes", async () => {
            expect(
                await messagesOf(gpuScheduling, [
                    upstreamObject("nvidia-device-plugin-v0.20.0/nvidia-device-plugin.yml", "DaemonSet", "nvidia-device-plugin-daemonset"),
                ]),
            ).toEqual([]);
        });

        it("accepts the upstream node exporter, which tolerates every taint", async () => {
            expect(
                await messagesOf(gpuScheduling, [upstreamObject("kube-prometheus-v0.16.0/nodeExporter-daemonset.yaml", "DaemonSet", "node-exporter")]),
            ).toEqual([]);
        });

        it("does not exempt a copy of the device plugin under another name", async () => {
            const copy = changed(
                upstreamObject("nvidia-device-plugin-v0.20.0/nvidia-device-plugin.yml", "DaemonSet", "nvidia-device-plugin-daemonset"),
                ["props", "metadata", "name"],
                "gpu-helper",
            );
            expect(await messagesOf(gpuScheduling, [copy])).toEqual([
                'DaemonSet "kube-system/gpu-helper" requests no nvidia.com/gpu but tolerates the GPU taint nvidia.com/gpu=present:NoSchedule with {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}; remove that toleration so it cannot take a GPU node.',
            ]);
        });
    });

    it("is undecided, not failed, when the GPU request is unknown during preview", async () => {
        const unknown = changed(gpuJob(), [...GPU_CONTAINER, "resources", "limits"], Unknown.instance);
        expect((await undecidedOf(gpuScheduling, [unknown])).map((entry) => entry.reason)).toEqual([
            "string value at .spec.pytorchReplicaSpecs.Master.template.spec.containers.0.resources.limits can't be known during preview",
        ]);
    });
});
