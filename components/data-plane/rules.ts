// Cross-field rules of the data plane: each managed service belongs to one
// cloud, an existing cluster gets none (kfstack creates no cloud resources
// there), and a tenant's IAM role name must be one IAM accepts.
import type { StackConfig } from "../config/schema";
import { platformName } from "../config/names";
import type { ConfigProblem } from "../config/topology";
import { IN_CLUSTER, MANAGED, dataPlaneSettingsOf, tenantRoleName } from "./settings";

/** IAM role names: at most 64 of these characters (IAM CreateRole, RoleName). */
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Managed services whose builder is not written yet (components/data-plane/ has aws-*.ts only). */
const NOT_BUILT: ReadonlySet<string> = new Set(["gcs", "cloudsql"]);

const SERVICES = {
    objectStore: { s3: "aws", gcs: "gcp" },
    database: { rds: "aws", cloudsql: "gcp" },
} as const;

export function dataPlaneProblems(config: StackConfig, stack: string): ConfigProblem[] {
    const settings = dataPlaneSettingsOf(config);
    const problems = (["objectStore", "database"] as const).flatMap((key) => serviceProblems(config, key, settings[key]));
    if (config.cloud === "aws" && settings.objectStore === "s3") problems.push(...roleNameProblems(config, stack));
    return problems;
}

/** A managed service of another cloud, any on an existing cluster, or one whose builder does not exist yet. */
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
        const choices = [MANAGED[config.cloud][key], IN_CLUSTER[key]].filter((choice) => !NOT_BUILT.has(choice));
        return [{ path, message: `is ${value}, which only ${cloud} provides, but this stack's cloud is ${config.cloud}; use ${choices.join(" or ")}` }];
    }
    return NOT_BUILT.has(value) ? [{ path, message: `is ${value}, which kfstack cannot create yet; set ${IN_CLUSTER[key]} until it can` }] : [];
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
