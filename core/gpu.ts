// How kfstack marks GPU nodes, and which driver a CUDA release needs: the
// program applies these and the policy pack checks them.

/** kfstack taints every GPU node with this, so only pods that ask for GPUs land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;
/** What NVIDIA GPU feature discovery labels GPU nodes with, e.g. "NVIDIA-A100-SXM4-40GB". */
export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

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
