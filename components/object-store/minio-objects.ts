// The objects that give each tenant its own MinIO user, as pure data: the
// tenant's key in its own namespace (where Argo, the v2 launcher and its
// artifact server read it), its pipeline root under its own prefix, and in
// kubeflow a Job that makes, with the BOM's `mc`, one user and one prefix policy
// per tenant. The Job only upserts (user add, policy create, attach), so it can
// run again at every change.
import type * as pulumi from "@pulumi/pulumi";
import { PIPELINES_BUCKET, tenantArtifactPrefixes, tenantPipelineRoot } from "../../core/artifact-prefixes";
import { MINIO_POLICIES_CONFIG_MAP, MINIO_POLICY_ANNOTATION } from "../../core/object-store-credentials";
import type { KubernetesObject } from "../../core/objects";
import type { IamPolicyDocument } from "../../core/iam-policy";
import type { ImagePin } from "../bom/schema";

/** The Secret Argo's artifact repository, the v2 launcher and ml-pipeline-ui-artifact read in a namespace (object_store.go minioArtifactSecretName). */
export const TENANT_KEY_SECRET = "mlpipeline-minio-artifact";
const KEYS_SECRET = "kfstack-minio-tenant-keys";
const ADMIN_SECRET = "kfstack-minio-admin";
const JOB = "kfstack-minio-tenants";
/** The in-cluster MinIO, as the Pipelines API server reaches it. */
export const MINIO_ENDPOINT = "http://minio-service.kubeflow:9000";

export interface TenantKey {
    readonly tenant: string;
    readonly accessKey: pulumi.Input<string>;
    readonly secretKey: pulumi.Input<string>;
}

export const policyName = (tenant: string): string => `kfstack-tenant-${tenant}`;

/** Read, write and delete under the tenant's prefixes, and list only with a prefix inside them. */
export function tenantPolicy(tenant: string): IamPolicyDocument {
    const prefixes = tenantArtifactPrefixes(tenant);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: prefixes.map((prefix) => `arn:aws:s3:::${PIPELINES_BUCKET}/${prefix}*`),
            },
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [`arn:aws:s3:::${PIPELINES_BUCKET}`],
                Condition: { StringLike: { "s3:prefix": prefixes.map((prefix) => `${prefix}*`) } },
            },
        ],
    };
}

/**
 * `attach <policy> <user>` for the mc Jobs' scripts: MinIO answers an attachment already made with "The specified policy
 * change is already in effect." and mc exits 1 (minio/mc#4863), which would fail every run after the first; a shell
 * function, as the mc image has no grep.
 */
export const ATTACH_POLICY = `attach() {
  if out="$(mc admin policy attach kfstack "$1" --user "$2" 2>&1)"; then return 0; fi
  case "$out" in *"already in effect"*) ;; *) echo "$out" >&2; return 1 ;; esac
}`;

/** The Job's script: wait for MinIO, make the bucket, then for each tenant its policy, its user (secret read from stdin, not argv) and the attachment. */
const SCRIPT = `set -eu
${ATTACH_POLICY}
until mc alias set kfstack ${MINIO_ENDPOINT} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do sleep 5; done
mc mb --ignore-existing kfstack/${PIPELINES_BUCKET}
for tenant in $TENANTS; do
  mc admin policy create kfstack "kfstack-tenant-$tenant" "/policies/kfstack-tenant-$tenant.json"
  printf '%s\\n%s\\n' "$(cat "/keys/$tenant.accesskey")" "$(cat "/keys/$tenant.secretkey")" | mc admin user add kfstack
  attach "kfstack-tenant-$tenant" "$(cat "/keys/$tenant.accesskey")"
done
`;

/** One tenant's key and pipeline root, in its namespace. */
function tenantNamespaceObjects(key: TenantKey): KubernetesObject[] {
    const namespace = key.tenant;
    return [
        {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: TENANT_KEY_SECRET, namespace, annotations: { [MINIO_POLICY_ANNOTATION]: policyName(key.tenant) } },
            stringData: { accesskey: key.accessKey, secretkey: key.secretKey },
        },
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "kfp-launcher", namespace },
            data: { defaultPipelineRoot: tenantPipelineRoot(namespace, "minio") },
        },
    ];
}

/** What an `mc` Job runs: its script, environment and the volumes it reads besides its scratch space. */
interface McJob {
    readonly name: string;
    readonly script: string;
    readonly env: readonly Record<string, unknown>[];
    readonly volumes: readonly { readonly name: string; readonly mountPath: string; readonly source: Record<string, unknown> }[];
}

/** A Job in kubeflow running the BOM's `mc` against the in-cluster MinIO, non-root, read-only, with memory limits. */
export function mcJob(job: McJob, mc: ImagePin): KubernetesObject {
    const { cpuRequest, memoryRequest, memoryLimit } = mc.resources;
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: job.name, namespace: "kubeflow" },
        spec: {
            backoffLimit: 6,
            activeDeadlineSeconds: 900,
            template: {
                // A sidecar would keep the Job from ever completing; MinIO admits callers without one (its AuthorizationPolicy allows all).
                metadata: { annotations: { "sidecar.istio.io/inject": "false" } },
                spec: {
                    restartPolicy: "OnFailure",
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "mc",
                            image: mc.image,
                            command: ["/bin/sh", "-c", job.script],
                            env: [...job.env, { name: "MC_CONFIG_DIR", value: "/tmp/mc" }],
                            resources: { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { memory: memoryLimit } },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                            volumeMounts: [
                                ...job.volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath, readOnly: true })),
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    volumes: [
                        ...job.volumes.map((volume) => ({ name: volume.name, ...volume.source })),
                        { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
                    ],
                },
            },
        },
    };
}

function job(tenants: readonly string[], mc: ImagePin): KubernetesObject {
    const fromAdmin = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: ADMIN_SECRET, key: name } } });
    return mcJob(
        {
            name: JOB,
            script: SCRIPT,
            env: [fromAdmin("MINIO_ROOT_USER"), fromAdmin("MINIO_ROOT_PASSWORD"), { name: "TENANTS", value: tenants.join(" ") }],
            volumes: [
                { name: "keys", mountPath: "/keys", source: { secret: { secretName: KEYS_SECRET } } },
                { name: "policies", mountPath: "/policies", source: { configMap: { name: MINIO_POLICIES_CONFIG_MAP } } },
            ],
        },
        mc,
    );
}

/**
 * Every object of the MinIO tenant users: per tenant its key Secret and kfp-launcher ConfigMap in its namespace; in
 * kubeflow the Job's admin credential (its own Secret), the tenants' keys, their policies, and the Job.
 */
export function minioTenantObjects(
    keys: readonly TenantKey[],
    root: { user: pulumi.Input<string>; password: pulumi.Input<string> },
    mc: ImagePin,
): KubernetesObject[] {
    const tenants = keys.map((key) => key.tenant);
    return [
        ...keys.flatMap(tenantNamespaceObjects),
        {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: ADMIN_SECRET, namespace: "kubeflow" },
            stringData: { MINIO_ROOT_PASSWORD: root.password, MINIO_ROOT_USER: root.user },
        },
        {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: KEYS_SECRET, namespace: "kubeflow" },
            // In key order, as the Pulumi engine hands values to policies: the first a preview cannot know is the one it reports.
            stringData: Object.fromEntries(
                [...keys]
                    .sort((a, b) => (a.tenant < b.tenant ? -1 : 1))
                    .flatMap((key) => [
                        [`${key.tenant}.accesskey`, key.accessKey],
                        [`${key.tenant}.secretkey`, key.secretKey],
                    ]),
            ),
        },
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: MINIO_POLICIES_CONFIG_MAP, namespace: "kubeflow" },
            data: Object.fromEntries(tenants.map((tenant) => [`${policyName(tenant)}.json`, JSON.stringify(tenantPolicy(tenant), null, 2)])),
        },
        job(tenants, mc),
    ];
}
