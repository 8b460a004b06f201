// The managed data plane of a gcp stack: the GCS bucket, Cloud SQL for MySQL
// on the cluster's VPC, and the Google service accounts that reach the bucket.
import type * as pulumi from "@pulumi/pulumi";
import { GOOGLE_APIS_CIDR } from "../cluster/gcp/network";
import type { GkeCluster } from "../cluster/gcp/gke-cluster";
import { GcpDatabase } from "./gcp-database";
import { gcpIdentities } from "./gcp-identities";
import { GcpObjectStore } from "./gcp-object-store";
import { DATABASE_USER, type DataPlaneEgress, HTTPS_PORT, MYSQL_PORT, type ManagedDataPlane, TENANT_ACCOUNT } from "./managed";
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

/**
 * Where a tenant's pods get Workload Identity tokens and use them. The GKE metadata server answers on 169.254.169.254:80;
 * on Dataplane V2 the node redirects that to the metadata server's own address, 169.254.169.252:988, and NetworkPolicy
 * sees the redirected connection, so both must be allowed (cloud.google.com/kubernetes-engine/docs/concepts/workload-identity,
 * "Limitations" and the network policy note of the metadata server). Google APIs, Cloud Storage's among them, answer on
 * private.googleapis.com, where the VPC's private zone sends every *.googleapis.com name (components/cluster/gcp/network.ts).
 */
export const GCP_TENANT_EGRESS: DataPlaneEgress = [
    { cidrs: ["169.254.169.254/32"], port: 80, reason: "GKE metadata server" },
    { cidrs: ["169.254.169.252/32"], port: 988, reason: "GKE metadata server (Dataplane V2)" },
    { cidrs: [GOOGLE_APIS_CIDR], port: HTTPS_PORT, reason: "Google APIs (private.googleapis.com)" },
];

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
        tenantEgress: store ? GCP_TENANT_EGRESS : [],
    };
}
