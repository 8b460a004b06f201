// GPU-01: GPU nodes carry the nvidia.com/gpu NoSchedule taint.
import { resourcePolicy } from "../lib/policy";
import { NO_SCHEDULE, eksNodeGroupGpus, gkeAccelerators, gkeNodeConfig, taintsOf } from "./gpu-nodes";
import { GPU_TAINT } from "../../core/gpu";
import { EKS_NODE_GROUP, GKE_NODE_POOL, describeCloudResource, quoted } from "./resources";
import { listOf } from "../../core/text";

export const gpuTaint = resourcePolicy({
    id: "GPU-01",
    slug: "gpu-taint",
    description: `Every EKS node group and GKE node pool with NVIDIA GPUs carries the taint ${GPU_TAINT.key} with effect NoSchedule.`,
    reason: "Without the taint the scheduler places ordinary pods (web apps, controllers, notebooks without GPUs) on GPU nodes: they take the CPU and memory GPU jobs need, and keep an expensive pool from scaling down.",
    remediation: `Add the taint { key: "${GPU_TAINT.key}", value: "present", effect: "${NO_SCHEDULE}" } to the node group (taints) or node pool (nodeConfig.taints); GPU workloads tolerate it.`,
    validateResource: (args, reportViolation) => {
        let evidence: string | undefined;
        let field: string;
        let taints: ReturnType<typeof taintsOf>;
        if (args.type === EKS_NODE_GROUP) {
            evidence = eksNodeGroupGpus(args.props)?.evidence;
            field = "taints";
            taints = taintsOf(args.props);
        } else if (args.type === GKE_NODE_POOL) {
            const nodeConfig = gkeNodeConfig(args.props);
            const accelerators = gkeAccelerators(nodeConfig);
            evidence = accelerators.length ? [...new Set(accelerators.map((accelerator) => accelerator.type))].join(", ") : undefined;
            field = "nodeConfig.taints";
            taints = taintsOf(nodeConfig);
        } else {
            return;
        }
        if (evidence === undefined) return;
        const gpuTaints = taints.filter((taint) => taint.key === GPU_TAINT.key);
        if (gpuTaints.some((taint) => taint.effect === NO_SCHEDULE)) return;
        const what = describeCloudResource(args.type, args.name);
        const add = `{ key: "${GPU_TAINT.key}", value: "present", effect: "${NO_SCHEDULE}" }`;
        if (gpuTaints.length === 0) {
            reportViolation(
                `${what} runs GPUs (${evidence}) without the ${GPU_TAINT.key} NoSchedule taint, so any pod can land on it; add ${add} to ${field}.`,
            );
        } else {
            reportViolation(
                `${what} runs GPUs (${evidence}) and taints ${GPU_TAINT.key} with effect ${listOf(gpuTaints.map((taint) => quoted(taint.effect)))}, not ${NO_SCHEDULE}; set the taint's effect to "${NO_SCHEDULE}".`,
            );
        }
    },
});
