// The cloud-specific sections of the stack file's schema: region, zones, network and settings of aws and gcp.
import { z } from "zod";
import { AWS_REGIONS, GCP_REGIONS } from "../cluster/regions";
import { ipv4Cidr } from "./fields";

/** The CIDR of a VPC kfstack creates when the stack names none. */
export const DEFAULT_VPC_CIDR = "10.0.0.0/16";

/** A region of the table (components/cluster/regions.ts); a typo gets the regions that share its prefix. */
function knownRegion(cloud: string, regions: readonly string[], example: string) {
    const article = /^[AEIOU]/.test(cloud) ? "an" : "a";
    return z
        .string({
            error: (issue) =>
                issue.input === undefined
                    ? `is required: ${article} ${cloud} region such as ${example}`
                    : `must be ${article} ${cloud} region such as ${example}`,
        })
        .refine((value) => regions.includes(value), {
            error: (issue) => {
                const input = String(issue.input);
                const prefix = input.replace(/-?[0-9]+$/, "");
                const near = regions.filter((candidate) => prefix.length > 0 && candidate.startsWith(prefix));
                return `is not ${article} ${cloud} region kfstack knows: ${JSON.stringify(input)}${near.length ? `; did you mean ${near.join(", ")}?` : `; use one such as ${example}`} (a new region goes into components/cluster/regions.ts)`;
            },
        });
}

export const awsRegion = knownRegion("AWS", Object.values(AWS_REGIONS).flat(), "us-west-2 or us-gov-west-1").describe(
    "AWS region, commercial or GovCloud (e.g. us-west-2, us-gov-west-1); checked against components/cluster/regions.ts.",
);
export const gcpRegion = knownRegion("GCP", GCP_REGIONS, "us-central1").describe(
    "GCP region (e.g. us-central1); checked against components/cluster/regions.ts.",
);
export const zones = z
    .array(z.string().min(1))
    .min(2, { error: "needs at least 2 zones so the cluster survives the loss of one" })
    .describe("Availability zones in the region (at least 2).");

export const awsNetwork = z
    .strictObject({
        vpcCidr: ipv4Cidr.optional().describe(`CIDR of the VPC kfstack creates (default ${DEFAULT_VPC_CIDR}).`),
        natGateways: z.enum(["single", "perZone"]).optional().describe("NAT gateways: one (testing default) or one per zone (production default)."),
        existingVpc: z
            .strictObject({
                vpcId: z
                    .string()
                    .regex(/^vpc-[0-9a-f]{8,17}$/, { error: "must be a VPC id such as vpc-0abc1234" })
                    .describe("The VPC's id."),
                privateSubnetIds: z
                    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "must be a subnet id such as subnet-0abc1234" }))
                    .min(2, { error: "needs private subnets in at least 2 zones" })
                    .describe("One private subnet per zone, for nodes and the control plane's network interfaces."),
                routeTableIds: z
                    .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, { error: "must be a route table id such as rtb-0abc1234" }))
                    .min(1, { error: "needs the private subnets' route tables, to attach the S3 gateway endpoint" })
                    .describe("Route tables of the private subnets; kfstack adds the S3 gateway endpoint to them."),
                cidrBlocks: z
                    .array(ipv4Cidr, {
                        error: (issue) =>
                            issue.input === undefined
                                ? "is required with an existing VPC: list its IPv4 CIDR blocks (aws ec2 describe-vpcs --vpc-ids <id> --query 'Vpcs[0].CidrBlockAssociationSet[].CidrBlock'); the VPC CNI gives pods addresses from them"
                                : undefined,
                    })
                    .min(1, { error: "is empty; list the VPC's IPv4 CIDR blocks, primary and secondary" })
                    .describe(
                        "The VPC's IPv4 CIDR blocks, primary and secondary: the VPC CNI gives pods addresses from them (the pod network the tenancy audit matches ipBlocks against), and the API server's network interfaces sit in them.",
                    ),
                endpointSubnets: z
                    .array(
                        z.strictObject({
                            id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "must be a subnet id such as subnet-0abc1234" }),
                            cidr: ipv4Cidr,
                        }),
                    )
                    .min(2, { error: "needs a subnet in at least 2 zones" })
                    .optional()
                    .describe(
                        "Small subnets (a /28 or more per zone) holding no nodes, by id and CIDR, where kfstack puts the STS and S3 interface endpoints tenant pods reach; required when the object store is s3.",
                    ),
            })
            .optional()
            .describe("Use this VPC instead of creating one."),
    })
    .default({})
    .describe("The VPC: created by kfstack, or an existing one.");

/** The VPC's address blocks: where the VPC CNI gives pods addresses and the API server's network interfaces sit. */
export function vpcCidrBlocks(network: z.infer<typeof awsNetwork>): string[] {
    return network.existingVpc ? network.existingVpc.cidrBlocks : [network.vpcCidr ?? DEFAULT_VPC_CIDR];
}

export const awsSettings = z
    .strictObject({
        clusterAdmins: z
            .array(
                z.string().regex(/^arn:aws(-us-gov)?:iam::[0-9]{12}:(role|user)\/.+$/, {
                    error: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins",
                }),
            )
            .default([])
            .describe("IAM principals given cluster-admin through EKS access entries."),
        supportType: z.enum(["STANDARD", "EXTENDED"]).default("STANDARD").describe("EKS upgrade policy: STANDARD, or EXTENDED (paid) support."),
        logRetentionDays: z.number().int().min(1).default(90).describe("Retention of the control-plane log group."),
    })
    .default({ clusterAdmins: [], supportType: "STANDARD", logRetentionDays: 90 })
    .describe("EKS settings.");

export const gcpNetwork = z
    .strictObject({
        subnetCidr: ipv4Cidr.default("10.10.0.0/20").describe("Primary range of the node subnet."),
        podsCidr: ipv4Cidr.default("10.16.0.0/14").describe("Secondary range for pods."),
        servicesCidr: ipv4Cidr.default("10.20.0.0/20").describe("Secondary range for services."),
        masterCidr: ipv4Cidr.default("172.16.0.0/28").describe("The control plane's /28."),
    })
    .default({
        subnetCidr: "10.10.0.0/20",
        podsCidr: "10.16.0.0/14",
        servicesCidr: "10.20.0.0/20",
        masterCidr: "172.16.0.0/28",
    });

export const gcpSettings = z
    .strictObject({
        project: z
            .string()
            .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, {
                error: "must be a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
            })
            .describe("GCP project id."),
        releaseChannel: z
            .enum(["UNSPECIFIED", "RAPID", "REGULAR", "STABLE"])
            .default("REGULAR")
            .describe("GKE release channel; UNSPECIFIED pins kubernetesVersion with node auto-upgrade off."),
        deletionProtection: z.boolean().default(true).describe("Refuse to delete the cluster until turned off."),
        controlPlaneAccess: z
            .enum(["dnsEndpoint", "privateNetwork"])
            .default("dnsEndpoint")
            .describe(
                "How pulumi up and kubectl reach the control plane: GKE's DNS-based endpoint, authorized by IAM (container.clusters.connect) from any network with no IP exposed, or its IP endpoint from privateEndpoint.allowedCidrs only (run from inside the VPC or over VPN).",
            ),
    })
    .describe("GKE settings.");
