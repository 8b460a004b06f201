// RDS for MySQL 8.0 holding the Pipelines (mlpipeline, cachedb), ML Metadata
// (metadb) and Katib (katib) databases: in the cluster's private subnets,
// reachable on 3306 from the nodes' security group only, encrypted with the
// data plane's key, backed up daily with point-in-time recovery, and kept on
// delete (deletion protection in production, a final snapshot always).
import type * as Aws from "@pulumi/aws";
import { aws } from "../packages";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DATABASE_USER, KATIB_DATABASE, MYSQL_PORT } from "./managed";
import type { DatabaseSettings } from "./settings";

export interface AwsDatabaseArgs {
    readonly clusterName: string;
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string>[];
    /** The nodes' security group (EKS's cluster security group on managed node groups): pods connect from it. */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly settings: DatabaseSettings;
}

export class AwsDatabase extends pulumi.ComponentResource {
    readonly instance: Aws.rds.Instance;
    /** A Pulumi secret. */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: AwsDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:data:AwsDatabase", name, {}, opts);
        const { settings } = args;
        const subnets = new aws.rds.SubnetGroup(name, { subnetIds: args.subnetIds, description: `Private subnets of ${args.clusterName}` }, { parent: this });
        const access = new aws.ec2.SecurityGroup(
            name,
            {
                vpcId: args.vpcId,
                description: `MySQL of ${args.clusterName} from its nodes only`,
                ingress: [{ protocol: "tcp", fromPort: MYSQL_PORT, toPort: MYSQL_PORT, securityGroups: [args.nodeSecurityGroupId] }],
            },
            { parent: this },
        );
        this.password = pulumi.secret(new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this }).result);
        this.instance = new aws.rds.Instance(
            name,
            {
                identifierPrefix: `${args.clusterName}-`,
                engine: "mysql",
                engineVersion: "8.0",
                instanceClass: settings.instanceClass,
                allocatedStorage: settings.storageGiB,
                maxAllocatedStorage: settings.storageGiB * 4,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArn,
                dbName: KATIB_DATABASE,
                username: DATABASE_USER,
                password: this.password,
                dbSubnetGroupName: subnets.name,
                vpcSecurityGroupIds: [access.id],
                publiclyAccessible: false,
                multiAz: settings.highAvailability,
                deletionProtection: settings.deletionProtection,
                backupRetentionPeriod: settings.backupRetentionDays,
                copyTagsToSnapshot: true,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: `${args.clusterName}-kubeflow-final`,
                autoMinorVersionUpgrade: true,
            },
            // Production's databases outlive `pulumi destroy` (settings.retainOnDelete): deleting one is a decision, not a side effect.
            { parent: this, retainOnDelete: settings.retainOnDelete },
        );
        this.registerOutputs({ address: this.instance.address });
    }
}
