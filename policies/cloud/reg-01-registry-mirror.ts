// REG-01: an air-gapped stack reaches its registry mirror and object storage
// privately, and every mirror repository keeps tags immutable and scans images.
// On AWS, air-gapped means the VPC has no way out (no internet or NAT gateway),
// so every AWS API the nodes, add-ons and autoscaler call needs a VPC endpoint.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/policy";
import {
    ARTIFACT_REGISTRY_REPOSITORY,
    ECR_REPOSITORY,
    EKS_CLUSTER,
    GCP_SUBNETWORK,
    GKE_CLUSTER,
    INTERNET_GATEWAYS,
    NAT_GATEWAY,
    VPC_ENDPOINT,
    describeCloudResource,
    quoted,
} from "./resources";
import { clusterFactsOf } from "../lib/facts";
import { listOf } from "../../core/text";
import { recordAt } from "../../core/records";
import { ecrRegion } from "../../core/image-references";

interface Config {
    airGapped: boolean;
    awsEndpoints: string[];
    mirrorPrefix?: string;
}

/** What an EKS cluster with no route to the internet calls (components/cluster/aws/endpoints.ts creates them). */
const AIR_GAP_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts", "eks", "eks-auth", "ec2", "elasticloadbalancing", "autoscaling", "logs", "kms", "s3"];

type Report = (message: string, urn?: string) => void;

/** Region and service ("us-gov-west-1", "ecr.api") of "com.amazonaws.us-gov-west-1.ecr.api" (and of "cn.com.amazonaws.cn-north-1.ecr.api"). */
function endpointService(serviceName: unknown): { region: string; service: string } | undefined {
    const match = typeof serviceName === "string" ? /^(?:cn\.)?com\.amazonaws\.([a-z0-9-]+)\.(.+)$/.exec(serviceName) : null;
    return match ? { region: match[1]!, service: match[2]! } : undefined;
}

function checkRepositories(resources: PolicyResource[], report: Report): void {
    for (const resource of resources) {
        const what = describeCloudResource(resource.type, resource.name);
        if (resource.type === ECR_REPOSITORY) {
            const mutability: unknown = resource.props["imageTagMutability"];
            if (mutability !== "IMMUTABLE") {
                report(
                    `${what} lets a pushed tag be overwritten (imageTagMutability is ${mutability === undefined ? "not set, and ECR defaults to MUTABLE" : quoted(mutability)}); set imageTagMutability to "IMMUTABLE".`,
                    resource.urn,
                );
            }
            if (recordAt(resource.props, "imageScanningConfiguration")["scanOnPush"] !== true) {
                report(`${what} does not scan images on push; set imageScanningConfiguration.scanOnPush to true.`, resource.urn);
            }
        } else if (resource.type === ARTIFACT_REGISTRY_REPOSITORY) {
            // Only standard Docker repositories hold images; remote and virtual ones front other registries. Scanning is a project setting (Container Scanning API), not the repository's.
            const format: unknown = resource.props["format"];
            const mode: unknown = resource.props["mode"];
            if (typeof format !== "string" || format.toUpperCase() !== "DOCKER" || (mode !== undefined && mode !== "STANDARD_REPOSITORY")) continue;
            if (recordAt(resource.props, "dockerConfig")["immutableTags"] !== true) {
                report(`${what} lets a pushed tag be overwritten; set dockerConfig.immutableTags to true.`, resource.urn);
            }
        }
    }
}

type Endpoint = { resource: PolicyResource; region?: string; service?: string };

function checkAwsEndpoints(endpoints: Endpoint[], required: string[], report: Report): void {
    const missing = required.filter((service) => !endpoints.some((endpoint) => endpoint.service === service));
    if (missing.length) {
        report(
            `The air-gapped stack has no VPC ${missing.length === 1 ? "endpoint" : "endpoints"} for ${listOf(missing)}, so its nodes cannot reach ${missing.length === 1 ? "it" : "them"} without the internet; ` +
                `create ${listOf(missing.map((service) => `com.amazonaws.<region>.${service}`))} in the cluster's VPC (interface endpoints with private DNS; S3 as a gateway endpoint on the private route tables).`,
        );
    }
    const s3 = endpoints.filter((endpoint) => endpoint.service === "s3");
    if (required.includes("s3") && s3.length > 0 && !s3.some(({ resource }) => resource.props["vpcEndpointType"] === "Gateway")) {
        report(
            "The air-gapped stack reaches S3 only through an interface endpoint, which resolves only where its private DNS answers; ECR's image layers come from S3, so add an S3 gateway endpoint (vpcEndpointType \"Gateway\") on the private subnets' route tables.",
        );
    }
    // An interface endpoint without private DNS leaves the regional name (where kubelet and containerd pull from) resolving to the public service.
    for (const { resource, service } of endpoints) {
        if (!service || service === "s3" || !required.includes(service)) continue;
        const what = describeCloudResource(resource.type, resource.name);
        if (resource.props["vpcEndpointType"] !== "Interface") {
            report(
                `${what} for ${service} is not an interface endpoint (vpcEndpointType is ${quoted(resource.props["vpcEndpointType"])}); set vpcEndpointType to "Interface".`,
                resource.urn,
            );
        } else if (resource.props["privateDnsEnabled"] !== true) {
            report(
                `${what} for ${service} has no private DNS, so nodes still resolve ${service} to the public service; set privateDnsEnabled to true.`,
                resource.urn,
            );
        }
    }
}

/** An air-gapped VPC has no way out: an internet or NAT gateway is a route around the mirror and the endpoints. */
function checkNoWayOut(resources: PolicyResource[], report: Report): void {
    for (const resource of resources) {
        const what = describeCloudResource(resource.type, resource.name);
        if (INTERNET_GATEWAYS.includes(resource.type)) {
            report(`The air-gapped stack creates ${what}, a route to the internet; remove it (and the public subnets and routes that use it).`, resource.urn);
        } else if (resource.type === NAT_GATEWAY) {
            report(`The air-gapped stack creates ${what}, a route to the internet; remove it and reach AWS through VPC endpoints.`, resource.urn);
        }
    }
}

/** The mirror is ECR repositories the stack creates, or the ECR registry of its mirrorPrefix in the region its ECR endpoints serve. */
function checkEcrMirror(resources: PolicyResource[], endpoints: Endpoint[], mirrorPrefix: string | undefined, report: Report): void {
    if (resources.some((resource) => resource.type === ECR_REPOSITORY)) return;
    const region = mirrorPrefix === undefined ? undefined : ecrRegion(mirrorPrefix);
    if (region === undefined) {
        report(
            `The air-gapped stack creates no ECR mirror repository${mirrorPrefix === undefined ? "" : ` and its mirror ${quoted(mirrorPrefix)} is not an ECR registry`}, so its images have nowhere to come from; create the mirror repositories (aws:ecr/repository:Repository) in the stack, or point it at the ECR mirror stack's registryPrefix (registry/).`,
        );
    } else if (!endpoints.some((endpoint) => endpoint.service === "ecr.dkr" && endpoint.region === region)) {
        report(
            `The air-gapped stack's mirror ${quoted(mirrorPrefix)} is ECR in ${region}, but the stack has no ecr.dkr endpoint in ${region}, so its nodes cannot reach the mirror; create the mirror in the cluster's region.`,
        );
    }
}

function checkPrivateGoogleAccess(resources: PolicyResource[], report: Report): void {
    for (const resource of resources) {
        if (resource.type !== GCP_SUBNETWORK || resource.props["privateIpGoogleAccess"] === true) continue;
        report(
            `${describeCloudResource(resource.type, resource.name)} has no Private Google Access, so nodes without public addresses cannot reach Artifact Registry or Cloud Storage in an air-gapped stack; set privateIpGoogleAccess to true.`,
            resource.urn,
        );
    }
}

export const registryMirror = stackPolicy({
    id: "REG-01",
    slug: "registry-mirror",
    description:
        "Every mirror repository keeps tags immutable and scans on push (ECR imageTagMutability IMMUTABLE, imageScanningConfiguration.scanOnPush; Artifact Registry dockerConfig.immutableTags). An air-gapped stack also has a mirror and private paths to it: on AWS no internet or NAT gateway, an ECR mirror (created by the stack, or its airGap.registry in the region of its endpoints), and VPC endpoints for ecr.api, ecr.dkr, sts, eks, eks-auth, ec2, elasticloadbalancing, autoscaling, logs, kms (interface, private DNS) and s3 (a gateway endpoint); on GKE Private Google Access on every subnetwork.",
    reason: "A mutable mirror tag can be re-pushed with a different image, so the digest the BOM verified is no longer what runs; unscanned mirrors hide known CVEs; an air-gapped cluster without private endpoints to its registry and object storage cannot pull a single image.",
    remediation:
        'Create mirror repositories with imageTagMutability "IMMUTABLE" and imageScanningConfiguration.scanOnPush true (Artifact Registry: dockerConfig.immutableTags true); for an air-gapped AWS stack remove internet and NAT gateways, add interface VPC endpoints with private DNS for ecr.api, ecr.dkr, sts, eks, eks-auth, ec2, elasticloadbalancing, autoscaling, logs and kms and an S3 gateway endpoint, and mirror into ECR in the region of the cluster (GKE: privateIpGoogleAccess on the node subnetwork).',
    configSchema: {
        properties: {
            airGapped: {
                type: "boolean",
                default: false,
                description:
                    "The stack has no route to the internet: require a mirror repository and private endpoints to it. Until the stack schema carries air-gap, set it here.",
            },
            awsEndpoints: {
                type: "array",
                items: { type: "string" },
                default: AIR_GAP_ENDPOINTS,
                description:
                    'The AWS services an air-gapped stack needs VPC endpoints for, as the suffix of the service name ("ecr.api" of com.amazonaws.<region>.ecr.api).',
            },
            mirrorPrefix: {
                type: "string",
                description:
                    "The air-gapped stack's mirror (airGap.registry): on AWS, an ECR registry in the region of the stack's ECR endpoints stands in for repositories the stack creates.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const resources = args.resources;
        checkRepositories(resources, reportViolation);
        if (!config.airGapped) return;
        const facts = clusterFactsOf(args)?.facts;
        const has = (type: string) => resources.some((resource) => resource.type === type);
        const cloud = facts?.cloud ?? (has(EKS_CLUSTER) ? "aws" : has(GKE_CLUSTER) ? "gcp" : "existing");
        if (cloud === "aws") {
            const endpoints = resources
                .filter((resource) => resource.type === VPC_ENDPOINT)
                .map((resource) => ({ resource, ...endpointService(resource.props["serviceName"]) }));
            checkAwsEndpoints(endpoints, config.awsEndpoints, reportViolation);
            checkNoWayOut(resources, reportViolation);
            checkEcrMirror(resources, endpoints, config.mirrorPrefix, reportViolation);
        } else if (cloud === "gcp") {
            checkPrivateGoogleAccess(resources, reportViolation);
            if (!has(ARTIFACT_REGISTRY_REPOSITORY)) {
                reportViolation(
                    "The air-gapped stack creates no Artifact Registry mirror repository, so its images have nowhere to come from; create a Docker repository (gcp:artifactregistry/repository:Repository) in the stack.",
                );
            }
        }
    },
});
