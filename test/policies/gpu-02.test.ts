import { describe, expect, it } from "vitest";
import { gpuModel } from "../../policies/cloud/gpu-02-gpu-model";
import { messagesOf, violationsOf, mandatoryViolation } from "./fixtures";
import { changed, eksGpuNodeGroup, eksNodeGroup, gkeGpuNodePool, gkeNodePool, expectAcceptedOutright } from "./fixtures-cloud";

describe("GPU-02 one GPU model per pool", () => {
    it("accepts GPU node groups and pools of one model with its product label, and leaves CPU pools alone", async () => {
        await expectAcceptedOutright(gpuModel, [eksNodeGroup(), eksGpuNodeGroup(), gkeNodePool(), gkeGpuNodePool()]);
    });

    it("accepts several instance types that carry the same GPU model", async () => {
        const a10g = changed(
            changed(eksGpuNodeGroup(), ["props", "instanceTypes"], ["g5.12xlarge", "g5.48xlarge"]),
            ["props", "labels", "nvidia.com/gpu.product"],
            "NVIDIA-A10G",
        );
        expect(await messagesOf(gpuModel, [a10g])).toEqual([]);
    });

    it("rejects an EKS node group that mixes GPU models", async () => {
        const mixed = changed(eksGpuNodeGroup(), ["props", "instanceTypes"], ["p4d.24xlarge", "p5.48xlarge", "g5.48xlarge"]);
        expect(await violationsOf(gpuModel, [mixed])).toEqual([
            mandatoryViolation(
                { policy: "gpu-02-gpu-model", id: "GPU-02" },
                mixed,
                'EKS node group "kfstack-prod-gpu" mixes 3 GPU models (a100-40gb from p4d.24xlarge; h100-80gb from p5.48xlarge; a10g from g5.48xlarge); list instance types of one GPU model in instanceTypes, and make a node group per model.',
            ),
        ]);
    });

    it("tells the A100 40 GB and 80 GB apart", async () => {
        const mixed = changed(eksGpuNodeGroup(), ["props", "instanceTypes"], ["p4d.24xlarge", "p4de.24xlarge"]);
        expect(await messagesOf(gpuModel, [mixed])).toEqual([
            'EKS node group "kfstack-prod-gpu" mixes 2 GPU models (a100-40gb from p4d.24xlarge; a100-80gb from p4de.24xlarge); list instance types of one GPU model in instanceTypes, and make a node group per model.',
        ]);
    });

    it("counts an instance family it does not know as its own model", async () => {
        const mixed = changed(eksGpuNodeGroup(), ["props", "instanceTypes"], ["p4d.24xlarge", "g7x.8xlarge"]);
        expect(await messagesOf(gpuModel, [mixed])).toEqual([
            'EKS node group "kfstack-prod-gpu" mixes 2 GPU models (a100-40gb from p4d.24xlarge; g7x from g7x.8xlarge); list instance types of one GPU model in instanceTypes, and make a node group per model.',
        ]);
    });

    it("rejects an EKS GPU node group without the product label", async () => {
        expect(await messagesOf(gpuModel, [changed(eksGpuNodeGroup(), ["props", "labels", "nvidia.com/gpu.product"], undefined)])).toEqual([
            'EKS node group "kfstack-prod-gpu" runs a100-40gb GPUs without the nvidia.com/gpu.product label, so jobs cannot select the GPU model; set labels["nvidia.com/gpu.product"] to "NVIDIA-A100-SXM4-40GB".',
        ]);
    });

    it("asks for the reported product name when the instance family is not in the table", async () => {
        const unlisted = changed(changed(eksGpuNodeGroup(), ["props", "instanceTypes"], ["g7x.8xlarge"]), ["props", "labels"], {});
        expect(await messagesOf(gpuModel, [unlisted])).toEqual([
            'EKS node group "kfstack-prod-gpu" runs g7x GPUs without the nvidia.com/gpu.product label, so jobs cannot select the GPU model; set labels["nvidia.com/gpu.product"] to the product name NVIDIA GPU feature discovery reports for g7x.',
        ]);
    });

    it("rejects a product label that names another GPU", async () => {
        expect(await messagesOf(gpuModel, [changed(eksGpuNodeGroup(), ["props", "labels", "nvidia.com/gpu.product"], "NVIDIA-H100-80GB-HBM3")])).toEqual([
            'EKS node group "kfstack-prod-gpu" labels its nodes nvidia.com/gpu.product="NVIDIA-H100-80GB-HBM3", but p4d.24xlarge carries NVIDIA-A100-SXM4-40GB; set labels["nvidia.com/gpu.product"] to "NVIDIA-A100-SXM4-40GB".',
        ]);
    });

    it("rejects a GKE node pool with two accelerator types", async () => {
        const mixed = changed(gkeGpuNodePool(), ["props", "nodeConfig", "guestAccelerators", 1], {
            count: 1,
            type: "nvidia-l4",
            gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" },
        });
        expect(await messagesOf(gpuModel, [mixed])).toEqual([
            'GKE node pool "kfstack-gke-prod-gpu" mixes 2 GPU models (a100-40gb from nvidia-tesla-a100; l4 from nvidia-l4); attach one accelerator type in nodeConfig.guestAccelerators, and make a node pool per model.',
        ]);
    });

    it("rejects a GKE GPU node pool without the product label", async () => {
        expect(await messagesOf(gpuModel, [changed(gkeGpuNodePool(), ["props", "nodeConfig", "labels"], { "kfstack.io/pool": "gpu" })])).toEqual([
            'GKE node pool "kfstack-gke-prod-gpu" runs a100-40gb GPUs without the nvidia.com/gpu.product label, so jobs cannot select the GPU model; set nodeConfig.labels["nvidia.com/gpu.product"] to "NVIDIA-A100-SXM4-40GB".',
        ]);
    });
});
