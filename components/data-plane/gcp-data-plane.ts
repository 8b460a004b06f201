// The managed data plane of a gcp stack: the GCS bucket, Cloud SQL for MySQL
// on the cluster's VPC, and the Google service accounts that reach the bucket.
import type * as pulumi from "@pulumi/pulumi";
import { GOOGLE_APIS_CIDR } from "../cluster/gcp/network";
import type { GkeCluster } from "../cluster/gcp/gke-cluster";
import { GcpDatabase } from "./gcp-database";
import { gcpIdentities } from "./gcp-identities";
import { GcpObjectStore } from "./gcp-object-store";
import {
    DATABASE_USER,
    type DataPlaneEgress,
    HTTPS_PORT,
    MYSQL_PORT,
    type DataPlaneScope,
    type ManagedDataPlane,
    NONCURRENT_VERSION_DAYS,
    TENANT_ACCOUNT,
} from "./managed";

export interface GcpDataPlaneArgs extends DataPlaneScope {
    readonly cluster: GkeCluster;
}

/**
 * Where a tenant's pods get Workload Identity tokens and use them. Under NetworkPolicy, GKE's Workload Identity page
 * (cloud.google.com/kubernetes-engine/docs/concepts/workload-identity, "Restrictions") has pods allowed to the GKE
 * metadata server at 169.254.169.252:988 (GKE 1.21.0-gke.1000 and later), and on Dataplane V2, which kfstack's clusters
 * run, at 169.254.169.254:80 as well. Google APIs, Cloud Storage's among them, answer on private.googleapis.com, where
 * the VPC's private zone sends every *.googleapis.com name (components/cluster/gcp/network.ts).
 */
export const GCP_TENANT_EGRESS: DataPlaneEgress = [
    { cidrs: ["169.254.169.254/32"], port: 80 },
    { cidrs: ["169.254.169.252/32"], port: 988 },
    { cidrs: [GOOGLE_APIS_CIDR], port: HTTPS_PORT },
];

export function gcpDataPlane(parent: pulumi.Resource, name: string, args: GcpDataPlaneArgs): ManagedDataPlane {
    const { settings, cluster, clusterName, region } = args;
    const labels = { "kfstack-cluster": clusterName };
    const store =
        settings.objectStore === "gcs"
            ? new GcpObjectStore(
                  `${name}-gcs`,
                  { region, noncurrentVersionDays: NONCURRENT_VERSION_DAYS, labels, retainOnDelete: settings.retainOnDelete },
                  { parent },
              )
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
