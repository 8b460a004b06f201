// The object store as the attacker: a member of tenant vision, with every
// permission the platform grants (reading the Secrets of vision's namespace),
// takes the key vision holds and tries nlp's artifacts with it. The MinIO policy
// the plan generates for vision's user is what stops them; the audit reports
// any key a tenant holds that reaches another tenant's prefixes. On prod with its
// data plane in the cluster (prod itself keeps artifacts in S3, test/data-plane.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { tenantArtifactPrefixes } from "../../core/artifact-prefixes";
import { MINIO_POLICIES_CONFIG_MAP, MINIO_POLICY_ANNOTATION } from "../../core/object-store-credentials";
import { PREFIX_REQUESTS, type IamPolicyDocument, allowedUnder, parseIamPolicy, policyAllows } from "../../core/iam-policy";
import type { KubernetesObject } from "../../core/objects";
import { buildRbac } from "../../core/rbac/authorizer";
import { auditTenancy } from "../../engine/audit/tenancy-audit";
import { type PolicyRecord, policyRecordsOf } from "../../engine/policy-check";
import { plannedStack } from "../planned-stacks";

const KEY_SECRET = "mlpipeline-minio-artifact";
const record = (records: PolicyRecord[], type: string, name: string) => records.find((candidate) => candidate.type === type && candidate.name === name)!;

describe("a member of tenant vision with the key vision holds", () => {
    let prod: PolicyRecord[];
    let visionPolicy: IamPolicyDocument;
    beforeAll(async () => {
        prod = policyRecordsOf((await plannedStack("prod-minio")).resources);
        const secret = record(prod, "kubernetes:core/v1:Secret", `vision/${KEY_SECRET}`);
        const policyName = (secret.props["metadata"] as { annotations: Record<string, string> }).annotations[MINIO_POLICY_ANNOTATION]!;
        const policies = record(prod, "kubernetes:core/v1:ConfigMap", `kubeflow/${MINIO_POLICIES_CONFIG_MAP}`).props["data"] as Record<string, string>;
        visionPolicy = parseIamPolicy(policies[`${policyName}.json`]!)!;
    });

    it("reads its namespace's key with the rights the platform grants an editor, and cannot read nlp's", () => {
        const rbac = buildRbac(
            prod.filter((candidate) => candidate.type.startsWith("kubernetes:")).map((candidate) => candidate.props as unknown as KubernetesObject),
        );
        const read = (namespace: string) =>
            rbac.can({ kind: "User", name: "ben@example.com" }, { verb: "get", apiGroup: "", resource: "secrets", namespace, name: KEY_SECRET }, [
                "system:authenticated",
            ]);
        expect(read("vision").map((path) => path.binding)).toEqual(["RoleBinding vision/user-ben-example-com-clusterrole-kubeflow-edit"]);
        expect(read("nlp")).toEqual([]);
    });

    it("holds a key of its own, confined by the MinIO policy its Secret names", () => {
        expect((record(prod, "kubernetes:core/v1:Secret", `vision/${KEY_SECRET}`).props["metadata"] as { annotations: unknown }).annotations).toEqual({
            [MINIO_POLICY_ANNOTATION]: "kfstack-tenant-vision",
        });
        expect(visionPolicy.Statement.map((statement) => statement.Resource)).toEqual([
            ["arn:aws:s3:::mlpipeline/artifacts/vision/*", "arn:aws:s3:::mlpipeline/v2/artifacts/vision/*"],
            ["arn:aws:s3:::mlpipeline"],
        ]);
    });

    it("reads, writes, deletes and lists its own artifacts, Argo's and v2's", () => {
        for (const prefix of tenantArtifactPrefixes("vision"))
            expect(allowedUnder(visionPolicy, "mlpipeline", prefix, "run-1/model.pt")).toEqual([...PREFIX_REQUESTS]);
    });

    it("cannot read, overwrite, delete or list nlp's artifacts: the policy allows only vision's prefixes", () => {
        for (const prefix of tenantArtifactPrefixes("nlp")) expect(allowedUnder(visionPolicy, "mlpipeline", prefix, "run-1/model.pt")).toEqual([]);
    });

    it("cannot list the whole bucket or the shared artifacts/ folder to learn nlp's object names", () => {
        for (const prefix of ["", "artifacts/", "v2/", "v2/artifacts/", "artifacts/nlp"])
            expect(policyAllows(visionPolicy, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", context: { "s3:prefix": prefix } }), prefix).toBe(
                false,
            );
        expect(policyAllows(visionPolicy, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline" }), "no prefix").toBe(false);
    });

    it("cannot reach a tenant whose name begins with its own (vision-2): each prefix ends at the namespace's slash", () => {
        for (const prefix of tenantArtifactPrefixes("vision-2")) expect(allowedUnder(visionPolicy, "mlpipeline", prefix, "model.pt")).toEqual([]);
        expect(policyAllows(visionPolicy, { action: "s3:GetObject", resource: "arn:aws:s3:::mlpipeline/artifacts/visionary/model.pt" })).toBe(false);
    });

    it("cannot touch another bucket or administer MinIO", () => {
        expect(policyAllows(visionPolicy, { action: "s3:GetObject", resource: "arn:aws:s3:::other/artifacts/vision/model.pt" })).toBe(false);
        expect(policyAllows(visionPolicy, { action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::mlpipeline" })).toBe(false);
        expect(policyAllows(visionPolicy, { action: "admin:CreateUser", resource: "arn:aws:s3:::mlpipeline" })).toBe(false);
    });

    it("gives the audit no object-store finding on the prod plan", () => {
        expect(auditTenancy(prod).findings.filter((finding) => finding.kind === "credential")).toEqual([]);
    });
});

describe("the tenancy audit of object-store keys", () => {
    let prod: PolicyRecord[];
    beforeAll(async () => {
        prod = policyRecordsOf((await plannedStack("prod-minio")).resources);
    });
    const credentialFindings = (records: PolicyRecord[]) => auditTenancy(records).findings.filter((finding) => finding.kind === "credential");

    it("finds upstream's profile controller handing the root key to every tenant, with the chain to the other's artifacts", () => {
        // Pipelines 2.0.5's Deployment, whose sync.py returns the key of its environment as every Profile namespace's Secret.
        const upstream = prod.map((candidate) => {
            if (candidate.name !== "kubeflow/kubeflow-pipelines-profile-controller" || candidate.type !== "kubernetes:apps/v1:Deployment") return candidate;
            const props = structuredClone(candidate.props) as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } };
            props.spec.template.spec.containers[0]!.env.push({ name: "MINIO_ACCESS_KEY", valueFrom: { secretKeyRef: { name: KEY_SECRET, key: "accesskey" } } });
            return { ...candidate, props };
        });
        const findings = credentialFindings(upstream);
        expect(findings.map((finding) => `${finding.id}: ${finding.message}`)).toEqual([
            "shared-object-store-key: People of tenant vision can read Secret vision/mlpipeline-minio-artifact, an object-store key the Pipelines profile controller copies into every tenant namespace, and with it read, overwrite or delete the artifacts of nlp",
            "shared-object-store-key: People of tenant nlp can read Secret nlp/mlpipeline-minio-artifact, an object-store key the Pipelines profile controller copies into every tenant namespace, and with it read, overwrite or delete the artifacts of vision",
        ]);
        expect(findings[0]!.path.slice(0, 2)).toEqual(["User ana@example.com", "RoleBinding vision/namespaceAdmin"]);
        expect(findings[0]!.path.slice(-4)).toEqual([
            "Secret vision/mlpipeline-minio-artifact",
            "copied from Secret kubeflow/mlpipeline-minio-artifact by Deployment kubeflow/kubeflow-pipelines-profile-controller (env MINIO_ACCESS_KEY) into every Profile namespace",
            "the root key: no MinIO policy confines it",
            "the artifacts of nlp (artifacts/nlp/, v2/artifacts/nlp/): s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket on mlpipeline/artifacts/nlp/; s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket on mlpipeline/v2/artifacts/nlp/",
        ]);
    });

    it("finds a key planned in a tenant namespace that no MinIO policy confines", () => {
        const handApplied: PolicyRecord = {
            type: "kubernetes:core/v1:Secret",
            name: "nlp/s3-key",
            props: {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "s3-key", namespace: "nlp" },
                stringData: { accesskey: "shared", secretkey: "shared-secret" },
            },
        };
        const findings = credentialFindings([...prod, handApplied]);
        expect(findings.map((finding) => finding.message)).toEqual([
            "People of tenant nlp can read Secret nlp/s3-key, an object-store key planned in their namespace, and with it read, overwrite or delete the artifacts of vision",
        ]);
        expect(findings[0]!.path.slice(-3)).toEqual([
            "planned in the namespace",
            "no MinIO policy confines it",
            "the artifacts of vision (artifacts/vision/, v2/artifacts/vision/): s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket on mlpipeline/artifacts/vision/; s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket on mlpipeline/v2/artifacts/vision/",
        ]);
    });

    it("finds a tenant key whose policy also names another tenant's prefix", () => {
        const widened = prod.map((candidate) => {
            if (candidate.name !== `kubeflow/${MINIO_POLICIES_CONFIG_MAP}`) return candidate;
            const data = { ...(candidate.props["data"] as Record<string, string>) };
            const policy = JSON.parse(data["kfstack-tenant-vision.json"]!) as IamPolicyDocument;
            (policy.Statement[0]!.Resource as string[]).push("arn:aws:s3:::mlpipeline/v2/artifacts/nlp/*");
            data["kfstack-tenant-vision.json"] = JSON.stringify(policy);
            return { ...candidate, props: { ...candidate.props, data } };
        });
        const findings = credentialFindings(widened);
        expect(findings.map((finding) => finding.path.slice(-2))).toEqual([
            [
                "MinIO policy kfstack-tenant-vision (ConfigMap kubeflow/kfstack-minio-tenant-policies)",
                "the artifacts of nlp (artifacts/nlp/, v2/artifacts/nlp/): s3:GetObject, s3:PutObject, s3:DeleteObject on mlpipeline/v2/artifacts/nlp/",
            ],
        ]);
    });
});
