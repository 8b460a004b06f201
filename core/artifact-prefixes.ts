// Where each tenant's pipelines write in the Pipelines bucket, whatever the
// object store: Argo's artifacts (and archived logs) under artifacts/<ns>/,
// KFP v2's under v2/artifacts/<ns>/; the database dumps under backups/. A tenant's credential is confined to
// exactly these prefixes, so the program, the audit and the policy pack read
// them from here.

/** The bucket Kubeflow Pipelines 2.0.5 keeps its artifacts in (pipeline-install-config bucketName). */
export const PIPELINES_BUCKET = "mlpipeline";

/** The in-cluster databases' dumps (components/backups): outside every tenant's prefixes, whatever the tenant is called. */
export const BACKUP_PREFIX = "backups/";

/** The prefixes of one tenant namespace's artifacts, each ending in "/". */
export function tenantArtifactPrefixes(namespace: string): string[] {
    return [`artifacts/${namespace}/`, `v2/artifacts/${namespace}/`];
}

/** The namespace's v2 pipeline root, as its kfp-launcher ConfigMap's defaultPipelineRoot names it: inside its v2 prefix. */
export function tenantPipelineRoot(namespace: string, scheme: "minio" | "s3" | "gs", bucket: string = PIPELINES_BUCKET): string {
    return `${scheme}://${bucket}/v2/artifacts/${namespace}`;
}
