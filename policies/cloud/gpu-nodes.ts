// Which EKS node groups and GKE node pools run NVIDIA GPUs, and which GPU
// model. The machine table and the cluster facts describe only the instance
// types kfstack plans; GPU-01/02/04 judge any node group, so they name its GPU
// model from what the resource itself states: the EC2 instance family, or the
// GKE accelerator type. Products come from the core's one table. An instance
// family that is not listed counts as its own model.
import { GPU_PRODUCTS, type GpuModelId } from "../../core/gpu";
import { arrayAt, isRecord, recordAt } from "../../core/records";

export interface GpuModel {
    /** kfstack's model id, as in the machine table: "a100-40gb". */
    model: string;
    product: string;
}

const gpu = (model: GpuModelId): GpuModel => ({ model, product: GPU_PRODUCTS[model] });
const V100_16GB = gpu("v100-16gb");
const T4 = gpu("t4");
const L4 = gpu("l4");
const A100_40GB = gpu("a100-40gb");
const A100_80GB = gpu("a100-80gb");
const H100_80GB = gpu("h100-80gb");
const H200 = gpu("h200-141gb");

/** EC2 instance families with NVIDIA GPUs (https://aws.amazon.com/ec2/instance-types/#Accelerated_Computing). */
export const AWS_GPU_FAMILIES: Readonly<Record<string, GpuModel>> = {
    p3: V100_16GB,
    p3dn: gpu("v100-32gb"),
    p4d: A100_40GB,
    p4de: A100_80GB,
    p5: H100_80GB,
    p5e: H200,
    p5en: H200,
    g4dn: T4,
    g5: gpu("a10g"),
    g5g: gpu("t4g"),
    g6: L4,
    gr6: L4,
    g6e: gpu("l40s"),
};

/** GKE accelerator types (`guestAccelerators[].type`, https://cloud.google.com/compute/docs/gpus). */
export const GKE_ACCELERATORS: Readonly<Record<string, GpuModel>> = {
    "nvidia-tesla-t4": T4,
    "nvidia-tesla-v100": V100_16GB,
    "nvidia-tesla-a100": A100_40GB,
    "nvidia-a100-80gb": A100_80GB,
    "nvidia-l4": L4,
    "nvidia-h100-80gb": H100_80GB,
    "nvidia-h100-mega-80gb": gpu("h100-mega-80gb"),
    "nvidia-h200-141gb": H200,
};

/** GCE machine series that come with their GPUs attached, whether or not the pool lists guestAccelerators. */
export const GKE_GPU_MACHINE_SERIES: Readonly<Record<string, string>> = {
    "a2-highgpu": "nvidia-tesla-a100",
    "a2-megagpu": "nvidia-tesla-a100",
    "a2-ultragpu": "nvidia-a100-80gb",
    "a3-highgpu": "nvidia-h100-80gb",
    "a3-edgegpu": "nvidia-h100-80gb",
    "a3-megagpu": "nvidia-h100-mega-80gb",
    "a3-ultragpu": "nvidia-h200-141gb",
    "g2-standard": "nvidia-l4",
};

/** Both cloud APIs spell the Kubernetes NoSchedule effect in upper snake case. */
export const NO_SCHEDULE = "NO_SCHEDULE";

/** "p4d" of "p4d.24xlarge". */
export function instanceFamily(instanceType: string): string {
    return instanceType.split(".")[0]!;
}

export interface EksGpus {
    /** Each instance type of the group with the GPU model it carries (its family, when the family is not in the table). */
    instanceTypes: { instanceType: string; model: GpuModel | { model: string; product?: undefined } }[];
    /** How the group shows it runs GPUs, for messages: "p4d.24xlarge" or "amiType AL2023_x86_64_NVIDIA". */
    evidence: string;
}

/** The GPUs of an EKS node group: an NVIDIA AMI type (AL2023_*_NVIDIA, BOTTLEROCKET_*_NVIDIA, AL2_x86_64_GPU) or an NVIDIA instance family; undefined for a group without GPUs. */
export function eksNodeGroupGpus(props: Record<string, unknown>): EksGpus | undefined {
    const amiType = props["amiType"];
    const nvidiaAmi = typeof amiType === "string" && /NVIDIA|_GPU$/.test(amiType);
    const instanceTypes = arrayAt(props, "instanceTypes").filter((type): type is string => typeof type === "string");
    const gpuTypes = instanceTypes.filter((type) => AWS_GPU_FAMILIES[instanceFamily(type)]);
    if (!nvidiaAmi && gpuTypes.length === 0) return undefined;
    return {
        instanceTypes: instanceTypes.map((instanceType) => ({
            instanceType,
            model: AWS_GPU_FAMILIES[instanceFamily(instanceType)] ?? { model: instanceFamily(instanceType) },
        })),
        evidence: gpuTypes.length ? gpuTypes.join(", ") : `amiType ${amiType as string}`,
    };
}

export interface GkeAccelerator {
    type: string;
    /** The guestAccelerators entry, or undefined when the machine type brings the GPU without one. */
    entry?: Record<string, unknown>;
}

/** The accelerators of a GKE node pool's nodeConfig: its guestAccelerators, else the GPUs its machine series comes with; empty for a pool without GPUs. */
export function gkeAccelerators(nodeConfig: Record<string, unknown>): GkeAccelerator[] {
    const listed = arrayAt(nodeConfig, "guestAccelerators")
        .filter(isRecord)
        .filter((entry) => entry["count"] !== 0)
        .map((entry) => ({ type: String(entry["type"]), entry }));
    if (listed.length) return listed;
    const machineType = nodeConfig["machineType"];
    const series = typeof machineType === "string" ? GKE_GPU_MACHINE_SERIES[machineType.split("-").slice(0, 2).join("-")] : undefined;
    return series ? [{ type: series }] : [];
}

export function gkeNodeConfig(props: Record<string, unknown>): Record<string, unknown> {
    return recordAt(props, "nodeConfig");
}

/** The taints of a node group (EKS `taints`) or pool (GKE `nodeConfig.taints`). */
export function taintsOf(holder: Record<string, unknown>): { key: unknown; value: unknown; effect: unknown }[] {
    return arrayAt(holder, "taints")
        .filter(isRecord)
        .map((taint) => ({ key: taint["key"], value: taint["value"], effect: taint["effect"] }));
}
