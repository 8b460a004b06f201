// A tenant's way to its artifacts on a managed object store: its
// default-editor ServiceAccount carries the tenant's own identity (a role
// allowed only on the tenant's prefixes), and its v2 pipeline root is under
// those prefixes. The profile controller creates default-editor only when it
// is missing and never updates it (kubeflow/kubeflow v1.8.0 profile_controller.go
// updateServiceAccount), so the annotation applied here survives its
// reconciles. The Profile's AwsIamForServiceAccount and WorkloadIdentity plugins
// are not used: they rewrite the role's trust policy or the Google service
// account's IAM policy (plugin_workload_identity.go: SetIamPolicy appending a
// workloadIdentityUser binding) and need IAM admin rights to do so; kfstack
// makes that binding itself.
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../../core/objects";
import { type IdentityAnnotations, type ManagedObjectStore, TENANT_ACCOUNT } from "../data-plane/managed";
import { tenantPipelineRoot } from "../../core/artifact-prefixes";

/** What a tenant's artifact access is made of: its identity and the store its pipelines write to. */
export interface TenantArtifacts {
    readonly identity: IdentityAnnotations;
    readonly store: Pick<ManagedObjectStore, "kind" | "bucket">;
}

/** The v2 pipeline root of a namespace: `<scheme>://<bucket>/v2/artifacts/<namespace>`, inside the tenant's prefix. */
export function pipelineRoot(store: TenantArtifacts["store"], namespace: string): pulumi.Output<string> {
    return pulumi.output(store.bucket).apply((bucket) => tenantPipelineRoot(namespace, store.kind === "s3" ? "s3" : "gs", bucket));
}

export function tenantArtifactObjects(namespace: string, artifacts: TenantArtifacts): KubernetesObject[] {
    return [
        {
            apiVersion: "v1",
            kind: "ServiceAccount",
            // The values are outputs (the role's ARN), resolved when the object registers.
            metadata: { name: TENANT_ACCOUNT, namespace, annotations: artifacts.identity as Record<string, string> },
        },
        {
            // Read by the v2 launcher of every run in the namespace (Pipelines 2.0.5); the Pipelines profile controller makes
            // this ConfigMap only when pipeline-install-config sets one root for all namespaces, which kfstack leaves empty.
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "kfp-launcher", namespace },
            data: { defaultPipelineRoot: pipelineRoot(artifacts.store, namespace) as unknown as string },
        },
    ];
}
