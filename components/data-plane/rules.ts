// Cross-field rules of the data plane: each managed service belongs to one
// cloud, an existing cluster gets none (kfstack creates no cloud resources
// there), and a tenant's IAM role name (aws) or Google service account id
// (gcp) must be one the cloud accepts.
import type { StackConfig } from "../config/schema";
import { platformName } from "../config/names";
import type { ConfigProblem } from "../config/topology";
import { IN_CLUSTER, MANAGED, dataPlaneSettingsOf, tenantAccountId, tenantRoleName } from "./settings";

/** IAM role names: at most 64 of these characters (IAM CreateRole, RoleName). */
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Google service account ids: 6 to 30 lowercase letters, digits and hyphens, starting with a letter, not ending in a hyphen. */
const GOOGLE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

const SERVICES = {
    objectStore: { s3: "aws", gcs: "gcp" },
    database: { rds: "aws", cloudsql: "gcp" },
} as const;

export function dataPlaneProblems(config: StackConfig, stack: string): ConfigProblem[] {
    const settings = dataPlaneSettingsOf(config);
    const problems = (["objectStore", "database"] as const).flatMap((key) => serviceProblems(config, key, settings[key]));
    if (config.cloud === "aws" && settings.objectStore === "s3") problems.push(...roleNameProblems(config, stack), ...endpointSubnetProblems(config));
    if (config.cloud === "gcp" && settings.objectStore === "gcs") problems.push(...accountIdProblems(config, stack));
    return problems;
}

/** A managed service of another cloud, or any on an existing cluster. */
function serviceProblems(config: StackConfig, key: "objectStore" | "database", value: string): ConfigProblem[] {
    const path = ["dataPlane", key];
    const cloud = (SERVICES[key] as Record<string, "aws" | "gcp">)[value];
    if (cloud === undefined) return [];
    if (config.cloud === "existing")
        return [
            {
                path,
                message: `is ${value}, a managed ${cloud} service, but kfstack creates cloud services only beside a cluster it creates; an existing cluster uses ${IN_CLUSTER[key]}: remove the key`,
            },
        ];
    if (cloud !== config.cloud) {
        return [
            {
                path,
                message: `is ${value}, which only ${cloud} provides, but this stack's cloud is ${config.cloud}; use ${MANAGED[config.cloud][key]} or ${IN_CLUSTER[key]}`,
            },
        ];
    }
    return [];
}

/** Tenant pods reach STS and S3 through interface endpoints in subnets of their own: an existing VPC must name them. */
function endpointSubnetProblems(config: StackConfig): ConfigProblem[] {
    if (config.cloud !== "aws" || !config.network.existingVpc || config.network.existingVpc.endpointSubnets) return [];
    return [
        {
            path: ["network", "existingVpc", "endpointSubnets"],
            message:
                "is required with an existing VPC when the object store is s3: list a subnet per zone that holds no nodes ({ id: subnet-..., cidr: ... }, a /28 is enough), where kfstack puts the STS and S3 interface endpoints tenant pods may reach, or set dataPlane.objectStore: minio",
        },
    ];
}

/** Each tenant's artifacts role is named after the cluster and the tenant (tenantRoleName); IAM refuses names over 64 characters. */
function roleNameProblems(config: StackConfig, stack: string): ConfigProblem[] {
    // The cluster's name as the program derives it (components/cluster/create-cluster.ts).
    const clusterName = config.clusterName ?? platformName(stack);
    const room = 64 - tenantRoleName(clusterName, "").length;
    return config.tenants.flatMap((tenant, index): ConfigProblem[] => {
        const role = tenantRoleName(clusterName, tenant.name);
        if (IAM_ROLE_NAME.test(role)) return [];
        return [
            {
                path: ["tenants", index, "name"],
                message: `cannot end the IAM role name ${role} (${role.length} characters; IAM allows 64 of letters, digits and +=,.@_-): with cluster name ${clusterName}, use a tenant name of at most ${room} characters or a shorter clusterName`,
            },
        ];
    });
}

/**
 * The cluster's name as the program derives it (components/platform.ts). The stack's name comes from the Pulumi SDK,
 * required only here: reading a stack's settings without managed tenants (mirror bundle --stack) loads no Pulumi package.
 */

/**
 * Each tenant's Google service account id is the cluster's name, shortened with a hash where needed, and "t-<tenant>"
 * (tenantAccountId); GCP allows 30 characters, so the tenant's part must leave room for a hash and one character of the cluster's.
 */
function accountIdProblems(config: StackConfig, stack: string): ConfigProblem[] {
    const clusterName = config.clusterName ?? platformName(stack);
    return config.tenants.flatMap((tenant, index): ConfigProblem[] => {
        const id = tenantAccountId(clusterName, tenant.name);
        if (GOOGLE_ACCOUNT_ID.test(id)) return [];
        return [
            {
                path: ["tenants", index, "name"],
                message: `cannot end the Google service account id of its artifacts (t-${tenant.name}; GCP allows 30 characters for the whole id, and kfstack adds the cluster's name or a hash of it): use a tenant name of at most 19 characters`,
            },
        ];
    });
}
