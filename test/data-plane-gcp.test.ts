// The GCP data plane as planned for the gke-prod stack (gcs + cloudsql, its
// production defaults): the bucket's and the database's protections, what each
// service account's bucket condition grants (evaluated, not string-matched),
// Workload Identity bound to each tenant's default-editor, and Kubeflow pointed
// at GCS and Cloud SQL with its bundled MinIO and MySQL left out.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { googleAccountId } from "../components/cluster/gcp/account-id";
import { prefixCondition } from "../components/data-plane/gcp-identities";
import { tenantArtifactPrefixes } from "../core/artifact-prefixes";
import { tenantAccountId } from "../components/data-plane/settings";
import { argoArtifactRepository } from "../components/kubeflow/managed-stores";
import type { Plan } from "../engine/plan";
import { Secret, Unknown } from "../engine/values";
import { resource, resourcesOfType } from "./helpers";
import { conditionHolds } from "./iam-condition-evaluation";
import { envOf, expectManagedDatabaseAndKeys, expectNoBundledStores } from "./managed-data-plane";
import { plannedStack } from "./planned-stacks";

const BUCKET = "kfstack-gke-prod-data-gcs-1a2b3c4";
const LIST_PREFIX = "storage.googleapis.com/objectListPrefix";

const object = (name: string, bucket = BUCKET) => ({ resourceName: `projects/_/buckets/${bucket}/objects/${name}` });
const listing = (prefix: string) => ({ resourceName: `projects/_/buckets/${BUCKET}`, attributes: { [LIST_PREFIX]: prefix } });

describe("the bucket conditions", () => {
    const vision = prefixCondition(BUCKET, tenantArtifactPrefixes("vision"));
    const nlp = prefixCondition(BUCKET, tenantArtifactPrefixes("nlp"));

    it("let a tenant's account reach its own objects and no other tenant's", () => {
        const visionObjects = ["artifacts/vision/train-x7/2026/12/05/train-x7-123/model.tgz", "v2/artifacts/vision/pipeline/run-1/train/model"];
        const nlpObjects = ["artifacts/nlp/tok-9/2026/12/05/tok-9-1/vocab.tgz", "v2/artifacts/nlp/pipeline/run-2/eval/metrics"];
        for (const name of visionObjects) {
            expect(conditionHolds(vision, object(name)), name).toBe(true);
            expect(conditionHolds(nlp, object(name)), name).toBe(false);
        }
        for (const name of nlpObjects) {
            expect(conditionHolds(nlp, object(name)), name).toBe(true);
            expect(conditionHolds(vision, object(name)), name).toBe(false);
        }
        // A namespace whose name starts with the tenant's, the platform's prefixes, the same key in another bucket.
        for (const request of [
            object("artifacts/visionary/x"),
            object("v2/artifacts/visionary/x"),
            object("pipelines/p.yaml"),
            object("artifacts/vision/x", "other"),
        ]) {
            expect(conditionHolds(vision, request), request.resourceName).toBe(false);
        }
    });

    it("let a tenant's account list under its own prefixes only; a listing names the bucket, not an object", () => {
        expect(conditionHolds(vision, listing("artifacts/vision/train-x7/"))).toBe(true);
        expect(conditionHolds(vision, listing("v2/artifacts/vision/"))).toBe(true);
        for (const prefix of ["", "artifacts/", "v2/artifacts/", "artifacts/nlp/", "artifacts/visionary", "artifacts/vision"]) {
            expect(conditionHolds(vision, listing(prefix)), prefix).toBe(false);
        }
        // Any other call on the bucket carries no list prefix.
        expect(conditionHolds(vision, { resourceName: `projects/_/buckets/${BUCKET}` })).toBe(false);
    });

    it("let the UI's account read every tenant's artifacts and not the uploaded pipelines", () => {
        const ui = prefixCondition(BUCKET, ["artifacts/", "v2/artifacts/"]);
        expect(conditionHolds(ui, object("artifacts/vision/a"))).toBe(true);
        expect(conditionHolds(ui, object("v2/artifacts/nlp/b"))).toBe(true);
        expect(conditionHolds(ui, listing("artifacts/nlp/"))).toBe(true);
        expect(conditionHolds(ui, object("pipelines/p.yaml"))).toBe(false);
        expect(conditionHolds(ui, listing(""))).toBe(false);
    });

    it("names each tenant's account within GCP's 30 characters, apart from the platform's", () => {
        expect(tenantAccountId("kfstack-gke-prod", "vision")).toBe("kfstack-gke-prod-t-vision");
        const longest = tenantAccountId("a-cluster-with-a-long-name", "speech-recognition1");
        expect(longest).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
        expect(longest.endsWith("-t-speech-recognition1")).toBe(true);
        expect(tenantAccountId("kfstack-gke-prod", "nodes")).not.toBe(googleAccountId("kfstack-gke-prod", "nodes"));
    });
});

const type = {
    bucket: "gcp:storage/bucket:Bucket",
    bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    account: "gcp:serviceaccount/account:Account",
    accountMember: "gcp:serviceaccount/iAMMember:IAMMember",
    hmacKey: "gcp:storage/hmacKey:HmacKey",
    instance: "gcp:sql/databaseInstance:DatabaseInstance",
    address: "gcp:compute/globalAddress:GlobalAddress",
    peering: "gcp:servicenetworking/connection:Connection",
    user: "gcp:sql/user:User",
    database: "gcp:sql/database:Database",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    deployment: "kubernetes:apps/v1:Deployment",
};

function annotationsOf(plan: Plan, account: string): Record<string, unknown> | undefined {
    return (resource(plan, type.serviceAccount, account).inputs["metadata"] as { annotations?: Record<string, unknown> }).annotations;
}

describe("the gke-prod stack's managed data plane", async () => {
    const plan = await plannedStack("gke-prod");

    it("plans one regional bucket with uniform access, public access prevention, versioning and old versions deleted", () => {
        expect(resourcesOfType(plan, type.bucket)).toHaveLength(1);
        expect(resource(plan, type.bucket, "kfstack-gke-prod-data-gcs").inputs).toMatchObject({
            location: "US-CENTRAL1",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            forceDestroy: false,
            lifecycleRules: [
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
                { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
            ],
        });
    });

    it("plans Cloud SQL for MySQL 8.0 on a private IP only, regional, deletion-protected, with 14 days of backups and binary logs", () => {
        const instance = resource(plan, type.instance, "kfstack-gke-prod-data-cloudsql");
        expect(instance.inputs).toMatchObject({
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
                ipConfiguration: { ipv4Enabled: false, privateNetwork: Unknown.instance },
            },
        });
        // The instance waits for private services access: a range of the cluster's VPC peered with Google's service network.
        const peering = resource(plan, type.peering, "kfstack-gke-prod-data-cloudsql-psa");
        expect(peering.inputs).toMatchObject({ service: "servicenetworking.googleapis.com" });
        expect(instance.dependsOn).toContain(peering.urn);
        expect(resource(plan, type.address, "kfstack-gke-prod-data-cloudsql-psa").inputs).toMatchObject({
            purpose: "VPC_PEERING",
            addressType: "INTERNAL",
            prefixLength: 20,
        });
        const network = resource(plan, "gcp:compute/network:Network", "kfstack-gke-prod-net-vpc");
        expect(peering.dependsOn).toContain(network.urn);
        const user = resource(plan, type.user, "kfstack-gke-prod-data-cloudsql").inputs;
        expect(user["name"]).toBe("kubeflow");
        expect(user["password"]).toBeInstanceOf(Secret);
        expect(resource(plan, type.database, "kfstack-gke-prod-data-cloudsql-katib").inputs["name"]).toBe("katib");
    });

    it("gives each tenant a service account that only its default-editor may act as, objectAdmin on the bucket under a condition", () => {
        for (const tenant of ["vision", "nlp"]) {
            const name = `kfstack-gke-prod-data-tenant-${tenant}`;
            expect(resource(plan, type.account, name).inputs["accountId"]).toBe(`kfstack-gke-prod-t-${tenant}`);
            expect(resource(plan, type.accountMember, name).inputs).toMatchObject({
                role: "roles/iam.workloadIdentityUser",
                member: `serviceAccount:example-ml-platform.svc.id.goog[${tenant}/default-editor]`,
            });
            const binding = resource(plan, type.bucketMember, `${name}-objectAdmin`).inputs;
            expect(binding).toMatchObject({ role: "roles/storage.objectAdmin", condition: { title: "objectAdmin on its prefixes" } });
            // The expression names the bucket, whose name is known once it exists; prefixCondition is evaluated above.
            expect((binding["condition"] as Record<string, unknown>)["expression"]).toEqual(Unknown.instance);
            expect(annotationsOf(plan, `${tenant}/default-editor`)).toEqual({ "iam.gke.io/gcp-service-account": Unknown.instance });
            const launcher = resource(plan, type.configMap, `${tenant}/kfp-launcher`).inputs["data"] as Record<string, unknown>;
            expect(launcher["defaultPipelineRoot"]).toEqual(Unknown.instance);
        }
        // No tenant's account holds any other grant on the bucket.
        const tenantBindings = resourcesOfType(plan, type.bucketMember).filter((binding) => binding.name.includes("-tenant-"));
        expect(tenantBindings.map((binding) => binding.name).sort()).toEqual([
            "kfstack-gke-prod-data-tenant-nlp-objectAdmin",
            "kfstack-gke-prod-data-tenant-vision-objectAdmin",
        ]);
    });

    it("binds the UI's ServiceAccount through Workload Identity, and gives the API server an HMAC key of its own account instead", () => {
        expect(annotationsOf(plan, "kubeflow/ml-pipeline-ui")).toMatchObject({ "iam.gke.io/gcp-service-account": Unknown.instance });
        expect(resource(plan, type.bucketMember, "kfstack-gke-prod-data-ml-pipeline-ui-objectViewer").inputs).toMatchObject({
            role: "roles/storage.objectViewer",
            condition: { expression: Unknown.instance },
        });
        expect(annotationsOf(plan, "kubeflow/ml-pipeline")?.["iam.gke.io/gcp-service-account"]).toBeUndefined();
        expect(resource(plan, type.account, "kfstack-gke-prod-data-ml-pipeline").inputs["accountId"]).toBe("kfstack-gke-prod-pipelines");
        expect(resourcesOfType(plan, type.hmacKey).map((key) => key.name)).toEqual(["kfstack-gke-prod-data-ml-pipeline"]);
        const roles = resourcesOfType(plan, type.bucketMember)
            .filter((binding) => binding.name.startsWith("kfstack-gke-prod-data-ml-pipeline-") && !binding.name.includes("-ui-"))
            .map((binding) => [binding.inputs["role"], binding.inputs["condition"] === undefined ? "bucket" : "prefixes"]);
        expect(roles).toHaveLength(3);
        expect(roles).toEqual(
            expect.arrayContaining([
                ["roles/storage.objectAdmin", "prefixes"],
                ["roles/storage.objectViewer", "prefixes"],
                ["roles/storage.legacyBucketReader", "bucket"],
            ]),
        );
    });

    it("points Pipelines, ML Metadata and Katib at Cloud SQL and the API server at GCS's XML API with its key", () => {
        expectManagedDatabaseAndKeys(plan);
        const apiServer = envOf(plan, "kubeflow/ml-pipeline", "ml-pipeline-api-server");
        expect(apiServer).toMatchObject({
            OBJECTSTORECONFIG_HOST: "storage.googleapis.com",
            OBJECTSTORECONFIG_REGION: "us-central1",
            OBJECTSTORECONFIG_SECURE: "true",
            OBJECTSTORECONFIG_ACCESSKEY: { secretKeyRef: { key: "accesskey", name: "mlpipeline-minio-artifact" } },
        });
        const key = resource(plan, type.secret, "kubeflow/mlpipeline-minio-artifact").inputs;
        expect(key["data"]).toBeUndefined();
        const stringData = key["stringData"] as Record<string, unknown>;
        expect(stringData["accesskey"]).toBeInstanceOf(Secret);
        expect(stringData["secretkey"]).toBeInstanceOf(Secret);
        // The UI does not read that key either (expectManagedDatabaseAndKeys: nor does the profile controller).
        const ui = envOf(plan, "kubeflow/ml-pipeline-ui", "ml-pipeline-ui");
        for (const name of ["MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "AWS_S3_ENDPOINT"]) expect(ui, name).not.toHaveProperty(name);
        const argo = resource(plan, type.configMap, "kubeflow/workflow-controller-configmap").inputs["data"] as Record<string, unknown>;
        expect(argo["artifactRepository"]).toEqual(Unknown.instance);
    });

    it("keys Argo's artifacts under the workflow's namespace in the bucket, with the pod's own credentials", () => {
        const repository = parse(argoArtifactRepository({ kind: "gcs", endpoint: "storage.googleapis.com", region: "us-central1" }, BUCKET)) as Record<
            string,
            unknown
        >;
        expect(repository).toEqual({
            archiveLogs: true,
            gcs: {
                bucket: BUCKET,
                keyFormat:
                    "artifacts/{{workflow.namespace}}/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}",
            },
        });
    });

    it("installs no MinIO or MySQL workload, volume or Service", () => {
        expectNoBundledStores(plan);
    });
});
