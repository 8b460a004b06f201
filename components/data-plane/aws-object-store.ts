// The artifact bucket of an aws stack: encrypted with the data plane's KMS key,
// versioned (an overwritten or deleted model can be recovered), closed to the
// public and to plain HTTP, and old versions expired so versioning does not keep
// every intermediate artifact forever. Reached from the nodes through the VPC's
// S3 gateway endpoint (components/cluster/aws/network.ts).
import type * as Aws from "@pulumi/aws";
import { aws } from "../packages";
import * as pulumi from "@pulumi/pulumi";

export interface AwsObjectStoreArgs {
    readonly clusterName: string;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Days a replaced or deleted version is kept before it expires. */
    readonly noncurrentVersionDays: number;
    /** Pulumi leaves the bucket in place when it deletes it (production's default). */
    readonly retainOnDelete: boolean;
}

/** A bucket policy that refuses every request not made over TLS. */
export function tlsOnlyPolicy(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

export class AwsObjectStore extends pulumi.ComponentResource {
    readonly bucket: Aws.s3.Bucket;

    constructor(name: string, args: AwsObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:data:AwsObjectStore", name, {}, opts);
        // A prefix, not a name: bucket names are global, and a replaced bucket must not wait for the old name.
        this.bucket = new aws.s3.Bucket(name, { bucketPrefix: `${args.clusterName}-artifacts-` }, { parent: this, retainOnDelete: args.retainOnDelete });
        const bucket = this.bucket.id;
        new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }] },
            { parent: this },
        );
        const versioning = new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            name,
            { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketPolicy(name, { bucket, policy: this.bucket.arn.apply(tlsOnlyPolicy) }, { parent: this, dependsOn: [publicAccess] });
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket,
                rules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );
        this.registerOutputs({ bucket: this.bucket.bucket });
    }
}
