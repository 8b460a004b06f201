import { describe, expect, it } from "vitest";
import { gpuTaint } from "../../policies/cloud/gpu-01-gpu-taint";
import { messagesOf, violationsOf, mandatoryViolation } from "./fixtures";
import { changed, eksGpuNodeGroup, eksNodeGroup, gkeGpuNodePool, gkeNodePool, expectAcceptedOutright } from "./fixtures-cloud";

const ADD = '{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }';

describe("GPU-01 GPU taint", () => {
    it("accepts GPU node groups and pools tainted nvidia.com/gpu NoSchedule, and leaves CPU pools alone", async () => {
        await expectAcceptedOutright(gpuTaint, [eksNodeGroup(), eksGpuNodeGroup(), gkeNodePool(), gkeGpuNodePool()]);
    });

    it("rejects an EKS GPU node group without the taint", async () => {
        expect(await violationsOf(gpuTaint, [changed(eksGpuNodeGroup(), ["props", "taints"], [])])).toEqual([
            mandatoryViolation(
                { policy: "gpu-01-gpu-taint", id: "GPU-01" },
                eksGpuNodeGroup(),
                `EKS node group "kfstack-prod-gpu" runs GPUs (p4d.24xlarge) without the nvidia.com/gpu NoSchedule taint, so any pod can land on it; add ${ADD} to taints.`,
            ),
        ]);
    });

    it("knows a GPU node group by its NVIDIA AMI type when the instance family is not in the table", async () => {
        const bad = changed(changed(eksGpuNodeGroup(), ["props", "instanceTypes"], ["g7x.8xlarge"]), ["props", "taints"], undefined);
        expect(await messagesOf(gpuTaint, [bad])).toEqual([
            `EKS node group "kfstack-prod-gpu" runs GPUs (amiType AL2023_x86_64_NVIDIA) without the nvidia.com/gpu NoSchedule taint, so any pod can land on it; add ${ADD} to taints.`,
        ]);
    });

    it("knows a GPU node group by its instance type when it leaves the AMI type to EKS", async () => {
        const bad = changed(changed(eksNodeGroup(), ["props", "amiType"], undefined), ["props", "instanceTypes"], ["g5.12xlarge"]);
        expect(await messagesOf(gpuTaint, [bad])).toEqual([
            `EKS node group "kfstack-prod-general" runs GPUs (g5.12xlarge) without the nvidia.com/gpu NoSchedule taint, so any pod can land on it; add ${ADD} to taints.`,
        ]);
    });

    it("rejects a GPU taint with a weaker effect", async () => {
        const soft = changed(eksGpuNodeGroup(), ["props", "taints", 0, "effect"], "PREFER_NO_SCHEDULE");
        expect(await messagesOf(gpuTaint, [soft])).toEqual([
            'EKS node group "kfstack-prod-gpu" runs GPUs (p4d.24xlarge) and taints nvidia.com/gpu with effect "PREFER_NO_SCHEDULE", not NO_SCHEDULE; set the taint\'s effect to "NO_SCHEDULE".',
        ]);
    });

    it("rejects a taint on another key", async () => {
        const other = changed(eksGpuNodeGroup(), ["props", "taints", 0, "key"], "gpu");
        expect(await messagesOf(gpuTaint, [other])).toEqual([
            `EKS node group "kfstack-prod-gpu" runs GPUs (p4d.24xlarge) without the nvidia.com/gpu NoSchedule taint, so any pod can land on it; add ${ADD} to taints.`,
        ]);
    });

    it("rejects a GKE GPU node pool without the taint", async () => {
        expect(await messagesOf(gpuTaint, [changed(gkeGpuNodePool(), ["props", "nodeConfig", "taints"], undefined)])).toEqual([
            `GKE node pool "kfstack-gke-prod-gpu" runs GPUs (nvidia-tesla-a100) without the nvidia.com/gpu NoSchedule taint, so any pod can land on it; add ${ADD} to nodeConfig.taints.`,
        ]);
    });

    it("knows a GKE GPU pool by a machine type that comes with GPUs", async () => {
        const implicit = changed(changed(gkeNodePool(), ["props", "nodeConfig", "machineType"], "g2-standard-8"), ["props", "nodeConfig", "taints"], []);
        expect(await messagesOf(gpuTaint, [implicit])).toEqual([
            `GKE node pool "kfstack-gke-prod-general" runs GPUs (nvidia-l4) without the nvidia.com/gpu NoSchedule taint, so any pod can land on it; add ${ADD} to nodeConfig.taints.`,
        ]);
    });
});
