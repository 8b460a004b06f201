// Who reaches the artifact bucket, each with its own IAM role through IRSA:
// Pipelines' API server and UI, and one role per tenant bound to the tenant's
// default-editor ServiceAccount and allowed only on the tenant's prefixes.
//
// IRSA, not EKS Pod Identity: Pod Identity hands credentials through AWS_CONTAINER_CREDENTIALS_FULL_URI
// (169.254.170.23) with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, which none of these clients reads at the pinned
// versions, while they read a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE):
// - ml-pipeline and the v2 launcher in tenant pods (kubeflow/pipelines 2.0.5 go.mod: aws-sdk-go v1.42.50, below Pod
//   Identity's v1.47.11; minio-go v6.0.57, whose credentials.IAM in backend/src/apiserver/client/minio.go's chain
//   handles web identity, and takes a container URI only on loopback, with AWS_CONTAINER_AUTHORIZATION_TOKEN);
// - Argo's executor in tenant pods (argo-workflows v3.3.10, useSDKCreds: minio-go's credentials.IAM, as above);
// - KServe 0.11.2's storage initializer (python/kserve pyproject: boto3 ^1.21.0; 0.11.2 shipped before boto3 1.34.41).
// - ml-pipeline-ui's server and each namespace's artifact server (frontend 2.0.5, server/minio-helper.ts
//   createMinioClient): for an S3 endpoint, @aws-sdk/credential-providers' fromNodeProviderChain (^3.359.0), whose
//   web identity provider reads the IRSA token. Tenants' artifacts are served by each namespace's
//   ml-pipeline-ui-artifact, which runs as the tenant's default-editor (kfstack's guard refuses the central UI's
//   requests that name no namespace; managed-stores.ts gives those servers the bucket's region and endpoint).
// The workflow controller never calls S3 in v3.3 (artifact GC came in v3.4): no role.
import type * as Aws from "@pulumi/aws";
import { aws } from "../packages";
import * as pulumi from "@pulumi/pulumi";
import { irsaRole, irsaTrustPolicy } from "../cluster/aws/workload-identity";
import type { AccountKey, IdentityAnnotations, IdentityBindings } from "./managed";
import { tenantArtifactPrefixes } from "../../core/artifact-prefixes";
import { tenantRoleName } from "./settings";

/** The prefix Pipelines' API server keeps uploaded pipeline packages under (ObjectStoreConfig.PipelinePath's default). */
const PIPELINES_PREFIX = "pipelines/";
/** Every namespace's artifacts, as the platform's readers need them. */
const ALL_ARTIFACTS = ["artifacts/", "v2/artifacts/"];

const READ = ["s3:GetObject"];
const READ_WRITE = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];

export interface BucketGrant {
    readonly bucketArn: string;
    readonly kmsKeyArn: string;
    readonly region: string;
    /** Prefix (ending in "/") → the object actions allowed under it. */
    readonly prefixes: Readonly<Record<string, readonly string[]>>;
}

/** An IAM policy allowing the grant's object actions under each prefix, listing only those prefixes, and the key's use through S3. */
export function bucketPolicy(grant: BucketGrant): string {
    const prefixes = Object.entries(grant.prefixes);
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...prefixes.map(([prefix, actions], index) => ({
                Sid: `Objects${index}`,
                Effect: "Allow",
                Action: actions,
                Resource: `${grant.bucketArn}/${prefix}*`,
            })),
            {
                Sid: "List",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: grant.bucketArn,
                Condition: { StringLike: { "s3:prefix": prefixes.map(([prefix]) => `${prefix}*`) } },
            },
            // SSE-KMS: reading needs Decrypt, writing GenerateDataKey, and only as S3 asks on the role's behalf.
            {
                Sid: "Key",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: grant.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${grant.region}.amazonaws.com` } },
            },
        ],
    });
}

export interface AwsIdentitiesArgs {
    readonly clusterName: string;
    readonly region: string;
    readonly provider: Aws.iam.OpenIdConnectProvider;
    readonly bucketArn: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly tenants: readonly string[];
    readonly tenantAccount: string;
}

const PLATFORM_READERS: readonly { account: AccountKey; prefixes: Readonly<Record<string, readonly string[]>> }[] = [
    { account: "kubeflow/ml-pipeline", prefixes: { [PIPELINES_PREFIX]: READ_WRITE, ...Object.fromEntries(ALL_ARTIFACTS.map((p) => [p, READ])) } },
    { account: "kubeflow/ml-pipeline-ui", prefixes: Object.fromEntries(ALL_ARTIFACTS.map((p) => [p, READ])) },
];

export function awsIdentities(parent: pulumi.Resource, name: string, args: AwsIdentitiesArgs): IdentityBindings {
    const policyOf = (prefixes: BucketGrant["prefixes"]) =>
        pulumi.all([args.bucketArn, args.kmsKeyArn]).apply(([bucketArn, kmsKeyArn]) => bucketPolicy({ bucketArn, kmsKeyArn, region: args.region, prefixes }));
    const platformAccounts = new Map<AccountKey, IdentityAnnotations>(
        PLATFORM_READERS.map(({ account, prefixes }) => {
            const [namespace, serviceAccount] = account.split("/") as [string, string];
            return [
                account,
                irsaRole(parent, `${name}-${serviceAccount}`, {
                    provider: args.provider,
                    account: { namespace, name: serviceAccount },
                    policy: policyOf(prefixes),
                }),
            ];
        }),
    );
    const tenantAccounts = new Map<string, IdentityAnnotations>(
        args.tenants.map((tenant) => {
            // Named, so the role says whose it is; the config rules keep the name within IAM's 64 characters.
            const role = new aws.iam.Role(
                `${name}-tenant-${tenant}`,
                {
                    name: tenantRoleName(args.clusterName, tenant),
                    assumeRolePolicy: irsaTrustPolicy(args.provider, { namespace: tenant, name: args.tenantAccount }),
                },
                { parent },
            );
            const prefixes = Object.fromEntries(tenantArtifactPrefixes(tenant).map((prefix) => [prefix, READ_WRITE]));
            new aws.iam.RolePolicy(`${name}-tenant-${tenant}`, { role: role.name, policy: policyOf(prefixes) }, { parent });
            return [tenant, { "eks.amazonaws.com/role-arn": role.arn }];
        }),
    );
    return { platformAccounts, tenantAccounts };
}
