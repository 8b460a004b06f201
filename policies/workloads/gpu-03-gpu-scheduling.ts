// GPU-03: a pod that requests nvidia.com/gpu tolerates the GPU nodes' taint
// and selects a GPU model; a pod that requests none does not tolerate it.
import { exemptionsOf } from "../lib/exemptions";
import { resourcePolicy } from "../lib/policy";
import { GPU_TAINT_TEXT, gpuCount, gpuToleration, podContainers, reportingOnce, selectsGpuModel, workloadOf } from "./pods";
import { GPU_PRODUCT_LABEL, GPU_TAINT, GPU_RESOURCE } from "../../core/gpu";

const TOLERATION = `{key: ${GPU_TAINT.key}, operator: Exists, effect: ${GPU_TAINT.effect}}`;

function describeToleration(toleration: Record<string, unknown>): string {
    const parts = ["key", "operator", "value", "effect"]
        .filter((field) => typeof toleration[field] === "string")
        .map((field) => `${field}: ${String(toleration[field])}`);
    return `{${parts.join(", ")}}`;
}

export const gpuScheduling = resourcePolicy({
    id: "GPU-03",
    slug: "gpu-scheduling",
    description: `Pods that request ${GPU_RESOURCE} (requests or limits) tolerate the GPU taint ${GPU_TAINT_TEXT} and select a GPU model (nodeSelector or required node affinity on ${GPU_PRODUCT_LABEL}); pods that request no GPU do not tolerate the taint.`,
    reason: "A GPU pod without the toleration never schedules; one without a model lands on whichever GPU frees first and fails on a card with too little memory or the wrong CUDA capability; a CPU pod that tolerates the taint fills a GPU node and keeps it (and its 8 GPUs) from scaling down.",
    remediation: `For GPU pods add tolerations: [${TOLERATION}] and nodeSelector {${GPU_PRODUCT_LABEL}: <product, e.g. NVIDIA-A100-SXM4-40GB>}; remove the toleration from pods that request no GPU (node agents that must run on GPU nodes are listed in policies/lib/exemptions.ts).`,
    validateResource: (args, reportViolation) => {
        const workload = workloadOf(args);
        if (!workload) return;
        const { kind, templates, what } = workload;
        const report = reportingOnce(reportViolation);
        for (const { spec } of templates) {
            const requesting = podContainers(spec).find((container) => gpuCount(container) > 0);
            const toleration = gpuToleration(spec);
            if (requesting) {
                const subject = `Container "${requesting.name}" in ${what} requests ${gpuCount(requesting)} ${GPU_RESOURCE}`;
                if (!toleration)
                    report(
                        `${subject}, but its pod does not tolerate the GPU taint ${GPU_TAINT_TEXT} and will never schedule; add tolerations: [${TOLERATION}].`,
                    );
                if (!selectsGpuModel(spec)) {
                    report(
                        `${subject}, but its pod selects no GPU model; set nodeSelector {${GPU_PRODUCT_LABEL}: <product, e.g. NVIDIA-A100-SXM4-40GB>} or a required node affinity on ${GPU_PRODUCT_LABEL}.`,
                    );
                }
            } else if (toleration && exemptionsOf("GPU-03", kind, args.props).length === 0) {
                report(
                    `${what} requests no ${GPU_RESOURCE} but tolerates the GPU taint ${GPU_TAINT_TEXT} with ${describeToleration(toleration)}; remove that toleration so it cannot take a GPU node.`,
                );
            }
        }
    },
});
