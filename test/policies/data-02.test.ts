import { describe, expect, it } from "vitest";
import type { PolicyRecord } from "../../engine/policy-check";
import { Unknown } from "../../engine/values";
import { objectStoreKeyPerTenant } from "../../policies/tenancy/data-02-object-store-key-per-tenant";
import { changed, mandatoryViolation, messagesOf, record, undecidedOf, violationsOf } from "./fixtures";
import { twoTenants } from "./fixtures-tenancy";
import { base64, secret } from "./fixtures-workloads";

const KEY = "mlpipeline-minio-artifact";
/** Each tenant's own key, as kfstack plans it (a MinIO user per tenant). */
const tenantKey = (namespace: string, accessKey: unknown) =>
    secret(KEY, namespace, { stringData: { accesskey: accessKey, secretkey: `${namespace}-secret-key` } });

/** The Pipelines profile controller as kfstack runs it: no object-store key in its environment. */
function profileController(env: Record<string, unknown>[] = [{ name: "KFP_VERSION", value: "2.0.5" }]): PolicyRecord {
    return record("kubernetes:apps/v1:Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "kubeflow-pipelines-profile-controller", namespace: "kubeflow" },
        spec: { template: { spec: { containers: [{ name: "profile-controller", image: "python:3.7", env }] } } },
    });
}

const fixture = () => [...twoTenants(), profileController(), tenantKey("team-a", "team-a-access"), tenantKey("team-b", "team-b-access")];
const FIX = "give each tenant its own key confined to its artifact prefixes";

describe("DATA-02 object-store key per tenant", () => {
    it("accepts a key of its own in each tenant namespace, and a profile controller that holds none", async () => {
        expect(await violationsOf(objectStoreKeyPerTenant, fixture())).toEqual([]);
    });

    it("accepts generated keys a preview cannot know yet, without leaving the check undecided", async () => {
        const preview = [...twoTenants(), profileController(), tenantKey("team-a", Unknown.instance), tenantKey("team-b", Unknown.instance)];
        expect(await violationsOf(objectStoreKeyPerTenant, preview)).toEqual([]);
        expect(await undecidedOf(objectStoreKeyPerTenant, preview)).toEqual([]);
    });

    it("rejects the same access key in Secrets of two tenant namespaces, in stringData or base64 in data", async () => {
        const copy = secret("s3", "team-b", { data: { AWS_ACCESS_KEY_ID: base64("team-a-access"), AWS_SECRET_ACCESS_KEY: base64("team-a-secret-key") } });
        const bad = [...fixture(), copy];
        expect(await violationsOf(objectStoreKeyPerTenant, bad)).toEqual([
            mandatoryViolation(
                { policy: "data-02-object-store-key-per-tenant", id: "DATA-02" },
                bad[bad.length - 3]!,
                `Secret "team-a/mlpipeline-minio-artifact", Secret "team-b/s3" hold the same object-store key (the same access key), so each of these tenants reaches the others' artifacts; ${FIX}.`,
            ),
        ]);
    });

    it("rejects a Pipelines profile controller that copies its object-store key into every Profile namespace, as upstream's does", async () => {
        const upstream = changed(
            fixture(),
            [twoTenants().length, "props", "spec", "template", "spec", "containers", 0, "env"],
            [{ name: "MINIO_ACCESS_KEY", valueFrom: { secretKeyRef: { name: KEY, key: "accesskey" } } }],
        );
        expect(await messagesOf(objectStoreKeyPerTenant, upstream)).toEqual([
            `Secret "team-a/mlpipeline-minio-artifact", Secret "team-b/mlpipeline-minio-artifact" hold the same object-store key (copied from Secret kubeflow/mlpipeline-minio-artifact by Deployment kubeflow/kubeflow-pipelines-profile-controller (env MINIO_ACCESS_KEY) into every Profile namespace), so each of these tenants reaches the others' artifacts; ${FIX}, and take the key out of Deployment "kubeflow/kubeflow-pipelines-profile-controller"'s environment.`,
        ]);
    });
});
