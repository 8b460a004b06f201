// The data plane of Pipelines, ML Metadata and Katib, cloud-neutral: what
// Kubeflow needs of a managed object store and database, and the identities
// through which the platform and each tenant reach them. `DataPlane` builds
// the stack's managed services per its settings (aws-*.ts, gcp-*.ts); with minio and
// in-cluster it builds nothing and Kubeflow keeps its bundled MinIO and MySQL.
import * as pulumi from "@pulumi/pulumi";
import type { PlatformCluster } from "../cluster/platform-cluster";
import { EksCluster } from "../cluster/aws/eks-cluster";
import { GkeCluster } from "../cluster/gcp/gke-cluster";
import { awsDataPlane } from "./aws-data-plane";
import { gcpDataPlane } from "./gcp-data-plane";
import type { DataPlaneScope, ManagedDataPlane } from "./managed";

export interface DataPlaneArgs extends DataPlaneScope {
    readonly cluster: PlatformCluster;
}

export class DataPlane extends pulumi.ComponentResource {
    /** Undefined when the stack keeps MinIO and MySQL in the cluster. */
    readonly managed?: ManagedDataPlane;

    constructor(name: string, args: DataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings } = args;
        super("kfstack:data:DataPlane", name, { objectStore: settings.objectStore, database: settings.database }, opts);
        if (settings.objectStore === "s3" || settings.database === "rds") {
            // The config rules (./rules.ts) allow s3 and rds on aws stacks only, whose cluster is an EksCluster.
            if (!(args.cluster instanceof EksCluster)) throw new Error(`${settings.objectStore} / ${settings.database} need an EKS cluster`);
            this.managed = awsDataPlane(this, name, { ...args, cluster: args.cluster });
        } else if (settings.objectStore === "gcs" || settings.database === "cloudsql") {
            // Likewise gcs and cloudsql on gcp stacks, whose cluster is a GkeCluster.
            if (!(args.cluster instanceof GkeCluster)) throw new Error(`${settings.objectStore} / ${settings.database} need a GKE cluster`);
            this.managed = gcpDataPlane(this, name, { ...args, cluster: args.cluster });
        }
        this.registerOutputs({ bucket: this.managed?.objectStore?.bucket, databaseHost: this.managed?.database?.host });
    }
}
