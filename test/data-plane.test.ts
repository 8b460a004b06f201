// The data plane: defaults by topology and cloud, the AWS bucket, database and
// identities as planned for the prod stack, what each identity's policy permits
// (evaluated, not string-matched), and Kubeflow pointed at S3 and RDS with its
// bundled MinIO and MySQL left out.
import { describe, expect, it } from "vitest";
import { rawStackConfig } from "../components/config/load";
import { StackConfigSchema } from "../components/config/schema";
import { irsaTrustPolicy } from "../components/cluster/aws/workload-identity";
import { bucketPolicy } from "../components/data-plane/aws-identities";
import { tlsOnlyPolicy } from "../components/data-plane/aws-object-store";
import { tenantArtifactPrefixes } from "../core/artifact-prefixes";
import { dataPlaneSettingsOf } from "../components/data-plane/settings";
import { argoArtifactRepository } from "../components/kubeflow/managed-stores";
import { plannableStackSettings } from "../engine/unset-secrets";
import { Secret, Unknown } from "../engine/values";
import { resource, resourcesOfType } from "./helpers";
import { parseIamPolicy, policyAllows, policyDenies, type IamRequest } from "../core/iam-policy";
import { envOf, expectManagedDatabaseAndKeys, expectNoBundledStores } from "./managed-data-plane";
import { plannedStack } from "./planned-stacks";

const BUCKET = "arn:aws:s3:::kfstack-prod-artifacts-0123";
const KEY = "arn:aws:kms:us-east-1:111122223333:key/0a1b";

/** The shipped stack's settings, with one change to the top-level keys, parsed without the cross-field rules. */
function settingsOf(stack: string, change: Record<string, unknown> = {}) {
    const raw = { ...rawStackConfig(plannableStackSettings(stack).config).raw, ...change };
    return dataPlaneSettingsOf(StackConfigSchema.parse(raw));
}

describe("data plane defaults", () => {
    it("keeps MinIO and MySQL in the cluster on testing stacks and existing clusters", () => {
        for (const stack of ["dev", "gke-dev", "onprem", "airgap"]) {
            expect(settingsOf(stack), stack).toMatchObject({ objectStore: "minio", database: "in-cluster" });
        }
        expect(settingsOf("onprem", { topology: "production" })).toMatchObject({ objectStore: "minio", database: "in-cluster" });
    });

    it("uses S3 and RDS on aws production, with Multi-AZ, deletion protection and two weeks of backups", () => {
        expect(settingsOf("prod")).toEqual({
            objectStore: "s3",
            database: "rds",
            backupRetentionDays: 14,
            deletionProtection: true,
            retainOnDelete: true,
            highAvailability: true,
            instanceClass: "db.m7g.large",
            storageGiB: 200,
        });
    });

    it("uses GCS and Cloud SQL on gcp production", () => {
        expect(settingsOf("gke-dev", { topology: "production" })).toMatchObject({ objectStore: "gcs", database: "cloudsql" });
    });

    it("lets a stack override each default", () => {
        expect(settingsOf("prod", { dataPlane: { objectStore: "minio", deletionProtection: false, backupRetentionDays: 30 } })).toMatchObject({
            objectStore: "minio",
            database: "rds",
            deletionProtection: false,
            backupRetentionDays: 30,
        });
        expect(settingsOf("dev", { dataPlane: { objectStore: "s3" } })).toMatchObject({ objectStore: "s3", database: "in-cluster", highAvailability: false });
    });
});

// The policies are JSON text as the program writes them, read by the same evaluator as the audit's.
const allows = (policy: string, request: IamRequest) => policyAllows(parseIamPolicy(policy)!, request);
const denies = (policy: string, request: IamRequest) => policyDenies(parseIamPolicy(policy)!, request);

describe("S3 policies", () => {
    it("refuses every request to the bucket made without TLS", () => {
        const policy = tlsOnlyPolicy(BUCKET);
        for (const resource of [BUCKET, `${BUCKET}/artifacts/vision/a.tgz`]) {
            expect(denies(policy, { action: "s3:GetObject", resource, context: { "aws:SecureTransport": "false" } })).toBe(true);
            expect(denies(policy, { action: "s3:GetObject", resource, context: { "aws:SecureTransport": "true" } })).toBe(false);
        }
    });

    it("lets a tenant's role read, write and list only its own prefixes", () => {
        const prefixes = Object.fromEntries(tenantArtifactPrefixes("vision").map((prefix) => [prefix, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]]));
        const policy = bucketPolicy({ bucketArn: BUCKET, kmsKeyArn: KEY, region: "us-east-1", prefixes });
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            expect(allows(policy, { action, resource: `${BUCKET}/artifacts/vision/run-1/model.tgz` }), action).toBe(true);
            expect(allows(policy, { action, resource: `${BUCKET}/v2/artifacts/vision/pipeline/run/model` }), action).toBe(true);
            expect(allows(policy, { action, resource: `${BUCKET}/artifacts/nlp/run-1/model.tgz` }), action).toBe(false);
            expect(allows(policy, { action, resource: `${BUCKET}/v2/artifacts/nlp/pipeline/run/model` }), action).toBe(false);
            expect(allows(policy, { action, resource: `${BUCKET}/artifacts/visionary/x` }), action).toBe(false);
            expect(allows(policy, { action, resource: `${BUCKET}/pipelines/p.yaml` }), action).toBe(false);
        }
        const list = (prefix: string) => allows(policy, { action: "s3:ListBucket", resource: BUCKET, context: { "s3:prefix": prefix } });
        expect(list("artifacts/vision/")).toBe(true);
        expect(list("v2/artifacts/vision/pipeline/")).toBe(true);
        expect(list("artifacts/nlp/")).toBe(false);
        expect(list("artifacts/")).toBe(false);
        expect(allows(policy, { action: "s3:ListBucket", resource: BUCKET })).toBe(false);
        expect(allows(policy, { action: "s3:PutBucketPolicy", resource: BUCKET })).toBe(false);
        // The key only through S3 in the stack's region.
        expect(allows(policy, { action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } })).toBe(true);
        expect(allows(policy, { action: "kms:Decrypt", resource: KEY })).toBe(false);
    });

    it("trusts only the tenant's default-editor ServiceAccount", async () => {
        const provider = {
            arn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
            url: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
        };
        const trust = await new Promise<string>((resolve) => irsaTrustPolicy(provider, { namespace: "vision", name: "default-editor" }).apply(resolve));
        const assume = (sub: string) =>
            allows(trust, {
                action: "sts:AssumeRoleWithWebIdentity",
                resource: "*",
                context: { "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": sub, "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com" },
            });
        expect(JSON.parse(trust).Statement[0].Principal).toEqual({ Federated: provider.arn });
        expect(assume("system:serviceaccount:vision:default-editor")).toBe(true);
        expect(assume("system:serviceaccount:nlp:default-editor")).toBe(false);
        expect(assume("system:serviceaccount:vision:default-viewer")).toBe(false);
    });
});

const type = {
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    database: "aws:rds/instance:Instance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    deployment: "kubernetes:apps/v1:Deployment",
};

describe("the prod stack's managed data plane", async () => {
    const plan = await plannedStack("prod");

    it("plans one bucket encrypted with its own KMS key, versioned, closed to the public and to plain HTTP, with old versions expiring", () => {
        expect(resourcesOfType(plan, type.bucket).map((bucket) => bucket.inputs["bucketPrefix"])).toEqual(["kfstack-prod-artifacts-"]);
        const rule = (resource(plan, type.encryption, "kfstack-prod-data-s3").inputs["rules"] as Record<string, Record<string, unknown>>[])[0]!;
        expect(rule["applyServerSideEncryptionByDefault"]).toEqual({ sseAlgorithm: "aws:kms", kmsMasterKeyId: Unknown.instance });
        expect(resource(plan, type.versioning, "kfstack-prod-data-s3").inputs["versioningConfiguration"]).toEqual({ status: "Enabled" });
        expect(resource(plan, type.publicAccess, "kfstack-prod-data-s3").inputs).toMatchObject({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(resource(plan, type.bucketPolicy, "kfstack-prod-data-s3").inputs["policy"]).toEqual(Unknown.instance);
        expect(resource(plan, type.lifecycle, "kfstack-prod-data-s3").inputs["rules"]).toEqual([
            expect.objectContaining({ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } }),
        ]);
    });

    it("plans RDS for MySQL 8.0: private, encrypted, Multi-AZ, deletion-protected, backed up 14 days, with a final snapshot and a secret password", () => {
        const database = resource(plan, type.database, "kfstack-prod-data-rds").inputs;
        expect(database).toMatchObject({
            engine: "mysql",
            engineVersion: "8.0",
            storageEncrypted: true,
            publiclyAccessible: false,
            multiAz: true,
            deletionProtection: true,
            backupRetentionPeriod: 14,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: "kfstack-prod-kubeflow-final",
            dbName: "katib",
        });
        expect(database["password"]).toBeInstanceOf(Secret);
        expect(resource(plan, type.subnetGroup, "kfstack-prod-data-rds").inputs["subnetIds"]).toHaveLength(3);
    });

    it("admits MySQL connections from the nodes' security group only", () => {
        const group = resource(plan, type.securityGroup, "kfstack-prod-data-rds");
        // One rule, 3306 from one security group (the EKS cluster's, known once the cluster exists; the offline engine
        // echoes inputs as outputs, so it reads null here), and no CIDR block.
        expect(group.inputs["ingress"]).toEqual([{ protocol: "tcp", fromPort: 3306, toPort: 3306, securityGroups: [null] }]);
        expect(group.dependsOn).toContain(resource(plan, "aws:eks/cluster:Cluster", "kfstack-prod").urn);
        expect(resource(plan, type.database, "kfstack-prod-data-rds").dependsOn).toContain(group.urn);
    });

    it("gives each tenant a role named for it, trusting the cluster's OIDC provider, and annotates its default-editor with it", () => {
        const provider = resourcesOfType(plan, type.oidc)[0]!;
        for (const tenant of ["vision", "nlp"]) {
            const role = resource(plan, type.role, `kfstack-prod-data-tenant-${tenant}`);
            expect(role.inputs["name"]).toBe(`kfstack-prod-artifacts-${tenant}`);
            expect(role.dependsOn).toContain(provider.urn);
            expect(resource(plan, type.rolePolicy, `kfstack-prod-data-tenant-${tenant}`).dependsOn).toContain(role.urn);
            const account = resource(plan, type.serviceAccount, `${tenant}/default-editor`).inputs["metadata"] as { annotations: Record<string, unknown> };
            expect(account.annotations).toEqual({ "eks.amazonaws.com/role-arn": Unknown.instance });
            const launcher = resource(plan, type.configMap, `${tenant}/kfp-launcher`).inputs["data"] as Record<string, unknown>;
            expect(launcher["defaultPipelineRoot"]).toEqual(Unknown.instance);
        }
    });

    it("binds Pipelines' API server and UI to their own roles", () => {
        for (const account of ["ml-pipeline", "ml-pipeline-ui"]) {
            const metadata = resource(plan, type.serviceAccount, `kubeflow/${account}`).inputs["metadata"] as { annotations: Record<string, unknown> };
            expect(metadata.annotations["eks.amazonaws.com/role-arn"], account).toEqual(Unknown.instance);
            expect(resource(plan, type.role, `kfstack-prod-data-${account}`).inputs["assumeRolePolicy"]).toEqual(Unknown.instance);
        }
    });

    it("points Pipelines, ML Metadata and Katib at RDS and S3", () => {
        expectManagedDatabaseAndKeys(plan);
        const apiServer = envOf(plan, "kubeflow/ml-pipeline", "ml-pipeline-api-server");
        expect(apiServer).toMatchObject({
            OBJECTSTORECONFIG_HOST: "s3.us-east-1.amazonaws.com",
            OBJECTSTORECONFIG_REGION: "us-east-1",
            OBJECTSTORECONFIG_SECURE: "true",
        });
        expect(apiServer).not.toHaveProperty("OBJECTSTORECONFIG_ACCESSKEY");
    });

    it("keys Argo's artifacts under the workflow's namespace in the bucket, with the pod's own credentials", () => {
        const repository = argoArtifactRepository({ kind: "s3", endpoint: "s3.us-east-1.amazonaws.com", region: "us-east-1" }, "kfstack-prod-artifacts-0123");
        expect(repository).toContain("keyFormat: artifacts/{{workflow.namespace}}/{{workflow.name}}/");
        expect(repository).toContain("useSDKCreds: true");
        expect(repository).toContain("insecure: false");
        const argo = resource(plan, type.configMap, "kubeflow/workflow-controller-configmap").inputs["data"] as Record<string, unknown>;
        expect(argo["artifactRepository"]).toEqual(Unknown.instance);
    });

    it("installs no MinIO or MySQL workload, volume or Service", () => {
        expectNoBundledStores(plan);
    });
});

describe("a testing stack", async () => {
    const plan = await plannedStack("dev");

    it("keeps the bundled MinIO and MySQL and creates no managed service", () => {
        expect(resourcesOfType(plan, type.bucket)).toEqual([]);
        expect(resourcesOfType(plan, type.database)).toEqual([]);
        for (const name of ["kubeflow/minio", "kubeflow/mysql", "kubeflow/katib-mysql"]) resource(plan, type.deployment, name);
    });
});
