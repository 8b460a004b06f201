// DATA-01: on a production stack, the object store keeps artifacts encrypted,
// versioned and private, and the database is encrypted, backed up for at
// least a week, protected from deletion and highly available. S3's settings
// are resources of their own that depend on the bucket; the others are inputs
// of the bucket or instance.
import type { PolicyResource } from "@pulumi/policy";
import { arrayAt, isRecord, recordAt } from "../../core/records";
import { clusterFactsOf } from "../lib/facts";
import { stackPolicy } from "../lib/policy";
import {
    CLOUD_SQL_INSTANCE,
    GCS_BUCKET,
    RDS_INSTANCE,
    S3_BUCKET,
    S3_ENCRYPTION,
    S3_PUBLIC_ACCESS_BLOCK,
    S3_VERSIONING,
    describeCloudResource,
    isSet,
    quoted,
} from "./resources";

/** Days of automated backups a production database keeps at least. */
export const MIN_BACKUP_DAYS = 7;
const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

type Report = (message: string) => void;

/** The resource of `type` that configures `bucket` (depends on it), if any. */
function settingOf(resources: readonly PolicyResource[], type: string, bucket: PolicyResource): PolicyResource | undefined {
    return resources.find((resource) => resource.type === type && resource.dependencies.some((dependency) => dependency.urn === bucket.urn));
}

function checkS3(resources: readonly PolicyResource[], bucket: PolicyResource, what: string, report: Report): void {
    const rules = arrayAt(settingOf(resources, S3_ENCRYPTION, bucket)?.props, "rules").filter(isRecord);
    const byDefault = rules.map((rule) => recordAt(rule, "applyServerSideEncryptionByDefault"));
    // The key is usually created in the same update: its ARN is unknown during preview, so only its presence is checked.
    if (!byDefault.some((setting) => String(setting["sseAlgorithm"]).startsWith("aws:kms") && isSet(setting, "kmsMasterKeyId"))) {
        report(
            `${what} is not encrypted with a KMS key (SSE-KMS); add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId.`,
        );
    }
    const status = recordAt(settingOf(resources, S3_VERSIONING, bucket)?.props, "versioningConfiguration")["status"];
    if (status !== "Enabled") report(`${what} is not versioned (versioning status ${quoted(status)}); add a BucketVersioning with status "Enabled".`);
    const block = settingOf(resources, S3_PUBLIC_ACCESS_BLOCK, bucket)?.props ?? {};
    const open = PUBLIC_ACCESS_FLAGS.filter((flag) => block[flag] !== true);
    if (open.length > 0) report(`${what} does not block public access (${open.join(", ")} not true); add a BucketPublicAccessBlock with all four set to true.`);
}

function checkGcs(props: Record<string, unknown>, what: string, report: Report): void {
    if (props["uniformBucketLevelAccess"] !== true) {
        report(`${what} allows object ACLs (uniformBucketLevelAccess is ${quoted(props["uniformBucketLevelAccess"])}); set uniformBucketLevelAccess to true.`);
    }
    if (props["publicAccessPrevention"] !== "enforced") {
        report(`${what} does not prevent public access (publicAccessPrevention is ${quoted(props["publicAccessPrevention"])}); set it to "enforced".`);
    }
    if (recordAt(props, "versioning")["enabled"] !== true) report(`${what} is not versioned; set versioning.enabled to true.`);
}

function checkRds(props: Record<string, unknown>, what: string, report: Report): void {
    if (props["storageEncrypted"] !== true) report(`${what} does not encrypt its storage; set storageEncrypted to true (with kmsKeyId).`);
    const retention = props["backupRetentionPeriod"];
    if (typeof retention !== "number" || retention < MIN_BACKUP_DAYS) {
        report(`${what} keeps automated backups for ${quoted(retention)} days; set backupRetentionPeriod to at least ${MIN_BACKUP_DAYS}.`);
    }
    if (props["deletionProtection"] !== true) report(`${what} can be deleted; set deletionProtection to true.`);
    if (props["multiAz"] !== true) report(`${what} runs in one Availability Zone; set multiAz to true.`);
}

function checkCloudSql(props: Record<string, unknown>, what: string, report: Report): void {
    const settings = recordAt(props, "settings");
    const backups = recordAt(settings, "backupConfiguration");
    if (backups["enabled"] !== true || backups["binaryLogEnabled"] !== true) {
        report(
            `${what} has no point-in-time recovery (backupConfiguration.enabled is ${quoted(backups["enabled"])}, binaryLogEnabled ${quoted(backups["binaryLogEnabled"])}); set both to true.`,
        );
    }
    // Cloud SQL keeps 7 backups unless told otherwise.
    const retained = recordAt(backups, "backupRetentionSettings")["retainedBackups"] ?? MIN_BACKUP_DAYS;
    if (typeof retained !== "number" || retained < MIN_BACKUP_DAYS) {
        report(
            `${what} keeps ${quoted(retained)} automated backups; set backupConfiguration.backupRetentionSettings.retainedBackups to at least ${MIN_BACKUP_DAYS}.`,
        );
    }
    if (props["deletionProtection"] === false || settings["deletionProtectionEnabled"] !== true) {
        report(`${what} can be deleted; set deletionProtection and settings.deletionProtectionEnabled to true.`);
    }
    if (settings["availabilityType"] !== "REGIONAL") {
        report(`${what} runs in one zone (availabilityType is ${quoted(settings["availabilityType"])}); set settings.availabilityType to "REGIONAL".`);
    }
    if (recordAt(settings, "ipConfiguration")["ipv4Enabled"] !== false) {
        report(`${what} has a public IPv4 address; set settings.ipConfiguration.ipv4Enabled to false and give it a private network.`);
    }
}

export const managedStores = stackPolicy({
    id: "DATA-01",
    slug: "managed-stores",
    description:
        "On a production stack, object stores are encrypted, versioned and closed to the public (S3: SSE-KMS, versioning, all four public access blocks; GCS: uniform bucket-level access, public access prevention enforced, versioning), " +
        `and databases are encrypted, backed up for at least ${MIN_BACKUP_DAYS} days, deletion-protected and highly available (RDS: storageEncrypted, backupRetentionPeriod, deletionProtection, multiAz; ` +
        "Cloud SQL: backups with binary logs, retained backups, deletion protection, REGIONAL availability, no public IPv4).",
    reason: "The bucket holds every tenant's models and datasets and the database every run's metadata: without versioning one overwrite poisons a model for good, without backups one bad migration or deletion loses the platform's history, a public bucket or database leaks it, and a single-zone database takes Pipelines and Katib down with its zone.",
    remediation:
        "Let kfstack plan the stack's data plane (kfstack:dataPlane), whose production defaults meet this policy; if the stack sets dataPlane.highAvailability or dataPlane.deletionProtection to false, or backupRetentionDays below 7, remove the override.",
    validateStack: (args, reportViolation) => {
        const declared = clusterFactsOf(args);
        if (!declared) {
            args.notApplicable("the stack records no kfstack cluster facts, so its topology is unknown; check a bare resource list with --stack-config");
            return;
        }
        if (declared.facts.topology !== "production") return;
        for (const resource of args.resources) {
            const what = describeCloudResource(resource.type, resource.name);
            const report: Report = (message) => reportViolation(message, resource.urn);
            if (resource.type === S3_BUCKET) checkS3(args.resources, resource, what, report);
            else if (resource.type === GCS_BUCKET) checkGcs(resource.props, what, report);
            else if (resource.type === RDS_INSTANCE) checkRds(resource.props, what, report);
            else if (resource.type === CLOUD_SQL_INSTANCE) checkCloudSql(resource.props, what, report);
        }
    },
});
