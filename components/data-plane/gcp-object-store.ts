// The artifact bucket of a gcp stack: in the stack's region, access by IAM
// only (uniform bucket-level access: no object ACLs a pipeline step could set),
// public access prevention enforced, versioned (an overwritten or deleted model
// can be recovered), and old versions deleted so versioning does not keep every
// intermediate artifact forever. Google encrypts it at rest with its own keys;
// the nodes reach it without NAT through Private Google Access
// (components/cluster/gcp/network.ts).
import type * as Gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "../packages";

export interface GcpObjectStoreArgs {
    readonly region: string;
    /** Days a replaced or deleted version is kept before it is deleted. */
    readonly noncurrentVersionDays: number;
    /** Pulumi leaves the bucket in place when it deletes it (production's default). */
    readonly retainOnDelete: boolean;
    readonly labels: Readonly<Record<string, string>>;
}

export class GcpObjectStore extends pulumi.ComponentResource {
    readonly bucket: Gcp.storage.Bucket;

    constructor(name: string, args: GcpObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:data:GcpObjectStore", name, {}, opts);
        // Auto-named (the component's name and a random suffix): bucket names are global, and a replaced bucket must not wait for the old name.
        this.bucket = new gcp.storage.Bucket(
            name,
            {
                location: args.region.toUpperCase(),
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                lifecycleRules: [
                    { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: args.noncurrentVersionDays, withState: "ARCHIVED" } },
                    { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
                ],
                // Artifacts outlive a mistaken `pulumi destroy`: a bucket with objects is not deleted.
                forceDestroy: false,
                labels: { ...args.labels },
            },
            { parent: this, retainOnDelete: args.retainOnDelete },
        );
        this.registerOutputs({ bucket: this.bucket.name });
    }
}
