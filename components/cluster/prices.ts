// The one table of what kfstack prices besides machines: control planes,
// NAT, load balancers, disks, keys and addresses, for both clouds. Beside
// machine-types.ts and read the same way: list prices in the region named, on
// the date named, with the page they come from. The plan's cost estimate
// (engine/cost/) multiplies them by what the plan creates; they feed an
// estimate, not a bill. Add a row to price another thing.
import { type CloudName, GCP_LOCAL_SSD_DISK_PRICE, LOCAL_SSD_DISK_GB, PRICE_REGIONS } from "./machine-types";

export interface UnitPrice {
    cloud: CloudName;
    /** What is billed, as a reader of the plan would call it. */
    item: string;
    unit: string;
    usdPerUnit: number;
    region: string;
    source: string;
    date: string;
}

const PRICE_DATE = "2025-05-01";

const aws = (item: string, unit: string, usdPerUnit: number, page: string): UnitPrice => ({
    cloud: "aws",
    item,
    unit,
    usdPerUnit,
    region: PRICE_REGIONS.aws,
    source: `https://aws.amazon.com/${page}/`,
    date: PRICE_DATE,
});

const gcp = (item: string, unit: string, usdPerUnit: number, page: string): UnitPrice => ({
    cloud: "gcp",
    item,
    unit,
    usdPerUnit,
    region: PRICE_REGIONS.gcp,
    source: `https://cloud.google.com/${page}`,
    date: PRICE_DATE,
});

export const PRICES = {
    eksStandardSupport: aws("EKS control plane, standard support", "cluster-hour", 0.1, "eks/pricing"),
    eksExtendedSupport: aws("EKS control plane, extended support", "cluster-hour", 0.6, "eks/pricing"),
    natGateway: aws("NAT gateway", "gateway-hour", 0.045, "vpc/pricing"),
    natGatewayData: aws("NAT gateway data processing", "GB", 0.045, "vpc/pricing"),
    publicIpv4: aws("Public IPv4 address (Elastic IP)", "address-hour", 0.005, "vpc/pricing"),
    networkLoadBalancer: aws("Network Load Balancer", "load-balancer-hour", 0.0225, "elasticloadbalancing/pricing"),
    networkLoadBalancerCapacity: aws("Network Load Balancer capacity units", "NLCU-hour", 0.006, "elasticloadbalancing/pricing"),
    classicLoadBalancer: aws("Classic Load Balancer", "load-balancer-hour", 0.025, "elasticloadbalancing/pricing"),
    classicLoadBalancerData: aws("Classic Load Balancer data processing", "GB", 0.008, "elasticloadbalancing/pricing"),
    ebsGp3: aws("EBS gp3 volume", "GiB-month", 0.08, "ebs/pricing"),
    ebsGp2: aws("EBS gp2 volume", "GiB-month", 0.1, "ebs/pricing"),
    kmsKey: aws("KMS customer managed key", "key-month", 1, "kms/pricing"),
    cloudWatchLogsIngestion: aws("CloudWatch Logs ingestion (control plane logs)", "GB", 0.5, "cloudwatch/pricing"),
    gkeClusterManagement: gcp("GKE cluster management fee", "cluster-hour", 0.1, "kubernetes-engine/pricing"),
    cloudNatVm: gcp("Cloud NAT gateway (up to 32 VMs)", "VM-hour", 0.0014, "vpc/network-pricing#nat-pricing"),
    cloudNatGateway: gcp("Cloud NAT gateway (over 32 VMs)", "gateway-hour", 0.044, "vpc/network-pricing#nat-pricing"),
    cloudNatData: gcp("Cloud NAT data processing", "GB", 0.045, "vpc/network-pricing#nat-pricing"),
    forwardingRule: gcp("Load balancer forwarding rule (first 5)", "rule-hour", 0.025, "vpc/network-pricing#lb"),
    pdBalanced: gcp("Persistent disk, balanced", "GiB-month", 0.1, "compute/disks-image-pricing"),
    pdSsd: gcp("Persistent disk, SSD", "GiB-month", 0.17, "compute/disks-image-pricing"),
    pdStandard: gcp("Persistent disk, standard", "GiB-month", 0.04, "compute/disks-image-pricing"),
    localSsd: {
        cloud: "gcp",
        item: "Local SSD",
        unit: "GB-month",
        usdPerUnit: Math.round(((GCP_LOCAL_SSD_DISK_PRICE.usdPerHour * 730) / LOCAL_SSD_DISK_GB) * 1000) / 1000,
        region: GCP_LOCAL_SSD_DISK_PRICE.region,
        source: "https://cloud.google.com/compute/disks-image-pricing#localssdpricing",
        date: GCP_LOCAL_SSD_DISK_PRICE.date,
    },
} satisfies Record<string, UnitPrice>;

export type PriceName = keyof typeof PRICES;

/** Disk prices by the disk type a StorageClass or a node's boot disk names (EBS `type`, GCE PD `type`). */
export const DISK_PRICES: Record<CloudName, Record<string, UnitPrice>> = {
    aws: { gp3: PRICES.ebsGp3, gp2: PRICES.ebsGp2 },
    gcp: { "pd-balanced": PRICES.pdBalanced, "pd-ssd": PRICES.pdSsd, "pd-standard": PRICES.pdStandard },
};

/** The disk type a claim without a StorageClass lands on: the default class kfstack plans (gp3) or GKE's `standard-rwo`. */
export const DEFAULT_DISK_TYPE: Record<CloudName, string> = { aws: "gp3", gcp: "pd-balanced" };

/** GKE's boot disk when a node pool does not name one. */
export const GKE_DEFAULT_BOOT_DISK = { type: "pd-balanced", sizeGb: 100 };

/** The price table as Markdown, for README.md. */
export function priceTable(): string {
    const rows = Object.values(PRICES).map((price: UnitPrice) =>
        [price.cloud, price.item, price.unit, `$${price.usdPerUnit}`, `${price.region}, ${price.date}`, price.source].join(" | "),
    );
    return ["| cloud | item | unit | $/unit | region, date | source |", "| --- | --- | --- | --- | --- | --- |", ...rows.map((row) => `| ${row} |`)].join("\n");
}
