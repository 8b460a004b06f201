// The data plane of a stack with every default applied, here and only here:
// testing stacks and existing clusters keep MinIO and MySQL in the cluster,
// production stacks on a cloud use its managed object store and database.
import { googleAccountId } from "../cluster/gcp/account-id";
import type { StackConfig } from "../config/schema";

export type ObjectStoreKind = "minio" | "s3" | "gcs";
export type DatabaseKind = "in-cluster" | "rds" | "cloudsql";

export interface DataPlaneSettings {
    readonly objectStore: ObjectStoreKind;
    readonly database: DatabaseKind;
    /** Automated backups (and point-in-time recovery) of a managed database. */
    readonly backupRetentionDays: number;
    readonly deletionProtection: boolean;
    /** Pulumi leaves the bucket, the database and the data volumes in place when it deletes them (resource option retainOnDelete). */
    readonly retainOnDelete: boolean;
    /** RDS Multi-AZ; Cloud SQL regional availability. */
    readonly highAvailability: boolean;
    /** RDS instance class or Cloud SQL tier (unused where the database stays in the cluster). */
    readonly instanceClass: string;
    readonly storageGiB: number;
}

/** What a managed database (RDS, Cloud SQL) is built from. */
export type DatabaseSettings = Pick<
    DataPlaneSettings,
    "backupRetentionDays" | "deletionProtection" | "retainOnDelete" | "highAvailability" | "instanceClass" | "storageGiB"
>;

/** The managed services of each cloud, as its production default. */
export const MANAGED: Readonly<Record<"aws" | "gcp", { objectStore: ObjectStoreKind; database: DatabaseKind }>> = {
    aws: { objectStore: "s3", database: "rds" },
    gcp: { objectStore: "gcs", database: "cloudsql" },
};

export const IN_CLUSTER = { objectStore: "minio", database: "in-cluster" } as const;

/** Database sizes by cloud and topology: MySQL for Pipelines, ML Metadata and Katib is small next to the cluster. */
const INSTANCE_CLASSES: Readonly<Record<"aws" | "gcp", Record<StackConfig["topology"], string>>> = {
    aws: { testing: "db.t4g.medium", production: "db.m7g.large" },
    gcp: { testing: "db-custom-2-7680", production: "db-custom-4-15360" },
};

export function dataPlaneSettingsOf(config: StackConfig): DataPlaneSettings {
    const production = config.topology === "production";
    const defaults = config.cloud !== "existing" && production ? MANAGED[config.cloud] : IN_CLUSTER;
    const dataPlane = config.dataPlane;
    return {
        objectStore: dataPlane.objectStore ?? defaults.objectStore,
        database: dataPlane.database ?? defaults.database,
        backupRetentionDays: dataPlane.backupRetentionDays ?? (production ? 14 : 7),
        deletionProtection: dataPlane.deletionProtection ?? production,
        retainOnDelete: dataPlane.retainOnDelete ?? production,
        highAvailability: dataPlane.highAvailability ?? production,
        storageGiB: dataPlane.storageGiB ?? (production ? 200 : 50),
        instanceClass: dataPlane.instanceClass ?? INSTANCE_CLASSES[config.cloud === "gcp" ? "gcp" : "aws"][config.topology],
    };
}

/** The IAM role (aws) of a tenant's artifacts: the cluster's name with the tenant's as its suffix. */
export function tenantRoleName(clusterName: string, tenant: string): string {
    return `${clusterName}-artifacts-${tenant}`;
}

/** The Google service account (gcp) of a tenant's artifacts ("t-" keeps a tenant from taking a platform account's id). */
export function tenantAccountId(clusterName: string, tenant: string): string {
    return googleAccountId(clusterName, `t-${tenant}`);
}
