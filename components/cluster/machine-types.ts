// The one table of instance / machine types kfstack knows, for both clouds.
// Validation reads vCPU, memory, local NVMe and GPUs from here; `npm run plan`
// reads the on-demand price to estimate monthly cost. Prices are list prices
// for Linux on-demand capacity in the region named, on the date named: they
// feed an estimate, not a bill. Add a row to use another type.
import { GPU_PRODUCTS } from "../../core/gpu";

export type CloudName = "aws" | "gcp";

export interface GpuSpec {
    /** kfstack's model id; one model per pool. */
    model: string;
    /** What NVIDIA GPU feature discovery reports as `nvidia.com/gpu.product`. */
    product: string;
    count: number;
    memoryGiB: number;
    /** GKE accelerator type (`guestAccelerators[].type`); AWS attaches GPUs by instance type. */
    gkeAcceleratorType?: string;
}

export interface PriceQuote {
    usdPerHour: number;
    region: string;
    source: string;
    date: string;
}

export interface MachineType {
    cloud: CloudName;
    name: string;
    vcpu: number;
    memoryGiB: number;
    /**
     * AWS: the instance store NVMe that comes with the type, in GB.
     * GCP: 0 — local SSDs are attached in 375 GB disks, see `localSsdCounts`.
     */
    instanceStoreGB: number;
    /** GCP only: the local SSD disk counts the machine type accepts. */
    localSsdCounts?: readonly number[];
    gpu?: GpuSpec;
    price: PriceQuote;
}

/** The region whose list prices the tables hold, per cloud: a stack elsewhere is estimated at these (the plan says so). */
export const PRICE_REGIONS = { aws: "us-east-1", gcp: "us-central1" } as const;

const awsPrice = (usdPerHour: number): PriceQuote => ({
    usdPerHour,
    region: PRICE_REGIONS.aws,
    source: `https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, ${PRICE_REGIONS.aws})`,
    date: "2025-05-01",
});

const gcpPrice = (usdPerHour: number): PriceQuote => ({
    usdPerHour,
    region: PRICE_REGIONS.gcp,
    source: `https://cloud.google.com/compute/vm-instance-pricing (${PRICE_REGIONS.gcp})`,
    date: "2025-05-01",
});

const a100_40gb = (count: number): GpuSpec => ({
    model: "a100-40gb",
    product: GPU_PRODUCTS["a100-40gb"],
    count,
    memoryGiB: 40,
    gkeAcceleratorType: "nvidia-tesla-a100",
});

const a10g = (count: number): GpuSpec => ({ model: "a10g", product: GPU_PRODUCTS.a10g, count, memoryGiB: 24 });

const h100_80gb = (count: number): GpuSpec => ({ model: "h100-80gb", product: GPU_PRODUCTS["h100-80gb"], count, memoryGiB: 80 });

export const LOCAL_SSD_DISK_GB = 375;

/** GCP local SSD, per 375 GB disk: $0.080 per GB-month in us-central1. */
export const GCP_LOCAL_SSD_DISK_PRICE: PriceQuote = gcpPrice((0.08 * LOCAL_SSD_DISK_GB) / 730);

export const MACHINE_TYPES: readonly MachineType[] = [
    { cloud: "aws", name: "m6id.2xlarge", vcpu: 8, memoryGiB: 32, instanceStoreGB: 474, price: awsPrice(0.4746) },
    { cloud: "aws", name: "m6id.4xlarge", vcpu: 16, memoryGiB: 64, instanceStoreGB: 950, price: awsPrice(0.9492) },
    { cloud: "aws", name: "m6id.8xlarge", vcpu: 32, memoryGiB: 128, instanceStoreGB: 1900, price: awsPrice(1.8984) },
    { cloud: "aws", name: "m6id.12xlarge", vcpu: 48, memoryGiB: 192, instanceStoreGB: 2850, price: awsPrice(2.8476) },
    { cloud: "aws", name: "m6id.16xlarge", vcpu: 64, memoryGiB: 256, instanceStoreGB: 3800, price: awsPrice(3.7968) },
    { cloud: "aws", name: "g5.12xlarge", vcpu: 48, memoryGiB: 192, instanceStoreGB: 3800, gpu: a10g(4), price: awsPrice(5.672) },
    { cloud: "aws", name: "g5.48xlarge", vcpu: 192, memoryGiB: 768, instanceStoreGB: 7600, gpu: a10g(8), price: awsPrice(16.288) },
    { cloud: "aws", name: "p4d.24xlarge", vcpu: 96, memoryGiB: 1152, instanceStoreGB: 8000, gpu: a100_40gb(8), price: awsPrice(32.7726) },
    { cloud: "aws", name: "p5.48xlarge", vcpu: 192, memoryGiB: 2048, instanceStoreGB: 30400, gpu: h100_80gb(8), price: awsPrice(98.32) },
    { cloud: "gcp", name: "n2-standard-8", vcpu: 8, memoryGiB: 32, instanceStoreGB: 0, localSsdCounts: [1, 2, 4, 8, 16, 24], price: gcpPrice(0.388472) },
    { cloud: "gcp", name: "n2-standard-16", vcpu: 16, memoryGiB: 64, instanceStoreGB: 0, localSsdCounts: [2, 4, 8, 16, 24], price: gcpPrice(0.776944) },
    { cloud: "gcp", name: "n2-standard-32", vcpu: 32, memoryGiB: 128, instanceStoreGB: 0, localSsdCounts: [4, 8, 16, 24], price: gcpPrice(1.553888) },
    { cloud: "gcp", name: "n2-standard-64", vcpu: 64, memoryGiB: 256, instanceStoreGB: 0, localSsdCounts: [8, 16, 24], price: gcpPrice(3.107776) },
    {
        cloud: "gcp",
        name: "a2-highgpu-1g",
        vcpu: 12,
        memoryGiB: 85,
        instanceStoreGB: 0,
        localSsdCounts: [1, 2, 4, 8],
        gpu: a100_40gb(1),
        price: gcpPrice(3.673385),
    },
    { cloud: "gcp", name: "a2-highgpu-8g", vcpu: 96, memoryGiB: 680, instanceStoreGB: 0, localSsdCounts: [8], gpu: a100_40gb(8), price: gcpPrice(29.387081) },
];

export function findMachineType(cloud: CloudName, name: string): MachineType | undefined {
    return MACHINE_TYPES.find((m) => m.cloud === cloud && m.name === name);
}

export function machineTypeNames(cloud: CloudName, predicate: (m: MachineType) => boolean = () => true): string[] {
    return MACHINE_TYPES.filter((m) => m.cloud === cloud && predicate(m)).map((m) => m.name);
}

/** The machine table as Markdown, for README.md. */
export function machineTypeTable(): string {
    const rows = MACHINE_TYPES.map((m) =>
        [
            m.cloud,
            `\`${m.name}\``,
            m.vcpu,
            m.memoryGiB,
            m.localSsdCounts ? `${m.localSsdCounts.join("/")} x ${LOCAL_SSD_DISK_GB} GB local SSD` : `${m.instanceStoreGB.toLocaleString("en-US")} GB`,
            m.gpu ? `${m.gpu.count} x ${m.gpu.model}` : "",
            `$${m.price.usdPerHour}`,
            `${m.price.region}, ${m.price.date}`,
        ].join(" | "),
    );
    return [
        "| cloud | type | vCPU | memory GiB | local NVMe | GPUs | on-demand $/hour | price region, date |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows.map((row) => `| ${row} |`),
        `| gcp | local SSD (per ${LOCAL_SSD_DISK_GB} GB disk) | | | | | $${GCP_LOCAL_SSD_DISK_PRICE.usdPerHour.toFixed(4)} | ${GCP_LOCAL_SSD_DISK_PRICE.region}, ${GCP_LOCAL_SSD_DISK_PRICE.date} |`,
    ].join("\n");
}
