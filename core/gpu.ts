// How kfstack marks GPU nodes, and which driver a CUDA release needs: the
// program applies these and the policy pack checks them.

/** The extended resource the NVIDIA device plugin advertises, which pods request and quotas cap. */
export const GPU_RESOURCE = "nvidia.com/gpu";

/** kfstack taints every GPU node with this, so only pods that ask for GPUs land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;
/** What NVIDIA GPU feature discovery labels GPU nodes with, e.g. "NVIDIA-A100-SXM4-40GB". */
export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

/**
 * The NVIDIA GPU models kfstack knows, by its model id, with the product name
 * GPU feature discovery reports for each (the driver's device name, spaces as
 * dashes): the machine table and the GPU policies both read it.
 */
export const GPU_PRODUCTS = {
    "v100-16gb": "Tesla-V100-SXM2-16GB",
    "v100-32gb": "Tesla-V100-SXM2-32GB",
    t4: "Tesla-T4",
    t4g: "NVIDIA-T4G",
    l4: "NVIDIA-L4",
    l40s: "NVIDIA-L40S",
    a10g: "NVIDIA-A10G",
    "a100-40gb": "NVIDIA-A100-SXM4-40GB",
    "a100-80gb": "NVIDIA-A100-SXM4-80GB",
    "h100-80gb": "NVIDIA-H100-80GB-HBM3",
    "h100-mega-80gb": "NVIDIA-H100-80GB-HBM3",
    "h200-141gb": "NVIDIA-H200",
} as const;

export type GpuModelId = keyof typeof GPU_PRODUCTS;

// Minimum NVIDIA Linux x86_64 driver for each CUDA toolkit release (GA), from
// the CUDA Toolkit release notes, table "CUDA Toolkit and Corresponding Driver
// Versions": https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/
export const CUDA_MINIMUM_DRIVER: Readonly<Record<string, string>> = {
    "11.8": "520.61.05",
    "12.0": "525.60.13",
    "12.1": "530.30.02",
    "12.2": "535.54.03",
    "12.3": "545.23.06",
    "12.4": "550.54.14",
    "12.5": "555.42.02",
    "12.6": "560.28.03",
    "12.8": "570.26",
};

/** Compares dotted driver versions numerically: "535.104.05" > "535.54.03". */
export function compareDriverVersions(a: string, b: string): number {
    const left = a.split(".").map(Number);
    const right = b.split(".").map(Number);
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
        const diff = (left[i] ?? 0) - (right[i] ?? 0);
        if (diff !== 0) return Math.sign(diff);
    }
    return 0;
}
