// The two named topologies, as data: the preset each cloud starts from and the
// minimums every stack is held to. `resolvePools` is the one place where a
// stack's overrides are laid over its preset; it runs once, in the config parse,
// and the stack resolution hands its pools to the cluster and the plan summary.
import { CUDA_MINIMUM_DRIVER, GPU_PRODUCT_LABEL, GPU_TAINT, compareDriverVersions } from "../../core/gpu";
import { listOf } from "../../core/text";
import {
    GCP_LOCAL_SSD_DISK_PRICE,
    LOCAL_SSD_DISK_GB,
    MACHINE_TYPES,
    type GpuSpec,
    type MachineType,
    findMachineType,
    machineTypeNames,
} from "../cluster/machine-types";
import type { NodePoolFacts } from "../../core/facts";
import { TOPOLOGY_MINIMUMS } from "../../core/topology-minimums";
import type { GpuPoolConfig, NodePoolConfig, StackConfig, Topology } from "./schema";

interface CloudPreset {
    nodePool: Required<Pick<NodePoolConfig, "instanceType" | "nodeCount" | "maxNodes">> & Pick<NodePoolConfig, "localSsdCount">;
    gpuPool: Required<Pick<GpuPoolConfig, "instanceType" | "minNodes" | "maxNodes">>;
}

export const CLOUD_PRESETS: Readonly<Record<"aws" | "gcp", Record<Topology, CloudPreset>>> = {
    aws: {
        testing: {
            nodePool: { instanceType: "m6id.4xlarge", nodeCount: 3, maxNodes: 6 },
            gpuPool: { instanceType: "p4d.24xlarge", minNodes: 0, maxNodes: 1 },
        },
        production: {
            nodePool: { instanceType: "m6id.8xlarge", nodeCount: 6, maxNodes: 12 },
            gpuPool: { instanceType: "p4d.24xlarge", minNodes: 0, maxNodes: 4 },
        },
    },
    gcp: {
        testing: {
            // n2-standard-16 takes 2, 4, 8, 16 or 24 local SSDs; 4 x 375 GB is the 1 TB class.
            nodePool: { instanceType: "n2-standard-16", nodeCount: 3, maxNodes: 6, localSsdCount: 4 },
            gpuPool: { instanceType: "a2-highgpu-1g", minNodes: 0, maxNodes: 2 },
        },
        production: {
            nodePool: { instanceType: "n2-standard-32", nodeCount: 6, maxNodes: 12, localSsdCount: 8 },
            gpuPool: { instanceType: "a2-highgpu-1g", minNodes: 0, maxNodes: 8 },
        },
    },
};

/** The CUDA version the platform targets unless a stack says otherwise. */
export const DEFAULT_CUDA_VERSION = "12.2";

export const POOL_LABEL = "kfstack.io/pool";

/** A node pool as kfstack builds it: the facts the policy pack reads, plus what only the program needs. */
export interface NodePoolPlan extends NodePoolFacts {
    name: "general" | "gpu";
    localSsdCount?: number;
    gpu?: NonNullable<NodePoolFacts["gpu"]> & { gkeInstallation?: "DEFAULT" | "LATEST"; gkeAcceleratorType?: string };
    taints: { key: string; value: string; effect: "NoSchedule" }[];
    /** On-demand price of one node (instance plus local SSDs); absent for existing clusters. */
    usdPerHour?: number;
    priceSource?: string;
}

export interface ConfigProblem {
    path: (string | number)[];
    message: string;
}

export interface ResolvedPools {
    general?: NodePoolPlan;
    gpu?: NodePoolPlan;
    problems: ConfigProblem[];
}

/** Key paths of the two pools' settings, where their problems are reported. */
const GENERAL_POOL_PATH = ["cluster", "nodePool"];
const GPU_POOL_PATH = ["cluster", "gpuPool"];

function knownGpuModels(): Map<string, GpuSpec> {
    return new Map(MACHINE_TYPES.flatMap((m) => (m.gpu ? [[m.gpu.model, m.gpu] as const] : [])));
}

/** Whether the stack runs a GPU pool: as set, else when one is configured or the topology is production. */
export function wantsGpuPool(config: StackConfig): boolean {
    return config.cluster.gpuPool?.enabled ?? (config.cluster.gpuPool !== undefined || config.topology === "production");
}

/** Lays a stack's pool settings over its topology preset and reports what cannot work. */
export function resolvePools(config: StackConfig): ResolvedPools {
    const problems: ConfigProblem[] = [];
    const general = config.cloud === "existing" ? declaredGeneralPool(config, problems) : cloudGeneralPool(config, problems);
    const gpuWanted = wantsGpuPool(config);
    const gpu = gpuWanted ? resolveGpuPool(config, problems) : undefined;
    if (general) checkMinimums(config, general, gpuWanted, problems);
    return { general, gpu, problems };
}

function cloudGeneralPool(config: Extract<StackConfig, { cloud: "aws" | "gcp" }>, problems: ConfigProblem[]): NodePoolPlan | undefined {
    const preset = CLOUD_PRESETS[config.cloud][config.topology].nodePool;
    const pool = config.cluster.nodePool;
    for (const key of ["vcpu", "memoryGiB", "nvmeGB"] as const) {
        if (pool[key] !== undefined) {
            problems.push({ path: [...GENERAL_POOL_PATH, key], message: `is for existing clusters only; on ${config.cloud} it comes from the instance type` });
        }
    }
    const instanceType = pool.instanceType ?? preset.instanceType;
    const machine = findMachineType(config.cloud, instanceType);
    if (!machine) {
        problems.push({
            path: [...GENERAL_POOL_PATH, "instanceType"],
            message: `"${instanceType}" is not in the machine table; use one of ${listOf(
                machineTypeNames(config.cloud, (m) => !m.gpu),
                "or",
            )}, or add it to components/cluster/machine-types.ts`,
        });
        return undefined;
    }
    const localSsdCount = resolveLocalSsd(config, machine, pool.localSsdCount ?? (pool.instanceType ? undefined : preset.localSsdCount), problems);
    const nodeCount = pool.nodeCount ?? preset.nodeCount;
    const maxNodes = pool.maxNodes ?? (pool.nodeCount === undefined ? preset.maxNodes : nodeCount);
    if (maxNodes < nodeCount) {
        problems.push({ path: [...GENERAL_POOL_PATH, "maxNodes"], message: `is ${maxNodes}, below nodeCount ${nodeCount}` });
    }
    return {
        name: "general",
        instanceType,
        minNodes: nodeCount,
        desiredNodes: nodeCount,
        maxNodes,
        vcpu: machine.vcpu,
        memoryGiB: machine.memoryGiB,
        nvmeGB: machine.instanceStoreGB + (localSsdCount ?? 0) * LOCAL_SSD_DISK_GB,
        localSsdCount,
        labels: { [POOL_LABEL]: "general" },
        taints: [],
        ...priceOf(machine, localSsdCount),
    };
}

function resolveLocalSsd(config: StackConfig, machine: MachineType, count: number | undefined, problems: ConfigProblem[]): number | undefined {
    const path = [...GENERAL_POOL_PATH, "localSsdCount"];
    if (config.cloud !== "gcp") {
        if (count !== undefined) problems.push({ path, message: `is for gcp only; ${machine.name} brings its own instance-store NVMe` });
        return undefined;
    }
    const allowed = machine.localSsdCounts ?? [];
    const chosen = count ?? allowed[0];
    if (chosen === undefined || !allowed.includes(chosen)) {
        problems.push({
            path,
            message: `${machine.name} accepts ${listOf(allowed, "or")} local SSDs, not ${chosen ?? "none"}; pick one of those counts`,
        });
    }
    return chosen;
}

function priceOf(machine: MachineType, localSsdCount: number | undefined): Pick<NodePoolPlan, "usdPerHour" | "priceSource"> {
    const ssd = (localSsdCount ?? 0) * GCP_LOCAL_SSD_DISK_PRICE.usdPerHour;
    return {
        usdPerHour: Math.round((machine.price.usdPerHour + ssd) * 10000) / 10000,
        priceSource: `${machine.price.source}, ${machine.price.date}`,
    };
}

function declaredGeneralPool(config: Extract<StackConfig, { cloud: "existing" }>, problems: ConfigProblem[]): NodePoolPlan | undefined {
    const pool = config.cluster.nodePool;
    if (pool.instanceType !== undefined) {
        problems.push({
            path: [...GENERAL_POOL_PATH, "instanceType"],
            message: "is for aws and gcp; an existing cluster declares vcpu, memoryGiB and nvmeGB per node",
        });
    }
    if (pool.localSsdCount !== undefined) {
        problems.push({ path: [...GENERAL_POOL_PATH, "localSsdCount"], message: "is for gcp only; an existing cluster declares nvmeGB per node" });
    }
    const missing = (["nodeCount", "vcpu", "memoryGiB", "nvmeGB"] as const).filter((key) => pool[key] === undefined);
    for (const key of missing) {
        problems.push({
            path: [...GENERAL_POOL_PATH, key],
            message: "is required for an existing cluster: declare the nodes it has, so the topology can be checked",
        });
    }
    if (pool.nodeCount === undefined || pool.vcpu === undefined || pool.memoryGiB === undefined || pool.nvmeGB === undefined) return undefined;
    return {
        name: "general",
        minNodes: pool.nodeCount,
        desiredNodes: pool.nodeCount,
        maxNodes: pool.maxNodes ?? pool.nodeCount,
        vcpu: pool.vcpu,
        memoryGiB: pool.memoryGiB,
        nvmeGB: pool.nvmeGB,
        labels: { [POOL_LABEL]: "general" },
        taints: [],
    };
}

function resolveGpuPool(config: StackConfig, problems: ConfigProblem[]): NodePoolPlan | undefined {
    const pool: GpuPoolConfig = config.cluster.gpuPool ?? { driver: {} };
    const hardware = config.cloud === "existing" ? declaredGpuHardware(pool, problems) : cloudGpuHardware(config, pool, problems);
    const driver = resolveDriver(config, pool, problems);
    if (!hardware || !driver) return undefined;
    const preset = config.cloud === "existing" ? undefined : CLOUD_PRESETS[config.cloud][config.topology].gpuPool;
    const minNodes = pool.minNodes ?? preset?.minNodes ?? 0;
    const maxNodes = pool.maxNodes ?? Math.max(minNodes, preset?.maxNodes ?? 1);
    if (maxNodes < minNodes || maxNodes < 1) {
        problems.push({ path: [...GPU_POOL_PATH, "maxNodes"], message: `is ${maxNodes}; it must be at least 1 and at least minNodes (${minNodes})` });
    }
    const { machine, gpu } = hardware;
    return {
        name: "gpu",
        instanceType: machine?.name,
        minNodes,
        desiredNodes: minNodes,
        maxNodes,
        vcpu: machine?.vcpu ?? 0,
        memoryGiB: machine?.memoryGiB ?? 0,
        nvmeGB: machine?.instanceStoreGB ?? 0,
        gpu: {
            model: gpu.model,
            product: gpu.product,
            count: gpu.count,
            gkeAcceleratorType: gpu.gkeAcceleratorType,
            ...driver,
        },
        labels: { [POOL_LABEL]: "gpu", [GPU_PRODUCT_LABEL]: gpu.product },
        taints: [{ ...GPU_TAINT }],
        ...(machine ? priceOf(machine, undefined) : {}),
    };
}

function cloudGpuHardware(
    config: Extract<StackConfig, { cloud: "aws" | "gcp" }>,
    pool: GpuPoolConfig,
    problems: ConfigProblem[],
): { machine: MachineType; gpu: GpuSpec } | undefined {
    const instanceType = pool.instanceType ?? CLOUD_PRESETS[config.cloud][config.topology].gpuPool.instanceType;
    const machine = findMachineType(config.cloud, instanceType);
    if (!machine?.gpu) {
        problems.push({
            path: [...GPU_POOL_PATH, "instanceType"],
            message: `"${instanceType}" is not a GPU type in the machine table; use one of ${listOf(
                machineTypeNames(config.cloud, (m) => m.gpu !== undefined),
                "or",
            )}`,
        });
        return undefined;
    }
    if (pool.gpusPerNode !== undefined && pool.gpusPerNode !== machine.gpu.count) {
        problems.push({
            path: [...GPU_POOL_PATH, "gpusPerNode"],
            message: `is ${pool.gpusPerNode}, but ${machine.name} has ${machine.gpu.count} GPUs; leave it unset on ${config.cloud}`,
        });
    }
    if (pool.gpuModel !== undefined && pool.gpuModel !== machine.gpu.model) {
        problems.push({
            path: [...GPU_POOL_PATH, "gpuModel"],
            message: `is ${pool.gpuModel}, but ${machine.name} carries ${machine.gpu.model}: a pool holds one GPU model; choose an instance type with ${pool.gpuModel} GPUs or drop gpuModel`,
        });
    }
    return { machine, gpu: machine.gpu };
}

function declaredGpuHardware(pool: GpuPoolConfig, problems: ConfigProblem[]): { machine?: undefined; gpu: GpuSpec } | undefined {
    if (pool.instanceType !== undefined) {
        problems.push({ path: [...GPU_POOL_PATH, "instanceType"], message: "is for aws and gcp; an existing cluster declares gpuModel and gpusPerNode" });
    }
    const models = knownGpuModels();
    const spec = pool.gpuModel === undefined ? undefined : models.get(pool.gpuModel);
    if (!spec) {
        problems.push({
            path: [...GPU_POOL_PATH, "gpuModel"],
            message: `${pool.gpuModel === undefined ? "is required" : `"${pool.gpuModel}" is not a known GPU model`}; use one of ${listOf([...models.keys()], "or")}`,
        });
    }
    if (pool.gpusPerNode === undefined) {
        problems.push({ path: [...GPU_POOL_PATH, "gpusPerNode"], message: "is required for an existing cluster: declare the GPUs each node has" });
    }
    if (!spec || pool.gpusPerNode === undefined) return undefined;
    return { gpu: { ...spec, count: pool.gpusPerNode } };
}

function resolveDriver(
    config: StackConfig,
    pool: GpuPoolConfig,
    problems: ConfigProblem[],
): Omit<NonNullable<NodePoolPlan["gpu"]>, "model" | "product" | "count"> | undefined {
    const path = [...GPU_POOL_PATH, "driver"];
    const cudaVersion = pool.cudaVersion ?? DEFAULT_CUDA_VERSION;
    const minimumDriver = CUDA_MINIMUM_DRIVER[cudaVersion];
    if (!minimumDriver) {
        problems.push({
            path: [...GPU_POOL_PATH, "cudaVersion"],
            message: `CUDA ${cudaVersion} is not in the driver table; use one of ${listOf(Object.keys(CUDA_MINIMUM_DRIVER), "or")}`,
        });
    }
    const { version, amiReleaseVersion, gkeInstallation } = pool.driver;
    if (version === undefined) {
        problems.push({ path: [...path, "version"], message: "is required: pin the NVIDIA driver the GPU nodes run, so CUDA compatibility can be checked" });
    } else if (minimumDriver && compareDriverVersions(version, minimumDriver) < 0) {
        problems.push({ path: [...path, "version"], message: `${version} is too old for CUDA ${cudaVersion}, which needs driver >= ${minimumDriver}` });
    }
    if (config.cloud === "aws") {
        if (amiReleaseVersion === undefined) {
            problems.push({
                path: [...path, "amiReleaseVersion"],
                message: `is required on aws: pin the AL2023 NVIDIA AMI release (for Kubernetes ${config.kubernetesVersion}, "${config.kubernetesVersion}.x-YYYYMMDD") that ships the driver`,
            });
        } else if (!amiReleaseVersion.startsWith(`${config.kubernetesVersion}.`)) {
            problems.push({
                path: [...path, "amiReleaseVersion"],
                message: `${amiReleaseVersion} is an AMI for another Kubernetes version; the cluster runs ${config.kubernetesVersion}`,
            });
        }
    } else if (amiReleaseVersion !== undefined) {
        problems.push({ path: [...path, "amiReleaseVersion"], message: "is for aws only" });
    }
    if (config.cloud !== "gcp" && gkeInstallation !== undefined) {
        problems.push({ path: [...path, "gkeInstallation"], message: "is for gcp only" });
    }
    if (version === undefined) return undefined;
    return {
        cudaVersion,
        driverVersion: version,
        amiReleaseVersion,
        gkeInstallation: config.cloud === "gcp" ? (gkeInstallation ?? "DEFAULT") : undefined,
    };
}

function checkMinimums(config: StackConfig, general: NodePoolPlan, gpuWanted: boolean, problems: ConfigProblem[]): void {
    if (config.allowUndersized) return;
    const min = TOPOLOGY_MINIMUMS[config.topology];
    const topology = `the ${config.topology} topology needs at least`;
    const orAllow = "or set kfstack:allowUndersized.reason";
    const what = general.instanceType ? `${general.instanceType} has` : "the nodes have";
    // Where the fix goes: the node count; on a cloud the instance type (or, on GCP, the
    // local SSD count for NVMe); on an existing cluster the declared value itself.
    const larger = config.cloud === "existing" ? "the cluster needs larger nodes" : "choose a larger instance type";
    const shortfalls: [keyof NodePoolConfig, boolean, string][] = [
        ["nodeCount", general.minNodes < min.nodes, `is ${general.minNodes}; ${topology} ${min.nodes} nodes; raise nodeCount, ${orAllow}`],
        ["vcpu", general.vcpu < min.vcpu, `${what} ${general.vcpu} vCPU; ${topology} ${min.vcpu}; ${larger}, ${orAllow}`],
        ["memoryGiB", general.memoryGiB < min.memoryGiB, `${what} ${general.memoryGiB} GiB of memory; ${topology} ${min.memoryGiB}; ${larger}, ${orAllow}`],
        [
            "nvmeGB",
            general.nvmeGB < min.nvmeGB,
            `${what} ${general.nvmeGB} GB of local NVMe; ${topology} ${min.nvmeGB}; ${config.cloud === "gcp" ? "attach more local SSDs" : larger}, ${orAllow}`,
        ],
    ];
    for (const [key, short, message] of shortfalls) {
        if (!short) continue;
        const path =
            config.cloud === "existing" || key === "nodeCount"
                ? [...GENERAL_POOL_PATH, key]
                : [...GENERAL_POOL_PATH, key === "nvmeGB" && config.cloud === "gcp" ? "localSsdCount" : "instanceType"];
        problems.push({ path, message });
    }
    if (min.gpuPool && !gpuWanted) {
        problems.push({
            path: [...GPU_POOL_PATH, "enabled"],
            message: `is false, but the ${config.topology} topology needs a dedicated GPU pool; remove it, ${orAllow}`,
        });
    }
}
