// What Kubeflow needs of a managed data plane, whichever cloud provides it:
// the object store's bucket and endpoint, the database's host and credentials,
// and the identities through which the platform and each tenant reach them.
// Each cloud's builder (aws-*.ts, and gcp-*.ts beside them) returns this shape.
import type * as pulumi from "@pulumi/pulumi";
import type { DataPlaneSettings } from "./settings";

/** A managed object store as Pipelines' API server reaches it: through the S3 API at `endpoint`, over TLS. */
export interface ManagedObjectStore {
    readonly kind: "s3" | "gcs";
    readonly bucket: pulumi.Output<string>;
    /** The S3-API host: s3.<region>.amazonaws.com, or GCS's XML API, storage.googleapis.com. */
    readonly endpoint: string;
    readonly region: string;
    /**
     * The API server's own key (Pulumi secrets), where its S3 client cannot use the pod's identity: on gcs, an HMAC key of
     * its service account. Absent, the API server's client finds credentials itself (IRSA).
     */
    readonly apiServerKey?: { readonly accessKey: pulumi.Output<string>; readonly secretKey: pulumi.Output<string> };
}

export const MYSQL_PORT = 3306;
export { HTTPS_PORT } from "../cluster/aws/endpoints";

/**
 * What a tenant's pods reach outside the cluster to use the managed object store: the cloud's identity endpoint (to trade
 * their ServiceAccount token for cloud credentials) and the object store, as address blocks and a TCP port each.
 */
export type DataPlaneEgress = readonly { readonly cidrs: readonly string[]; readonly port: number }[];
/** Katib's database: Katib connects to it by name and never creates it (katib v0.16.0 pkg/db/v1beta1/mysql/mysql.go). */
export const KATIB_DATABASE = "katib";
export const DATABASE_USER = "kubeflow";

/** A managed MySQL 8.0 holding the Pipelines, ML Metadata and Katib databases. */
export interface ManagedDatabase {
    readonly kind: "rds" | "cloudsql";
    readonly host: pulumi.Output<string>;
    readonly port: number;
    readonly username: string;
    /** A Pulumi secret. */
    readonly password: pulumi.Output<string>;
}

/** Annotations that give a ServiceAccount its cloud identity (IRSA's role ARN, GKE's service account). */
export type IdentityAnnotations = Readonly<Record<string, pulumi.Input<string>>>;

/** A ServiceAccount as `namespace/name`. */
export type AccountKey = `${string}/${string}`;

/** Which ServiceAccounts get which cloud identity: what each cloud's identities builder returns. */
export interface IdentityBindings {
    /** Platform ServiceAccounts (Pipelines' API server and UI) → the annotations that bind their identities. */
    readonly platformAccounts: ReadonlyMap<AccountKey, IdentityAnnotations>;
    /** Tenant → the annotations of its default-editor ServiceAccount, which its pipeline steps, artifact server and models run as. */
    readonly tenantAccounts: ReadonlyMap<string, IdentityAnnotations>;
}

/** What each cloud's builder is given besides its cluster. */
export interface DataPlaneScope {
    readonly settings: DataPlaneSettings;
    readonly clusterName: string;
    readonly region: string;
    readonly tenants: readonly string[];
}

/** Days an overwritten or deleted artifact version stays recoverable, on every cloud. */
export const NONCURRENT_VERSION_DAYS = 30;

/** What the managed services give Kubeflow and the tenants; absent parts stay in the cluster. */
export interface ManagedDataPlane extends IdentityBindings {
    readonly objectStore?: ManagedObjectStore;
    readonly database?: ManagedDatabase;
    /** Where tenant pods must reach with those identities; empty without a managed object store. */
    readonly tenantEgress: DataPlaneEgress;
}

/** The ServiceAccount a tenant's pipeline steps (Argo's executor), artifact server and InferenceServices run as. */
export const TENANT_ACCOUNT = "default-editor";
