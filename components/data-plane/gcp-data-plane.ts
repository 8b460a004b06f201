// The managed data plane of a gcp stack: the GCS bucket, Cloud SQL for MySQL
// on the cluster's VPC, and the Google service accounts that reach the bucket.
import type * as pulumi from "@pulumi/pulumi";
import type { GkeCluster } from "../cluster/gcp/gke-cluster";
import { GcpDatabase } from "./gcp-database";
import { gcpIdentities } from "./gcp-identities";
import { GcpObjectStore } from "./gcp-object-store";
import { DATABASE_USER, MYSQL_PORT, type ManagedDataPlane, TENANT_ACCOUNT } from "./managed";
import type { DataPlaneSettings } from "./settings";

export interface GcpDataPlaneArgs {
    readonly settings: DataPlaneSettings;
    readonly cluster: GkeCluster;
    readonly clusterName: string;
    readonly region: string;
    readonly tenants: readonly string[];
}

/** Days an overwritten or deleted artifact version stays recoverable (as on aws). */
const NONCURRENT_VERSION_DAYS = 30;

export function gcpDataPlane(parent: pulumi.Resource, name: string, args: GcpDataPlaneArgs): ManagedDataPlane {
    const { settings, cluster, clusterName, region } = args;
    const labels = { "kfstack-cluster": clusterName };
    const store =
        settings.objectStore === "gcs"
            ? new GcpObjectStore(`${name}-gcs`, { region, noncurrentVersionDays: NONCURRENT_VERSION_DAYS, labels }, { parent })
            : undefined;
    const database =
        settings.database === "cloudsql"
            ? new GcpDatabase(`${name}-cloudsql`, { region, network: cluster.network.network.id, labels, settings }, { parent })
            : undefined;
    const identities = store
        ? gcpIdentities(parent, name, {
              project: cluster.project,
              clusterName,
              bucket: store.bucket.name,
              tenants: args.tenants,
              tenantAccount: TENANT_ACCOUNT,
          })
        : undefined;
    return {
        ...(store && identities
            ? {
                  objectStore: {
                      kind: "gcs",
                      bucket: store.bucket.name,
                      endpoint: "storage.googleapis.com",
                      region,
                      apiServerKey: identities.apiServerKey,
                  },
              }
            : {}),
        ...(database
            ? {
                  database: {
                      kind: "cloudsql",
                      host: database.instance.privateIpAddress,
                      port: MYSQL_PORT,
                      username: DATABASE_USER,
                      password: database.password,
                  },
              }
            : {}),
        platformAccounts: identities?.platformAccounts ?? new Map(),
        tenantAccounts: identities?.tenantAccounts ?? new Map(),
    };
}
