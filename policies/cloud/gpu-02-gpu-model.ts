// GPU-02: a GPU node group or pool holds one GPU model and says which, in
// the nvidia.com/gpu.product label.
import { resourcePolicy } from "../lib/policy";
import { GKE_ACCELERATORS, eksNodeGroupGpus, gkeAccelerators, gkeNodeConfig } from "./gpu-nodes";
import { EKS_NODE_GROUP, GKE_NODE_POOL, describeCloudResource } from "./resources";
import { GPU_PRODUCT_LABEL } from "../../core/gpu";
import { listOf } from "../../core/text";
import { recordAt } from "../../core/records";

interface PoolGpus {
    /** Distinct GPU models, each with what brings it ("p4d.24xlarge" or "nvidia-tesla-a100"). */
    models: { model: string; product?: string; sources: string[] }[];
    labels: Record<string, unknown>;
    labelsField: string;
    /** How to split the pool, for the message. */
    fix: string;
}

function distinctModels(entries: { source: string; model: string; product?: string }[]): PoolGpus["models"] {
    const byModel = new Map<string, PoolGpus["models"][number]>();
    for (const { source, model, product } of entries) {
        const known = byModel.get(model) ?? { model, product, sources: [] };
        if (!known.sources.includes(source)) known.sources.push(source);
        byModel.set(model, known);
    }
    return [...byModel.values()];
}

function gpusOf(type: string, props: Record<string, unknown>): PoolGpus | undefined {
    if (type === EKS_NODE_GROUP) {
        const gpus = eksNodeGroupGpus(props);
        if (!gpus) return undefined;
        return {
            models: distinctModels(gpus.instanceTypes.map(({ instanceType, model }) => ({ source: instanceType, ...model }))),
            labels: recordAt(props, "labels"),
            labelsField: "labels",
            fix: "list instance types of one GPU model in instanceTypes, and make a node group per model",
        };
    }
    if (type === GKE_NODE_POOL) {
        const nodeConfig = gkeNodeConfig(props);
        const accelerators = gkeAccelerators(nodeConfig);
        if (accelerators.length === 0) return undefined;
        return {
            models: distinctModels(
                accelerators.map(({ type: accelerator }) => ({ source: accelerator, ...(GKE_ACCELERATORS[accelerator] ?? { model: accelerator }) })),
            ),
            labels: recordAt(nodeConfig, "labels"),
            labelsField: "nodeConfig.labels",
            fix: "attach one accelerator type in nodeConfig.guestAccelerators, and make a node pool per model",
        };
    }
    return undefined;
}

export const gpuModel = resourcePolicy({
    id: "GPU-02",
    slug: "gpu-model",
    description: `Every EKS node group and GKE node pool with GPUs holds one GPU model and labels its nodes with it (${GPU_PRODUCT_LABEL}).`,
    reason: "A job that asks for nvidia.com/gpu gets whichever GPU a mixed pool hands out: distributed training stalls at the pace of the slowest card and runs out of memory on the smallest; without the product label, jobs cannot select the model they were sized for.",
    remediation: `Give each GPU model its own node group or pool, and set the node label ${GPU_PRODUCT_LABEL} to the product name NVIDIA GPU feature discovery reports for it (kfstack sets both from the machine table).`,
    validateResource: (args, reportViolation) => {
        const gpus = gpusOf(args.type, args.props);
        if (!gpus) return;
        const what = describeCloudResource(args.type, args.name);
        if (gpus.models.length > 1) {
            const models = gpus.models.map(({ model, sources }) => `${model} from ${listOf(sources)}`);
            reportViolation(`${what} mixes ${gpus.models.length} GPU models (${models.join("; ")}); ${gpus.fix}.`);
            return;
        }
        const [{ model, product, sources }] = gpus.models as [PoolGpus["models"][number]];
        const label = gpus.labels[GPU_PRODUCT_LABEL];
        const field = `${gpus.labelsField}["${GPU_PRODUCT_LABEL}"]`;
        const wanted = product ? `"${product}"` : `the product name NVIDIA GPU feature discovery reports for ${model}`;
        if (typeof label !== "string" || label.trim() === "") {
            reportViolation(
                `${what} runs ${model} GPUs without the ${GPU_PRODUCT_LABEL} label, so jobs cannot select the GPU model; set ${field} to ${wanted}.`,
            );
        } else if (product && label !== product) {
            reportViolation(
                `${what} labels its nodes ${GPU_PRODUCT_LABEL}="${label}", but ${listOf(sources)} carries ${product}; set ${field} to "${product}".`,
            );
        }
    },
});
