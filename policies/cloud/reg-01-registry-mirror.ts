// REG-01: an air-gapped stack reaches its registry mirror and object storage
// privately, and every mirror repository keeps tags immutable and scans images.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/policy";
import {
    ARTIFACT_REGISTRY_REPOSITORY,
    ECR_REPOSITORY,
    EKS_CLUSTER,
    GCP_SUBNETWORK,
    GKE_CLUSTER,
    VPC_ENDPOINT,
    describeCloudResource,
    quoted,
} from "./resources";
import { clusterFactsOf } from "../lib/facts";
import { listOf } from "../../core/text";
import { recordAt } from "../../core/records";

interface Config {
    airGapped: boolean;
    awsEndpoints: string[];
}

type Report = (message: string, urn?: string) => void;

/** "ecr.api" of "com.amazonaws.us-gov-west-1.ecr.api" (and of "cn.com.amazonaws.cn-north-1.ecr.api"). */
function endpointService(serviceName: unknown): string | undefined {
    const match = typeof serviceName === "string" ? /^(?:cn\.)?com\.amazonaws\.[a-z0-9-]+\.(.+)$/.exec(serviceName) : null;
    return match?.[1];
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

function checkAwsEndpoints(resources: PolicyResource[], required: string[], report: Report): void {
    const endpoints = resources
        .filter((resource) => resource.type === VPC_ENDPOINT)
        .map((resource) => ({ resource, service: endpointService(resource.props["serviceName"]) }));
    const missing = required.filter((service) => !endpoints.some((endpoint) => endpoint.service === service));
    if (missing.length) {
        report(
            `The air-gapped stack has no VPC ${missing.length === 1 ? "endpoint" : "endpoints"} for ${listOf(missing)}, so its nodes cannot reach ${missing.length === 1 ? "it" : "them"} without the internet; ` +
                `create ${listOf(missing.map((service) => `com.amazonaws.<region>.${service}`))} in the cluster's VPC (interface endpoints with private DNS; S3 as a gateway endpoint on the private route tables).`,
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
        "Every mirror repository keeps tags immutable and scans on push (ECR imageTagMutability IMMUTABLE, imageScanningConfiguration.scanOnPush; Artifact Registry dockerConfig.immutableTags). An air-gapped stack also has a mirror repository and private paths to it: VPC endpoints for ecr.api, ecr.dkr and s3 on AWS, Private Google Access on every GKE subnetwork.",
    reason: "A mutable mirror tag can be re-pushed with a different image, so the digest the BOM verified is no longer what runs; unscanned mirrors hide known CVEs; an air-gapped cluster without private endpoints to its registry and object storage cannot pull a single image.",
    remediation:
        'Create mirror repositories with imageTagMutability "IMMUTABLE" and imageScanningConfiguration.scanOnPush true (Artifact Registry: dockerConfig.immutableTags true); for an air-gapped stack add interface VPC endpoints with private DNS for ecr.api and ecr.dkr and an S3 gateway endpoint (GKE: privateIpGoogleAccess on the node subnetwork).',
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
                default: ["ecr.api", "ecr.dkr", "s3"],
                description:
                    'The AWS services an air-gapped stack needs VPC endpoints for, as the suffix of the service name ("ecr.api" of com.amazonaws.<region>.ecr.api).',
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
            checkAwsEndpoints(resources, config.awsEndpoints, reportViolation);
            if (!has(ECR_REPOSITORY)) {
                reportViolation(
                    "The air-gapped stack creates no ECR mirror repository, so its images have nowhere to come from; create the mirror repositories (aws:ecr/repository:Repository) in the stack.",
                );
            }
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
