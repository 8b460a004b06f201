// Cloud SQL for MySQL 8.0 holding the Pipelines (mlpipeline, cachedb), ML
// Metadata (metadb) and Katib (katib) databases: on a private IP in the
// cluster's VPC only (private services access: a reserved range peered with
// Google's service network), backed up daily with binary logs for
// point-in-time recovery, regional (a standby in a second zone) and
// deletion-protected in production.
//
// TLS is allowed, not required: the pinned clients connect in plain text and
// cannot be told otherwise (Pipelines 2.0.5 client/sql.go passes extra
// parameters as session variables, not the driver's tls option; Katib v0.16.0
// pkg/db/v1beta1/mysql/mysql.go builds its DSN without one), so requiring it
// would lock them out; the traffic stays on the VPC and its peering.
import type * as Gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { gcp } from "../packages";
import { DATABASE_USER, KATIB_DATABASE } from "./managed";
import type { DatabaseSettings } from "./settings";

/** Binary logs kept for point-in-time recovery: Cloud SQL for MySQL keeps at most 7 days. */
const TRANSACTION_LOG_DAYS = 7;

export interface GcpDatabaseArgs {
    readonly region: string;
    /** The cluster's VPC (its id), where the instance takes its private IP. */
    readonly network: pulumi.Input<string>;
    readonly labels: Readonly<Record<string, string>>;
    readonly settings: DatabaseSettings;
}

export class GcpDatabase extends pulumi.ComponentResource {
    readonly instance: Gcp.sql.DatabaseInstance;
    /** A Pulumi secret. */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: GcpDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:data:GcpDatabase", name, {}, opts);
        const { settings } = args;
        const parent = { parent: this };
        // Private services access: Google picks a free /20 of the VPC for its service network (Cloud SQL asks for at least a /24).
        const range = new gcp.compute.GlobalAddress(
            `${name}-psa`,
            { network: args.network, purpose: "VPC_PEERING", addressType: "INTERNAL", prefixLength: 20, description: "Private services access (Cloud SQL)" },
            parent,
        );
        const peering = new gcp.servicenetworking.Connection(
            `${name}-psa`,
            { network: args.network, service: "servicenetworking.googleapis.com", reservedPeeringRanges: [range.name] },
            parent,
        );
        this.instance = new gcp.sql.DatabaseInstance(
            name,
            {
                region: args.region,
                databaseVersion: "MYSQL_8_0",
                deletionProtection: settings.deletionProtection,
                settings: {
                    tier: settings.instanceClass,
                    edition: "ENTERPRISE",
                    availabilityType: settings.highAvailability ? "REGIONAL" : "ZONAL",
                    diskType: "PD_SSD",
                    diskSize: settings.storageGiB,
                    diskAutoresize: true,
                    diskAutoresizeLimit: settings.storageGiB * 4,
                    // Also refuses deletion through the Cloud SQL API and console, not only through Pulumi.
                    deletionProtectionEnabled: settings.deletionProtection,
                    backupConfiguration: {
                        enabled: true,
                        binaryLogEnabled: true,
                        startTime: "03:00",
                        transactionLogRetentionDays: Math.min(TRANSACTION_LOG_DAYS, settings.backupRetentionDays),
                        // One automated backup a day: the count is the days kept.
                        backupRetentionSettings: { retainedBackups: settings.backupRetentionDays, retentionUnit: "COUNT" },
                    },
                    ipConfiguration: { ipv4Enabled: false, privateNetwork: args.network, sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" },
                    maintenanceWindow: { day: 7, hour: 4, updateTrack: "stable" },
                    userLabels: { ...args.labels },
                },
            },
            // Production's databases outlive `pulumi destroy` (settings.retainOnDelete): deleting one is a decision, not a side effect.
            { parent: this, dependsOn: [peering], retainOnDelete: settings.retainOnDelete },
        );
        this.password = pulumi.secret(new random.RandomPassword(`${name}-password`, { length: 32, special: false }, parent).result);
        new gcp.sql.User(name, { instance: this.instance.name, name: DATABASE_USER, host: "%", password: this.password }, parent);
        // Pipelines and ML Metadata create their databases themselves; Katib does not.
        new gcp.sql.Database(`${name}-katib`, { instance: this.instance.name, name: KATIB_DATABASE }, parent);
        this.registerOutputs({ privateIp: this.instance.privateIpAddress });
    }
}
