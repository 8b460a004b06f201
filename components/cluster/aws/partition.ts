// ARNs and service principals differ by AWS partition; GovCloud (aws-us-gov)
// is a first-class target for US DoD installs. The partition follows from the
// region, so it is derived here rather than looked up with an invoke (which an
// offline plan could not answer).

export interface AwsPartition {
    name: "aws" | "aws-us-gov";
    dnsSuffix: string;
}

const COMMERCIAL: AwsPartition = { name: "aws", dnsSuffix: "amazonaws.com" };
const GOVCLOUD: AwsPartition = { name: "aws-us-gov", dnsSuffix: "amazonaws.com" };

const UNSUPPORTED_PREFIXES = ["cn-", "us-iso-", "us-isob-", "eu-isoe-", "us-isof-"];

/** The partition of a region, or undefined for partitions kfstack does not support (China, ISO). */
export function partitionOf(region: string): AwsPartition | undefined {
    if (UNSUPPORTED_PREFIXES.some((prefix) => region.startsWith(prefix))) return undefined;
    return region.startsWith("us-gov-") ? GOVCLOUD : COMMERCIAL;
}

export function awsManagedPolicyArn(partition: AwsPartition, policyName: string): string {
    return `arn:${partition.name}:iam::aws:policy/${policyName}`;
}

export function eksAccessPolicyArn(partition: AwsPartition, policyName: string): string {
    return `arn:${partition.name}:eks::aws:cluster-access-policy/${policyName}`;
}

export function servicePrincipal(partition: AwsPartition, service: string): string {
    return `${service}.${partition.dnsSuffix}`;
}
