// Who reaches the artifact bucket of a gcp stack, each as its own Google
// service account allowed on its prefixes only (a bucket IAM binding with a
// condition): Pipelines' API server, its UI, and one account per tenant bound
// to the tenant's default-editor ServiceAccount through Workload Identity.
//
// As read at the pinned versions:
// - Pipelines' API server (kubeflow/pipelines 2.0.5 backend/src/apiserver/client/minio.go) talks S3 through minio-go
//   v6.0.57, whose credential chain knows static keys, MinIO/AWS environment variables and AWS's metadata and STS
//   endpoints (pkg/credentials/iam_aws.go), not Google's metadata server: it reaches GCS's XML API (which minio-go signs
//   with Signature V2, api.go IsGoogleEndpoint) with an HMAC key of its own service account, bound to no
//   ServiceAccount, and checks the bucket exists at start-up (client_manager.go createMinioBucket: storage.buckets.get).
// - The v2 launcher in tenant pods opens a gs:// pipeline root with gocloud.dev v0.22's gcsblob (backend/src/v2/objectstore/
//   object_store.go OpenBucket: only minio:// gets a key), i.e. application default credentials: Workload Identity.
// - Argo's executor in tenant pods (v3.3.10 workflow/artifacts/gcs/gcs.go newGCSClient): without serviceAccountKeySecret,
//   the default client ("Assume it uses Workload Identity"); it downloads by listing under the artifact's key.
// - The UI server (frontend/server/handlers/artifacts.ts getGCSArtifactHandler: `new Storage()`, then getFiles({ prefix }))
//   uses application default credentials too, so on gcp its read-only account works, unlike on aws.
// - KServe's storage initializer (v0.11.2 python/kserve/kserve/storage/storage.py _download_gcs): google-cloud-storage's
//   default client, listing under the model's path; it runs as the InferenceService's serviceAccountName, which must
//   be default-editor to reach the tenant's prefixes.
// The workflow controller never calls the store in v3.3 (artifact GC came in v3.4): no account.
import * as pulumi from "@pulumi/pulumi";
import { googleAccountId } from "../cluster/gcp/account-id";
import { workloadIdentity } from "../cluster/gcp/workload-identity";
import { gcp } from "../packages";
import type { AccountKey, IdentityAnnotations, IdentityBindings } from "./managed";
import { tenantArtifactPrefixes } from "../../core/artifact-prefixes";
import { tenantAccountId } from "./settings";

/** The prefix Pipelines' API server keeps uploaded pipeline packages under (ObjectStoreConfig.PipelinePath's default). */
const PIPELINES_PREFIX = "pipelines/";
/** Every namespace's artifacts, as the platform's readers need them. */
const ALL_ARTIFACTS = ["artifacts/", "v2/artifacts/"];
/** The request attribute of an objects.list call: the prefix it lists (empty on every other call). */
const LIST_PREFIX = 'api.getAttribute("storage.googleapis.com/objectListPrefix", "")';

/**
 * An IAM condition true for the objects under each prefix and for listings asked under one: a bucket role bound with it
 * reaches no other object, and lists nothing but those prefixes (the list permission is checked on the bucket, where
 * resource.name names no object, so only the listed prefix can limit it).
 */
export function prefixCondition(bucket: string, prefixes: readonly string[]): string {
    const literal = (text: string) => JSON.stringify(text);
    return [
        ...prefixes.map((prefix) => `resource.name.startsWith(${literal(`projects/_/buckets/${bucket}/objects/${prefix}`)})`),
        ...prefixes.map((prefix) => `${LIST_PREFIX}.startsWith(${literal(prefix)})`),
    ].join(" || ");
}

export interface GcpIdentitiesArgs {
    readonly project: string;
    readonly clusterName: string;
    readonly bucket: pulumi.Output<string>;
    readonly tenants: readonly string[];
    readonly tenantAccount: string;
}

export interface GcpIdentities extends IdentityBindings {
    /** The API server's HMAC key (secrets). */
    readonly apiServerKey: { accessKey: pulumi.Output<string>; secretKey: pulumi.Output<string> };
}

type Grant = readonly [role: string, prefixes: readonly string[] | "bucket"];

function grant(parent: pulumi.Resource, name: string, bucket: pulumi.Output<string>, member: pulumi.Input<string>, grants: readonly Grant[]): void {
    for (const [role, prefixes] of grants) {
        const short = role.split(".").at(-1)!;
        new gcp.storage.BucketIAMMember(
            `${name}-${short}`,
            {
                bucket,
                role,
                member,
                ...(prefixes === "bucket"
                    ? {}
                    : { condition: { title: `${short} on its prefixes`, expression: bucket.apply((name) => prefixCondition(name, prefixes)) } }),
            },
            { parent },
        );
    }
}

export function gcpIdentities(parent: pulumi.Resource, name: string, args: GcpIdentitiesArgs): GcpIdentities {
    const { project, clusterName, bucket } = args;
    const apiServer = new gcp.serviceaccount.Account(
        `${name}-ml-pipeline`,
        { accountId: googleAccountId(clusterName, "pipelines"), displayName: `Pipelines' API server of ${clusterName} (HMAC key)` },
        { parent },
    );
    grant(parent, `${name}-ml-pipeline`, bucket, apiServer.member, [
        ["roles/storage.objectAdmin", [PIPELINES_PREFIX]],
        ["roles/storage.objectViewer", ALL_ARTIFACTS],
        // storage.buckets.get for the start-up check, with storage.objects.list: names and metadata of every object, no contents.
        ["roles/storage.legacyBucketReader", "bucket"],
    ]);
    const key = new gcp.storage.HmacKey(`${name}-ml-pipeline`, { project, serviceAccountEmail: apiServer.email }, { parent });
    const ui = workloadIdentity(parent, `${name}-ml-pipeline-ui`, {
        project,
        accountId: googleAccountId(clusterName, "pipelines-ui"),
        account: { namespace: "kubeflow", name: "ml-pipeline-ui" },
    });
    grant(parent, `${name}-ml-pipeline-ui`, bucket, ui.member, [["roles/storage.objectViewer", ALL_ARTIFACTS]]);
    const tenantAccounts = new Map<string, IdentityAnnotations>(
        args.tenants.map((tenant) => {
            const identity = workloadIdentity(parent, `${name}-tenant-${tenant}`, {
                project,
                accountId: tenantAccountId(clusterName, tenant),
                account: { namespace: tenant, name: args.tenantAccount },
            });
            grant(parent, `${name}-tenant-${tenant}`, bucket, identity.member, [["roles/storage.objectAdmin", tenantArtifactPrefixes(tenant)]]);
            return [tenant, identity.annotations];
        }),
    );
    return {
        platformAccounts: new Map<AccountKey, IdentityAnnotations>([["kubeflow/ml-pipeline-ui", ui.annotations]]),
        tenantAccounts,
        apiServerKey: { accessKey: pulumi.secret(key.accessId), secretKey: pulumi.secret(key.secret) },
    };
}
