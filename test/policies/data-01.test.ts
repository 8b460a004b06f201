// DATA-01: fixtures are the prod (S3, RDS) and gke-prod (GCS, Cloud SQL) data
// planes as the offline plan records them; each failing fixture changes one
// clause's field.
import { describe, expect, it } from "vitest";
import type { PolicyRecord } from "../../engine/policy-check";
import { Unknown } from "../../engine/values";
import { managedStores } from "../../policies/cloud/data-01-managed-stores";
import { changed, mandatoryViolation, messagesOf, record, undecidedOf, violationsOf } from "./fixtures";
import { clusterFactsRecord, expectAcceptedOutright } from "./fixtures-cloud";

const unknown = Unknown.instance;
const DATA_01 = { policy: "data-01-managed-stores", id: "DATA-01" };

const S3 = "aws:s3/bucket:Bucket";
const S3_SETTINGS = {
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
};

/** The prod bucket and its three settings, each depending on it (the bucket's id is their `bucket` input). */
function s3Records(): { bucket: PolicyRecord; encryption: PolicyRecord; versioning: PolicyRecord; publicAccess: PolicyRecord } {
    const bucket = record(S3, { bucketPrefix: "kfstack-prod-artifacts-" }, "kfstack-prod-data-s3");
    const setting = (type: string, props: Record<string, unknown>) => ({
        ...record(type, { bucket: unknown, ...props }, "kfstack-prod-data-s3"),
        dependsOn: [bucket.urn!],
    });
    return {
        bucket,
        encryption: setting(S3_SETTINGS.encryption, {
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: unknown }, bucketKeyEnabled: true }],
        }),
        versioning: setting(S3_SETTINGS.versioning, { versioningConfiguration: { status: "Enabled" } }),
        publicAccess: setting(S3_SETTINGS.publicAccess, {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }),
    };
}

function rds(): PolicyRecord {
    return record(
        "aws:rds/instance:Instance",
        {
            engine: "mysql",
            engineVersion: "8.0",
            storageEncrypted: true,
            kmsKeyId: unknown,
            backupRetentionPeriod: 14,
            deletionProtection: true,
            multiAz: true,
            publiclyAccessible: false,
            password: unknown,
        },
        "kfstack-prod-data-rds",
    );
}

function gcs(): PolicyRecord {
    return record(
        "gcp:storage/bucket:Bucket",
        { location: "US-CENTRAL1", uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", versioning: { enabled: true }, forceDestroy: false },
        "kfstack-gke-prod-data-gcs",
    );
}

function cloudSql(): PolicyRecord {
    return record(
        "gcp:sql/databaseInstance:DatabaseInstance",
        {
            databaseVersion: "MYSQL_8_0",
            region: "us-central1",
            deletionProtection: true,
            settings: {
                tier: "db-custom-4-15360",
                availabilityType: "REGIONAL",
                deletionProtectionEnabled: true,
                backupConfiguration: {
                    enabled: true,
                    binaryLogEnabled: true,
                    transactionLogRetentionDays: 7,
                    backupRetentionSettings: { retainedBackups: 14, retentionUnit: "COUNT" },
                },
                ipConfiguration: { ipv4Enabled: false, privateNetwork: unknown, sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" },
            },
        },
        "kfstack-gke-prod-data-cloudsql",
    );
}

const awsFacts = () => clusterFactsRecord();
const gcpFacts = () => clusterFactsRecord({ cloud: "gcp" }, "kfstack-gke-prod");

function awsStack(change: (records: ReturnType<typeof s3Records>) => void = () => undefined): PolicyRecord[] {
    const s3 = s3Records();
    change(s3);
    return [awsFacts(), s3.bucket, s3.encryption, s3.versioning, s3.publicAccess, rds()];
}

describe("DATA-01 managed stores", () => {
    it("accepts the prod and gke-prod data planes outright, with the key ARN and networks unknown until deployment", async () => {
        await expectAcceptedOutright(managedStores, awsStack());
        expect(await messagesOf(managedStores, awsStack())).toEqual([]);
        await expectAcceptedOutright(managedStores, [gcpFacts(), gcs(), cloudSql()]);
        expect(await messagesOf(managedStores, [gcpFacts(), gcs(), cloudSql()])).toEqual([]);
    });

    it("leaves a testing stack's stores alone, and cannot decide without the cluster's facts", async () => {
        const weak = changed(rds(), ["props", "multiAz"], false);
        expect(await messagesOf(managedStores, [clusterFactsRecord({ topology: "testing" }), weak])).toEqual([]);
        expect((await undecidedOf(managedStores, [weak])).map((entry) => entry.reason)).toEqual([
            "the stack records no kfstack cluster facts, so its topology is unknown; check a bare resource list with --stack-config",
        ]);
    });

    describe("S3", () => {
        it("rejects a bucket without SSE-KMS, naming the bucket", async () => {
            const records = awsStack((s3) => {
                s3.encryption = changed(s3.encryption, ["props", "rules", 0, "applyServerSideEncryptionByDefault"], { sseAlgorithm: "AES256" });
            });
            expect(await violationsOf(managedStores, records)).toEqual([
                mandatoryViolation(
                    DATA_01,
                    records[1]!,
                    'S3 bucket "kfstack-prod-data-s3" is not encrypted with a KMS key (SSE-KMS); add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId.',
                ),
            ]);
        });

        it("rejects a bucket whose encryption configuration belongs to another bucket", async () => {
            const records = awsStack((s3) => {
                s3.encryption = { ...s3.encryption, dependsOn: ["urn:pulumi:test::kfstack::aws:s3/bucket:Bucket::other"] };
            });
            expect(await messagesOf(managedStores, records)).toEqual([
                'S3 bucket "kfstack-prod-data-s3" is not encrypted with a KMS key (SSE-KMS); add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId.',
            ]);
        });

        it("rejects a bucket whose versioning is suspended", async () => {
            const records = awsStack((s3) => {
                s3.versioning = changed(s3.versioning, ["props", "versioningConfiguration", "status"], "Suspended");
            });
            expect(await messagesOf(managedStores, records)).toEqual([
                'S3 bucket "kfstack-prod-data-s3" is not versioned (versioning status "Suspended"); add a BucketVersioning with status "Enabled".',
            ]);
        });

        it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])("rejects a bucket with %s off", async (flag) => {
            const records = awsStack((s3) => {
                s3.publicAccess = changed(s3.publicAccess, ["props", flag], false);
            });
            expect(await messagesOf(managedStores, records)).toEqual([
                `S3 bucket "kfstack-prod-data-s3" does not block public access (${flag} not true); add a BucketPublicAccessBlock with all four set to true.`,
            ]);
        });
    });

    describe("RDS", () => {
        const rejects = async (path: string[], to: unknown, message: string) => {
            const records = [awsFacts(), changed(rds(), ["props", ...path], to)];
            expect(await violationsOf(managedStores, records)).toEqual([mandatoryViolation(DATA_01, records[1]!, message)]);
        };

        it("rejects unencrypted storage", () =>
            rejects(
                ["storageEncrypted"],
                false,
                'RDS instance "kfstack-prod-data-rds" does not encrypt its storage; set storageEncrypted to true (with kmsKeyId).',
            ));
        it("rejects fewer than 7 days of backups", () =>
            rejects(
                ["backupRetentionPeriod"],
                6,
                'RDS instance "kfstack-prod-data-rds" keeps automated backups for 6 days; set backupRetentionPeriod to at least 7.',
            ));
        it("rejects no deletion protection", () =>
            rejects(["deletionProtection"], false, 'RDS instance "kfstack-prod-data-rds" can be deleted; set deletionProtection to true.'));
        it("rejects a single-AZ instance", () =>
            rejects(["multiAz"], false, 'RDS instance "kfstack-prod-data-rds" runs in one Availability Zone; set multiAz to true.'));
    });

    describe("GCS", () => {
        const rejects = async (path: string[], to: unknown, message: string) => {
            expect(await messagesOf(managedStores, [gcpFacts(), changed(gcs(), ["props", ...path], to)])).toEqual([message]);
        };

        it("rejects object ACLs", () =>
            rejects(
                ["uniformBucketLevelAccess"],
                false,
                'GCS bucket "kfstack-gke-prod-data-gcs" allows object ACLs (uniformBucketLevelAccess is false); set uniformBucketLevelAccess to true.',
            ));
        it("rejects public access prevention left to inheritance", () =>
            rejects(
                ["publicAccessPrevention"],
                "inherited",
                'GCS bucket "kfstack-gke-prod-data-gcs" does not prevent public access (publicAccessPrevention is "inherited"); set it to "enforced".',
            ));
        it("rejects an unversioned bucket", () =>
            rejects(["versioning"], undefined, 'GCS bucket "kfstack-gke-prod-data-gcs" is not versioned; set versioning.enabled to true.'));
    });

    describe("Cloud SQL", () => {
        const what = 'Cloud SQL instance "kfstack-gke-prod-data-cloudsql"';
        const rejects = async (path: string[], to: unknown, message: string) => {
            expect(await messagesOf(managedStores, [gcpFacts(), changed(cloudSql(), ["props", ...path], to)])).toEqual([`${what} ${message}`]);
        };

        it("rejects backups without binary logs (no point-in-time recovery)", () =>
            rejects(
                ["settings", "backupConfiguration", "binaryLogEnabled"],
                false,
                "has no point-in-time recovery (backupConfiguration.enabled is true, binaryLogEnabled false); set both to true.",
            ));
        it("rejects backups turned off", () =>
            rejects(
                ["settings", "backupConfiguration", "enabled"],
                false,
                "has no point-in-time recovery (backupConfiguration.enabled is false, binaryLogEnabled true); set both to true.",
            ));
        it("rejects fewer than 7 retained backups", () =>
            rejects(
                ["settings", "backupConfiguration", "backupRetentionSettings", "retainedBackups"],
                3,
                "keeps 3 automated backups; set backupConfiguration.backupRetentionSettings.retainedBackups to at least 7.",
            ));
        it("rejects deletion protection off, in Pulumi or in Cloud SQL", async () => {
            const message = "can be deleted; set deletionProtection and settings.deletionProtectionEnabled to true.";
            await rejects(["deletionProtection"], false, message);
            await rejects(["settings", "deletionProtectionEnabled"], false, message);
        });
        it("rejects a zonal instance", () =>
            rejects(["settings", "availabilityType"], "ZONAL", 'runs in one zone (availabilityType is "ZONAL"); set settings.availabilityType to "REGIONAL".'));
        it("rejects a public IPv4 address", () =>
            rejects(
                ["settings", "ipConfiguration", "ipv4Enabled"],
                true,
                "has a public IPv4 address; set settings.ipConfiguration.ipv4Enabled to false and give it a private network.",
            ));
    });
});
