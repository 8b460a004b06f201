// MEM-02: every memory limit lies between the floor of its workload class and
// what the largest node that can run the pod gives a pod (from the cluster
// facts; only the floor when a stack has none). Quantities are compared by
// value: 2Gi = 2048Mi = 2147483648.
import type { NodePoolFacts } from "../../core/facts";
import { clusterFactsOf } from "../lib/facts";
import { stackPolicy } from "../lib/policy";
import { containersOf } from "../../core/kubernetes-resources";
import { QUANTITY_PATTERN, parseQuantity } from "../../core/quantity";
import { containerNoun, formatBytes, gpuCount, podContainers, reportingOnce, workloadOf } from "./pods";

export type WorkloadClass = "training" | "notebook" | "serving" | "platform";

/** The workload class of a pod carrier, by kind; everything that is not a user's training job, notebook or model server is "platform". */
export function workloadClass(kind: string): WorkloadClass {
    if (/^(PyTorchJob|TFJob|MPIJob|XGBoostJob|PaddleJob|MXJob|JAXJob|TrainJob)$/.test(kind)) return "training";
    if (kind === "Notebook") return "notebook";
    if (kind === "InferenceService") return "serving";
    return "platform";
}

const CLASS_TEXT: Record<WorkloadClass, { setting: keyof Config; label: string }> = {
    training: { setting: "trainingFloor", label: "training jobs" },
    notebook: { setting: "notebookFloor", label: "notebooks" },
    serving: { setting: "servingFloor", label: "model servers" },
    platform: { setting: "platformFloor", label: "platform workloads" },
};

interface Config {
    platformFloor: string;
    trainingFloor: string;
    notebookFloor: string;
    servingFloor: string;
    reserveFraction: number;
    reserveMinimum: string;
}

function bytesSetting(config: Config, setting: keyof Config): number {
    const value = config[setting];
    const bytes = typeof value === "string" || typeof value === "number" ? parseQuantity(value) : undefined;
    if (bytes === undefined)
        throw new Error(`Policy setting mem-02-memory-limit-range.${setting} is ${JSON.stringify(value)}, not a memory quantity; write it as 2Gi or 512Mi.`);
    return bytes;
}

interface NodeCeiling {
    bytes: number;
    pool: NodePoolFacts;
    reserve: number;
}

/** What the largest node of the pools gives a pod: its memory less the system reserve (kubelet, OS, eviction threshold). */
function ceilingOf(pools: NodePoolFacts[], config: Config): NodeCeiling | undefined {
    const largest = pools.reduce<NodePoolFacts | undefined>((best, pool) => (best && best.memoryGiB >= pool.memoryGiB ? best : pool), undefined);
    if (!largest) return undefined;
    const memory = largest.memoryGiB * 2 ** 30;
    const reserve = Math.max(bytesSetting(config, "reserveMinimum"), memory * config.reserveFraction);
    return { bytes: memory - reserve, pool: largest, reserve };
}

export const memoryLimitRange = stackPolicy({
    id: "MEM-02",
    slug: "memory-limit-range",
    description:
        "Every memory limit is at least the floor of its workload class (platform 64Mi, model servers 512Mi, notebooks 1Gi, training jobs 2Gi by default) and at most what the largest node a pod can use gives it: the largest general node, or the largest GPU node for pods that request GPUs, less a system reserve. Quantities are compared by value.",
    reason: "A limit below what the program needs gets it OOM-killed in a loop (a PyTorch worker needs more than 1Gi before it loads any data); a limit above a node's allocatable memory limits nothing, so one container can take a node's memory and get every pod on it evicted.",
    remediation:
        "Set resources.limits.memory between the class floor and the node ceiling the message names; for bigger jobs add a larger node pool. The floors, the reserve fraction and the reserve minimum are policy settings.",
    configSchema: {
        properties: {
            platformFloor: {
                type: "string",
                pattern: QUANTITY_PATTERN,
                default: "64Mi",
                description: "Lowest memory limit for platform workloads (Deployments, StatefulSets, DaemonSets, Jobs …).",
            },
            servingFloor: {
                type: "string",
                pattern: QUANTITY_PATTERN,
                default: "512Mi",
                description: "Lowest memory limit for KServe InferenceService containers.",
            },
            notebookFloor: {
                type: "string",
                pattern: QUANTITY_PATTERN,
                default: "1Gi",
                description: "Lowest memory limit for Kubeflow Notebooks (the spawner's default is 1Gi).",
            },
            trainingFloor: {
                type: "string",
                pattern: QUANTITY_PATTERN,
                default: "2Gi",
                description: "Lowest memory limit for training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, MXJob, JAXJob).",
            },
            reserveFraction: {
                type: "number",
                minimum: 0,
                maximum: 0.9,
                default: 0.1,
                description: "Share of a node's memory kept for the OS, kubelet and eviction threshold.",
            },
            reserveMinimum: { type: "string", pattern: QUANTITY_PATTERN, default: "1Gi", description: "Smallest reserve per node, whatever its size." },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const facts = clusterFactsOf(args)?.facts;
        const pools = facts?.nodePools ?? [];
        const general = ceilingOf(
            pools.filter((pool) => !pool.gpu),
            config,
        );
        const gpu = ceilingOf(
            pools.filter((pool) => pool.gpu),
            config,
        );
        const report = reportingOnce(reportViolation);
        for (const resource of args.resources) {
            const carrier = workloadOf(resource);
            if (!carrier) continue;
            const { kind, what } = carrier;
            const workload = CLASS_TEXT[workloadClass(kind)];
            const floor = bytesSetting(config, workload.setting);
            for (const { container, role, template } of containersOf(kind, resource.props)) {
                const limit = container.resources?.limits?.["memory"];
                // A missing limit is MEM-01's finding.
                if (limit === undefined) continue;
                const subject = `${containerNoun(role)} "${container.name}" in ${what}`;
                const bytes = parseQuantity(limit);
                if (bytes === undefined) {
                    report(
                        `${subject} has memory limit "${limit}", which is not a Kubernetes quantity; write it as 2Gi, 512Mi or a number of bytes.`,
                        resource.urn,
                    );
                    continue;
                }
                if (bytes < floor) {
                    report(
                        `${subject} has memory limit ${limit}, below the ${String(config[workload.setting])} floor for ${workload.label}; raise resources.limits.memory to at least ${String(config[workload.setting])}.`,
                        resource.urn,
                    );
                }
                const ceiling = podContainers(template.spec).some((inPod) => gpuCount(inPod) > 0) ? gpu : general;
                if (ceiling && bytes > ceiling.bytes) {
                    const node = `${ceiling.pool.instanceType ? `${ceiling.pool.instanceType}, ` : ""}${ceiling.pool.memoryGiB}Gi less a ${formatBytes(ceiling.reserve)} system reserve`;
                    report(
                        `${subject} has memory limit ${limit}, above the ${formatBytes(ceiling.bytes)} a node of pool "${ceiling.pool.name}" (${node}) gives a pod; lower resources.limits.memory to at most ${formatBytes(ceiling.bytes)} or add a larger node pool.`,
                        resource.urn,
                    );
                }
            }
        }
    },
});
