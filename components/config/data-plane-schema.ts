// The `dataPlane` section of the stack file's schema: where Pipelines, ML
// Metadata and Katib keep their artifacts and databases. Unset values are
// resolved by topology and cloud in one place (components/data-plane/settings.ts);
// which values fit which cloud is checked in components/data-plane/rules.ts.
import { z } from "zod";

export const OBJECT_STORES = ["minio", "s3", "gcs"] as const;
export const DATABASES = ["in-cluster", "rds", "cloudsql"] as const;

export const dataPlane = z
    .strictObject({
        objectStore: z
            .enum(OBJECT_STORES)
            .optional()
            .describe(
                "Where pipeline artifacts live: minio (in the cluster), s3 (aws) or gcs (gcp). Default: minio on testing and existing clusters, the cloud's store in production.",
            ),
        database: z
            .enum(DATABASES)
            .optional()
            .describe("Where Pipelines, ML Metadata and Katib keep their databases: in-cluster MySQL, rds (aws) or cloudsql (gcp). Default as objectStore."),
        backupRetentionDays: z
            .number()
            .int()
            .min(7, { error: "must be at least 7: fewer days of automated backups leave no week to notice a bad run" })
            .max(35, { error: "must be at most 35, the longest automated backup retention RDS offers" })
            .optional()
            .describe(
                "Days of backups kept: a managed database's automated backups (and point-in-time recovery), or the in-cluster databases' daily dumps in MinIO (default: 7 testing, 14 production).",
            ),
        deletionProtection: z.boolean().optional().describe("Refuse to delete the managed database (default: on in production)."),
        retainOnDelete: z
            .boolean()
            .optional()
            .describe(
                "Leave the artifact bucket, the managed database and the in-cluster data volumes (and their namespace) in place when Pulumi deletes them, in `pulumi destroy` or a replacement (default: on in production; turning it off there is warned about in every plan).",
            ),
        highAvailability: z
            .boolean()
            .optional()
            .describe("A standby in a second zone for the managed database: RDS Multi-AZ, Cloud SQL regional (default: on in production)."),
        instanceClass: z.string().min(1).optional().describe("RDS instance class or Cloud SQL tier of the managed database (default by cloud and topology)."),
        storageGiB: z.number().int().min(20).optional().describe("Storage of the managed database in GiB (default: 50 testing, 200 production)."),
    })
    .prefault({})
    .describe("The data plane of Pipelines, ML Metadata and Katib: object store and database, in the cluster or managed by the cloud.");
