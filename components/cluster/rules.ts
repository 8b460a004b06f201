// Cross-field rules of a stack's cluster settings: zones inside the region, the
// AWS partition, who may reach the API and the VPC layout. They run inside the
// config parse, so they must not assume formats (a malformed CIDR is still a string).
import { prefixLength } from "../../core/cidr";
import { ecrRegion } from "../../core/image-references";
import type { StackConfig } from "../config/schema";
import type { ConfigProblem } from "../config/topology";
import { partitionOf } from "./aws/partition";

const OPEN_TO_INTERNET = "0.0.0.0/0";
const MAX_CREATED_VPC_ZONES = 6;

export function clusterProblems(config: StackConfig): ConfigProblem[] {
    return [...zoneProblems(config), ...cloudProblems(config), ...endpointProblems(config), ...airGapProblems(config)];
}

/**
 * An air-gapped aws stack's VPC has no route out: the API is private, the mirror is ECR in the stack's region (reached
 * through the VPC's ECR endpoints, pulled with the node role), and an existing VPC names where the endpoints go.
 */
function airGapProblems(config: StackConfig): ConfigProblem[] {
    if (config.cloud !== "aws" || !config.airGap.enabled) return [];
    const problems: ConfigProblem[] = [];
    if (!config.privateEndpoint.enabled) {
        problems.push({
            path: ["privateEndpoint", "enabled"],
            message: "is false, but an air-gapped cluster has no public API endpoint; set it to true and list your networks in privateEndpoint.allowedCidrs",
        });
    }
    const { existingVpc, natGateways } = config.network;
    if (!existingVpc && natGateways !== undefined) {
        problems.push({ path: ["network", "natGateways"], message: "is set, but an air-gapped stack's VPC has no internet gateway or NAT; remove it" });
    }
    if (existingVpc && !existingVpc.endpointSubnets) {
        problems.push({
            path: ["network", "existingVpc", "endpointSubnets"],
            message: "is required on an air-gapped stack: kfstack puts the interface endpoints of ECR, STS, EKS and the other AWS APIs the nodes call there",
        });
    }
    if (config.airGap.registry !== undefined && ecrRegion(config.airGap.registry) !== config.region) {
        problems.push({
            path: ["airGap", "registry"],
            message: `${config.airGap.registry} is not an ECR registry in ${config.region}, which is all an air-gapped VPC reaches; use the registryPrefix output of the mirror stack (registry/) in the same region, <account>.dkr.ecr.${config.region}.amazonaws.com/<repositoryPrefix>`,
        });
    }
    return problems;
}

function zoneProblems(config: StackConfig): ConfigProblem[] {
    if (config.cloud === "existing") return [];
    const pattern = config.cloud === "aws" ? /^(.+)[a-z]$/ : /^(.+)-[a-z]$/;
    const example = config.cloud === "aws" ? `${config.region}a` : `${config.region}-a`;
    const seen = new Set<string>();
    return config.zones.flatMap((zone, index): ConfigProblem[] => {
        const path = ["zones", index];
        if (seen.has(zone)) return [{ path, message: `${zone} is listed twice; list each zone once` }];
        seen.add(zone);
        return pattern.exec(zone)?.[1] === config.region
            ? []
            : [{ path, message: `${zone} is not a zone of region ${config.region}; zones look like ${example}` }];
    });
}

function cloudProblems(config: StackConfig): ConfigProblem[] {
    switch (config.cloud) {
        case "aws": {
            const problems: ConfigProblem[] = [];
            const partition = partitionOf(config.region);
            if (!partition) {
                problems.push({
                    path: ["region"],
                    message: `${config.region} is in a partition kfstack does not support; use a commercial or GovCloud (us-gov-*) region`,
                });
            }
            config.aws.clusterAdmins.forEach((arn, index) => {
                if (partition && !arn.startsWith(`arn:${partition.name}:`)) {
                    problems.push({
                        path: ["aws", "clusterAdmins", index],
                        message: `${arn} is not in partition ${partition.name} of region ${config.region}; use an arn:${partition.name}: ARN`,
                    });
                }
            });
            const { existingVpc, vpcCidr, natGateways } = config.network;
            if (existingVpc && vpcCidr !== undefined) {
                problems.push({ path: ["network", "vpcCidr"], message: "is for a VPC kfstack creates; remove it when network.existingVpc is set" });
            }
            if (existingVpc && natGateways !== undefined) {
                problems.push({ path: ["network", "natGateways"], message: "is for a VPC kfstack creates; the existing VPC keeps its own NAT" });
            }
            // The created VPC is carved into one /19-of-a-/16 per zone plus a block for public subnets.
            const prefix = vpcCidr === undefined ? undefined : prefixLength(vpcCidr);
            if (!existingVpc && prefix !== undefined && (prefix < 16 || prefix > 20)) {
                problems.push({
                    path: ["network", "vpcCidr"],
                    message: `${vpcCidr} must be a /16 to /20, to hold a private subnet per zone and the public subnets`,
                });
            }
            if (!existingVpc && config.zones.length > MAX_CREATED_VPC_ZONES) {
                problems.push({ path: ["zones"], message: `lists ${config.zones.length} zones; a VPC kfstack creates spans at most ${MAX_CREATED_VPC_ZONES}` });
            }
            if (existingVpc && existingVpc.privateSubnetIds.length < config.zones.length) {
                problems.push({
                    path: ["network", "existingVpc", "privateSubnetIds"],
                    message: `lists ${existingVpc.privateSubnetIds.length} subnets for ${config.zones.length} zones; give one private subnet per zone`,
                });
            }
            return problems;
        }
        case "gcp": {
            const problems: ConfigProblem[] = [];
            if (!config.network.masterCidr.endsWith("/28")) {
                problems.push({
                    path: ["network", "masterCidr"],
                    message: `${config.network.masterCidr} is not a /28; GKE needs a /28 for the control plane, such as 172.16.0.0/28`,
                });
            }
            for (const [key, value] of Object.entries(config.tags)) {
                if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key) || !/^[a-z0-9_-]{0,63}$/.test(value)) {
                    problems.push({ path: ["tags", key], message: `"${key}: ${value}" is not a valid GCP label; use lowercase letters, digits, '_' and '-'` });
                }
            }
            return problems;
        }
        case "existing":
            return [];
    }
}

function endpointProblems(config: StackConfig): ConfigProblem[] {
    if (config.cloud === "existing" || config.privateEndpoint.enabled) return [];
    const cidrs = config.privateEndpoint.allowedCidrs;
    if (cidrs.length === 0) {
        return [
            {
                path: ["privateEndpoint", "allowedCidrs"],
                message: "is empty, which leaves a public API endpoint open to the internet; list the networks that may reach it",
            },
        ];
    }
    const open = cidrs.indexOf(OPEN_TO_INTERNET);
    if (open >= 0 && config.topology === "production") {
        return [
            {
                path: ["privateEndpoint", "allowedCidrs", open],
                message: "0.0.0.0/0 opens a production API to the internet; list your networks, or enable the private endpoint",
            },
        ];
    }
    return [];
}
