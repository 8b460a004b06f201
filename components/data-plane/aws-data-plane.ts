// The managed data plane of an aws stack: one KMS key for the bucket and the
// database, the S3 bucket, RDS for MySQL, and the IRSA roles that reach the
// bucket, in the cluster's VPC, with the STS and S3 interface endpoints
// tenant pods reach (aws-endpoints.ts).
import { aws } from "../packages";
import type * as pulumi from "@pulumi/pulumi";
import type { EksCluster } from "../cluster/aws/eks-cluster";
import { AwsDatabase } from "./aws-database";
import { awsEndpoints } from "./aws-endpoints";
import { awsIdentities } from "./aws-identities";
import { AwsObjectStore } from "./aws-object-store";
import { DATABASE_USER, MYSQL_PORT, type DataPlaneScope, type ManagedDataPlane, NONCURRENT_VERSION_DAYS, TENANT_ACCOUNT } from "./managed";

export interface AwsDataPlaneArgs extends DataPlaneScope {
    readonly cluster: EksCluster;
}

export function awsDataPlane(parent: pulumi.Resource, name: string, args: AwsDataPlaneArgs): ManagedDataPlane {
    const { settings, cluster, clusterName, region } = args;
    const key = new aws.kms.Key(
        `${name}-key`,
        { description: `Encryption of ${clusterName}'s artifacts and databases`, enableKeyRotation: true, deletionWindowInDays: 30 },
        { parent },
    );
    new aws.kms.Alias(`${name}-key`, { name: `alias/${clusterName}-data`, targetKeyId: key.keyId }, { parent });
    const store =
        settings.objectStore === "s3"
            ? new AwsObjectStore(
                  `${name}-s3`,
                  { clusterName, kmsKeyArn: key.arn, noncurrentVersionDays: NONCURRENT_VERSION_DAYS, retainOnDelete: settings.retainOnDelete },
                  { parent },
              )
            : undefined;
    const database =
        settings.database === "rds"
            ? new AwsDatabase(
                  `${name}-rds`,
                  {
                      clusterName,
                      vpcId: cluster.network.vpcId,
                      subnetIds: cluster.network.privateSubnetIds,
                      // Managed node groups whose launch template names no security group put their nodes in EKS's cluster security group.
                      nodeSecurityGroupId: cluster.cluster.vpcConfig.clusterSecurityGroupId,
                      kmsKeyArn: key.arn,
                      settings,
                  },
                  { parent },
              )
            : undefined;
    const identities = store
        ? awsIdentities(parent, name, {
              clusterName,
              region,
              provider: cluster.openIdConnectProvider(),
              bucketArn: store.bucket.arn,
              kmsKeyArn: key.arn,
              tenants: args.tenants,
              tenantAccount: TENANT_ACCOUNT,
          })
        : { platformAccounts: new Map(), tenantAccounts: new Map() };
    const network = cluster.network;
    const tenantEgress = store
        ? awsEndpoints(parent, name, { clusterName, region, vpcId: network.vpcId, vpcCidrs: network.cidrBlocks, subnets: network.endpointSubnets })
        : [];
    return {
        ...(store ? { objectStore: { kind: "s3", bucket: store.bucket.bucket, endpoint: `s3.${region}.amazonaws.com`, region } } : {}),
        ...(database
            ? { database: { kind: "rds", host: database.instance.address, port: MYSQL_PORT, username: DATABASE_USER, password: database.password } }
            : {}),
        ...identities,
        tenantEgress,
    };
}
