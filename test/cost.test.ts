// The plan's cost estimate: a line for every billed thing each stack's plan creates.
import { describe, expect, it } from "vitest";
import type { CostLine } from "../engine/cost/estimate";
import type { CostResource } from "../engine/cost/resources";
import { controlPlaneLines, networkLines } from "../engine/cost/network";
import { volumeLines } from "../engine/cost/volumes";
import { plannedStack } from "./planned-stacks";

const AWS = (page: string) => `https://aws.amazon.com/${page}/ (us-east-1, 2025-05-01)`;
const GCP = (page: string) => `https://cloud.google.com/${page} (us-central1, 2025-05-01)`;
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, us-east-1) (us-east-1, 2025-05-01)";
const GCE = "https://cloud.google.com/compute/vm-instance-pricing (us-central1) (us-central1, 2025-05-01)";
const UNKNOWN_TRAFFIC = "traffic is not knowable offline";

const line = (item: string, quantity: number | null, unit: string, usdPerUnit: number | null, monthlyUsd: number | null, priceSource: string): CostLine => ({
    item,
    quantity,
    unit,
    usdPerUnit,
    monthlyUsd,
    priceSource,
});

const ebs = (template: string, size: string, gib: number) =>
    line(`EBS gp3 volume: ${template} (${size}, the default class)`, gib, "GiB-month", 0.08, Math.round(gib * 8) / 100, AWS("ebs/pricing"));

const claimLines = (prometheus: string, prometheusGiB: number, disk: (template: string, size: string, gib: number) => CostLine) => [
    disk("PersistentVolumeClaim istio-system/authservice-pvc", "10Gi", 10),
    disk("PersistentVolumeClaim kubeflow/minio-pvc", "20Gi", 20),
    disk("PersistentVolumeClaim kubeflow/mysql-pv-claim", "20Gi", 20),
    disk("PersistentVolumeClaim kubeflow/katib-mysql", "10Gi", 10),
    disk("Prometheus monitoring/k8s", prometheus, prometheusGiB),
];

const awsExtras = (stack: string) => [
    line(`KMS key × 1 (kfstack-${stack}-secrets)`, 1, "key-month", 1, 1, AWS("kms/pricing")),
    line(`CloudWatch Logs ingestion × 1 (kfstack-${stack}-logs): log volume is not knowable offline`, null, "GB", 0.5, null, AWS("cloudwatch/pricing")),
];

describe("the plan's cost estimate", () => {
    it("prices the dev stack: standard-support control plane, three nodes with their root volumes, one NAT gateway and its address, the claims", async () => {
        const { cost } = (await plannedStack("dev")).summary;
        expect(cost.lines).toEqual([
            line("EKS control plane kfstack-dev (standard support)", 730, "cluster-hour", 0.1, 73, AWS("eks/pricing")),
            line("nodes: pool general (m6id.4xlarge, 3 desired, 3–6)", 2190, "node-hour", 0.9492, 2078.75, EC2),
            line("node root volumes: pool general (3 × 100 GiB gp3, kfstack-dev-general-lt)", 300, "GiB-month", 0.08, 24, AWS("ebs/pricing")),
            line("NAT gateway × 1 (kfstack-dev-net-nat-us-west-2a)", 730, "gateway-hour", 0.045, 32.85, AWS("vpc/pricing")),
            line(`NAT gateway data processing: ${UNKNOWN_TRAFFIC}`, null, "GB", 0.045, null, AWS("vpc/pricing")),
            line("Elastic IP × 1 (kfstack-dev-net-nat-us-west-2a)", 730, "address-hour", 0.005, 3.65, AWS("vpc/pricing")),
            ...awsExtras("dev"),
            ...claimLines("2 × 50Gi", 100, ebs),
        ]);
        expect(cost.monthlyUsd).toBe(2226.05);
    });

    it("prices the prod stack: three NAT gateways, the gateway's internal load balancer, the GPU pool at its desired zero", async () => {
        const { cost, totals } = (await plannedStack("prod")).summary;
        const nats = "kfstack-prod-net-nat-us-east-1a, kfstack-prod-net-nat-us-east-1b, kfstack-prod-net-nat-us-east-1c";
        expect(cost.lines).toEqual([
            line("EKS control plane kfstack-prod (standard support)", 730, "cluster-hour", 0.1, 73, AWS("eks/pricing")),
            line("nodes: pool general (m6id.8xlarge, 6 desired, 6–12)", 4380, "node-hour", 1.8984, 8314.99, EC2),
            line("node root volumes: pool general (6 × 100 GiB gp3, kfstack-prod-general-lt)", 600, "GiB-month", 0.08, 48, AWS("ebs/pricing")),
            line("nodes: pool gpu (p4d.24xlarge, 0 desired, 0–4)", 0, "node-hour", 32.7726, 0, EC2),
            line("node root volumes: pool gpu (0 × 100 GiB gp3, kfstack-prod-gpu-lt)", 0, "GiB-month", 0.08, 0, AWS("ebs/pricing")),
            line(`NAT gateway × 3 (${nats})`, 2190, "gateway-hour", 0.045, 98.55, AWS("vpc/pricing")),
            line(`NAT gateway data processing: ${UNKNOWN_TRAFFIC}`, null, "GB", 0.045, null, AWS("vpc/pricing")),
            line(`Elastic IP × 3 (${nats})`, 2190, "address-hour", 0.005, 10.95, AWS("vpc/pricing")),
            line(
                "Classic Load Balancer: Service istio-system/istio-ingressgateway (type LoadBalancer), no aws-load-balancer-type annotation",
                730,
                "load-balancer-hour",
                0.025,
                18.25,
                AWS("elasticloadbalancing/pricing"),
            ),
            line(`Classic Load Balancer data processing: ${UNKNOWN_TRAFFIC}`, null, "GB", 0.008, null, AWS("elasticloadbalancing/pricing")),
            // The data plane's key beside the cluster's; S3 and RDS replace the MinIO and MySQL claims (priced by neither yet).
            line("KMS key × 2 (kfstack-prod-secrets, kfstack-prod-data-key)", 2, "key-month", 1, 2, AWS("kms/pricing")),
            awsExtras("prod")[1]!,
            // The STS and S3 interface endpoints tenant pods reach (components/data-plane/aws-endpoints.ts), priced by no table yet.
            line(
                "interface VPC endpoint × 2 (kfstack-prod-data-sts, kfstack-prod-data-s3)",
                2,
                "endpoint",
                null,
                null,
                "not priced: interface endpoints are not in the price table",
            ),
            ebs("PersistentVolumeClaim istio-system/authservice-pvc", "10Gi", 10),
            ebs("Prometheus monitoring/k8s", "2 × 200Gi", 400),
        ]);
        expect(cost.monthlyUsd).toBe(8598.54);
        // The node lines are the pool summary's numbers.
        expect(cost.lines[1]!.monthlyUsd! + cost.lines[3]!.monthlyUsd!).toBe(totals.monthlyUsd!.atDesired);
    });

    it("prices the gke-dev stack: the management fee, nodes apart from their local SSDs, boot disks, Cloud NAT per VM and balanced PDs", async () => {
        const { cost } = (await plannedStack("gke-dev")).summary;
        const pd = (template: string, size: string, gib: number) =>
            line(`Persistent disk, balanced: ${template} (${size}, the default class)`, gib, "GiB-month", 0.1, gib / 10, GCP("compute/disks-image-pricing"));
        expect(cost.lines).toEqual([
            line("GKE cluster management kfstack-gke-dev (regional, us-central1)", 730, "cluster-hour", 0.1, 73, GCP("kubernetes-engine/pricing")),
            line("nodes: pool general (n2-standard-16, 3 desired, 3–6)", 2190, "node-hour", 0.776944, 1701.51, GCE),
            line("node boot disks: pool general (3 × 100 GiB pd-balanced, GKE's default)", 300, "GiB-month", 0.1, 30, GCP("compute/disks-image-pricing")),
            line("local SSDs: pool general (3 × 4 × 375 GB)", 4500, "GB-month", 0.08, 360, GCP("compute/disks-image-pricing#localssdpricing")),
            line("Cloud NAT kfstack-gke-dev-net-nat (3 VMs at the pools' desired size)", 2190, "VM-hour", 0.0014, 3.07, GCP("vpc/network-pricing#nat-pricing")),
            line(`Cloud NAT data processing: ${UNKNOWN_TRAFFIC}`, null, "GB", 0.045, null, GCP("vpc/network-pricing#nat-pricing")),
            ...claimLines("2 × 50Gi", 100, pd),
        ]);
        expect(cost.monthlyUsd).toBe(2183.58);
    });

    it("prices the gke-prod gateway's internal load balancer as a forwarding rule", async () => {
        const { cost } = (await plannedStack("gke-prod")).summary;
        expect(cost.lines.filter((entry) => entry.unit === "rule-hour")).toEqual([
            line(
                "forwarding rule: Service istio-system/istio-ingressgateway (type LoadBalancer)",
                730,
                "rule-hour",
                0.025,
                18.25,
                GCP("vpc/network-pricing#lb"),
            ),
        ]);
    });

    it("gives an existing cluster no control-plane, node or NAT line, and lists its claims unpriced", async () => {
        const { cost } = (await plannedStack("onprem")).summary;
        const why = "not priced: the existing cluster's StorageClass decides the disk and its bill";
        const unpriced = (template: string, size: string, gib: number) =>
            line(`volume: ${template} (${size}, the default class)`, gib, "GiB-month", null, null, why);
        expect(cost.lines).toEqual(claimLines("2 × 200Gi", 400, unpriced));
        expect(cost.monthlyUsd).toBe(0);
    });
});

const claim = (name: string, storage: string | undefined, storageClassName?: string): CostResource => ({
    type: "kubernetes:core/v1:PersistentVolumeClaim",
    name,
    parent: "",
    inputs: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name, namespace: "team" },
        spec: { ...(storageClassName ? { storageClassName } : {}), resources: storage ? { requests: { storage } } : {} },
    },
});

describe("volume lines", () => {
    it("sums claims in Gi, Mi, Ti and decimal G, each rounded up to the whole GiB its disk is provisioned at", () => {
        const lines = volumeLines([claim("a", "10Gi"), claim("b", "1536Mi"), claim("c", "0.5Ti"), claim("d", "10G")], "aws");
        expect(lines.map((entry) => [entry.quantity, entry.monthlyUsd])).toEqual([
            [10, 0.8],
            [2, 0.16],
            [512, 40.96],
            [10, 0.8],
        ]);
    });

    it("counts a StatefulSet's claim templates and an Alertmanager's storage once per replica", () => {
        const statefulSet: CostResource = {
            type: "kubernetes:apps/v1:StatefulSet",
            name: "db",
            parent: "",
            inputs: {
                metadata: { name: "db", namespace: "team" },
                spec: { replicas: 3, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "5Gi" } } } }] },
            },
        };
        const alertmanager: CostResource = {
            type: "kubernetes:monitoring.coreos.com/v1:Alertmanager",
            name: "main",
            parent: "",
            inputs: {
                metadata: { name: "main", namespace: "monitoring" },
                spec: { replicas: 2, storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "1Gi" } } } } } },
            },
        };
        expect(volumeLines([statefulSet, alertmanager], "gcp")).toEqual([
            line(
                "Persistent disk, balanced: StatefulSet team/db claim data (3 × 5Gi, the default class)",
                15,
                "GiB-month",
                0.1,
                1.5,
                GCP("compute/disks-image-pricing"),
            ),
            line(
                "Persistent disk, balanced: Alertmanager monitoring/main (2 × 1Gi, the default class)",
                2,
                "GiB-month",
                0.1,
                0.2,
                GCP("compute/disks-image-pricing"),
            ),
        ]);
    });

    it("prices a claim by the disk type of the StorageClass the plan creates, and says why when the class is unknown", () => {
        const gp2: CostResource = {
            type: "kubernetes:storage.k8s.io/v1:StorageClass",
            name: "legacy",
            parent: "",
            inputs: { metadata: { name: "legacy" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp2" } },
        };
        expect(volumeLines([gp2, claim("a", "10Gi", "legacy"), claim("b", "10Gi", "fast"), claim("c", undefined)], "aws")).toEqual([
            line("EBS gp2 volume: PersistentVolumeClaim team/a (10Gi, legacy)", 10, "GiB-month", 0.1, 1, AWS("ebs/pricing")),
            line(
                "volume: PersistentVolumeClaim team/b (10Gi, fast)",
                10,
                "GiB-month",
                null,
                null,
                "not priced: the disk type of StorageClass fast is not known offline",
            ),
            line("volume: PersistentVolumeClaim team/c (no storage request)", null, "GiB-month", null, null, "not priced: the claim requests no size"),
        ]);
    });
});

describe("control plane and load balancer lines", () => {
    const eks = (upgradePolicy: Record<string, string> | undefined): CostResource => ({
        type: "aws:eks/cluster:Cluster",
        name: "c",
        parent: "",
        inputs: upgradePolicy ? { upgradePolicy } : {},
    });

    it("bills an EKS cluster at extended support unless it asks for standard, as EKS does", () => {
        expect(controlPlaneLines([eks({ supportType: "EXTENDED" }), eks(undefined), eks({ supportType: "STANDARD" })])).toEqual([
            line("EKS control plane c (extended support)", 730, "cluster-hour", 0.6, 438, AWS("eks/pricing")),
            line("EKS control plane c (extended support)", 730, "cluster-hour", 0.6, 438, AWS("eks/pricing")),
            line("EKS control plane c (standard support)", 730, "cluster-hour", 0.1, 73, AWS("eks/pricing")),
        ]);
    });

    it("prices a LoadBalancer Service annotated for an NLB as a Network Load Balancer with its capacity units unknown", () => {
        const service: CostResource = {
            type: "kubernetes:core/v1:Service",
            name: "gw",
            parent: "",
            inputs: {
                metadata: { name: "gw", namespace: "istio-system", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } },
                spec: { type: "LoadBalancer" },
            },
        };
        expect(networkLines([service], "aws", 3)).toEqual([
            line(
                "Network Load Balancer: Service istio-system/gw (type LoadBalancer)",
                730,
                "load-balancer-hour",
                0.0225,
                16.43,
                AWS("elasticloadbalancing/pricing"),
            ),
            line(`Network Load Balancer capacity units: ${UNKNOWN_TRAFFIC}`, null, "NLCU-hour", 0.006, null, AWS("elasticloadbalancing/pricing")),
        ]);
    });
});
