// Kubeflow on a managed data plane: Pipelines, ML Metadata, Argo and Katib
// pointed at the cloud's bucket and database, their bundled MinIO and MySQL
// left out, and the platform ServiceAccounts annotated with their identities.
// Object names and keys are those of kubeflow-v1.8.1/14-pipelines.yaml and
// 15-katib.yaml; a missing one stops the install rather than keep the default.
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { type KubernetesObject, objectKey } from "../../core/objects";
import type { BomComponent } from "../bom/schema";
import type { ManagedDataPlane, ManagedDatabase, ManagedObjectStore } from "../data-plane/managed";
import { CustomizeError, requiredObject } from "../manifests/customize";
import type { EnvVar } from "../../core/pod-templates";
import { patchProfileControllerHook } from "./object-store";

/** The bundled MinIO's objects (pipelines) and the bundled MySQLs' (pipelines, katib), as `component:kind/name` in kubeflow. */
const BUNDLED = {
    objectStore: ["pipelines:Deployment/minio", "pipelines:Service/minio-service", "pipelines:PersistentVolumeClaim/minio-pvc"],
    database: [
        "pipelines:Deployment/mysql",
        "pipelines:Service/mysql",
        "pipelines:PersistentVolumeClaim/mysql-pv-claim",
        "pipelines:ServiceAccount/mysql",
        "katib:Deployment/katib-mysql",
        "katib:Service/katib-mysql",
        "katib:PersistentVolumeClaim/katib-mysql",
    ],
    // The mesh's rules for the bundled servers go with them.
    objectStoreMesh: ["pipelines:DestinationRule/ml-pipeline-minio", "pipelines:AuthorizationPolicy/minio-service"],
    databaseMesh: ["pipelines:DestinationRule/ml-pipeline-mysql", "pipelines:AuthorizationPolicy/mysql"],
};

/** The component's objects without the bundled servers the managed data plane replaces. */
export function withoutBundledStores(component: BomComponent, objects: KubernetesObject[], managed: ManagedDataPlane): KubernetesObject[] {
    const dropped = [
        ...(managed.objectStore ? [...BUNDLED.objectStore, ...BUNDLED.objectStoreMesh] : []),
        ...(managed.database ? [...BUNDLED.database, ...BUNDLED.databaseMesh] : []),
    ].filter((entry) => entry.startsWith(`${component.name}:`));
    const found = new Set<string>();
    const kept = objects.filter((object) => {
        const entry = `${component.name}:${object.kind}/${object.metadata.name}`;
        if (object.metadata.namespace !== "kubeflow" || !dropped.includes(entry)) return true;
        found.add(entry);
        return false;
    });
    const missing = dropped.filter((entry) => !found.has(entry));
    if (missing.length > 0)
        throw new CustomizeError(
            `kfstack leaves out ${missing.join(", ")} on a managed data plane, but the rendered manifests have none; update components/kubeflow/managed-stores.ts for this release.`,
        );
    return kept;
}

const find = (objects: readonly KubernetesObject[], key: string) => requiredObject(objects, key, "components/kubeflow/managed-stores.ts");

/** Sets `values` in the named container's env (replacing variables of the same name) and removes `removed`. */
function setEnv(deployment: KubernetesObject, container: string, values: Record<string, pulumi.Input<string>>, removed: readonly string[] = []): void {
    const spec = deployment["spec"] as { template: { spec: { containers: { name: string; env?: EnvVar[] }[] } } };
    const target = spec.template.spec.containers.find((candidate) => candidate.name === container);
    if (!target)
        throw new CustomizeError(`${objectKey(deployment)} has no container ${container}; update components/kubeflow/managed-stores.ts for this release.`);
    const gone = new Set([...removed, ...Object.keys(values)]);
    target.env = [...(target.env ?? []).filter((variable) => !gone.has(variable.name)), ...Object.entries(values).map(([name, value]) => ({ name, value }))];
}

/**
 * Argo's artifact repository on the bucket, with the pod's own credentials (its ServiceAccount's identity: IRSA's role
 * through the SDK, GKE's service account through application default credentials) and keys under
 * `artifacts/<namespace>/`, the prefix each tenant's identity is limited to.
 */
export function argoArtifactRepository(store: Pick<ManagedObjectStore, "kind" | "endpoint" | "region">, bucket: string): string {
    const keyFormat =
        "artifacts/{{workflow.namespace}}/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}";
    return stringify({
        archiveLogs: true,
        // gcs without serviceAccountKeySecret: Argo v3.3's GCS driver then uses the default client (Workload Identity).
        ...(store.kind === "gcs"
            ? { gcs: { bucket, keyFormat } }
            : { s3: { endpoint: store.endpoint, bucket, region: store.region, insecure: false, useSDKCreds: true, keyFormat } }),
    });
}

function useObjectStore(objects: readonly KubernetesObject[], store: ManagedObjectStore): void {
    const install = find(objects, "/ConfigMap/kubeflow/pipeline-install-config")["data"] as Record<string, pulumi.Input<string>>;
    install["bucketName"] = store.bucket;
    const apiServer = { OBJECTSTORECONFIG_HOST: store.endpoint, OBJECTSTORECONFIG_REGION: store.region, OBJECTSTORECONFIG_SECURE: "true" };
    if (store.apiServerKey) {
        // The API server reads its key from mlpipeline-minio-artifact (OBJECTSTORECONFIG_ACCESSKEY / _SECRETACCESSKEY); nothing
        // else reads it once the UI's and the profile controller's references below are gone.
        const secret = find(objects, "/Secret/kubeflow/mlpipeline-minio-artifact");
        delete secret["data"];
        secret["stringData"] = { accesskey: store.apiServerKey.accessKey, secretkey: store.apiServerKey.secretKey };
        setEnv(find(objects, "apps/Deployment/kubeflow/ml-pipeline"), "ml-pipeline-api-server", apiServer);
    } else {
        // Empty keys make the API server's minio-go fall back to its IAM chain (web identity); the host takes no port (443).
        setEnv(find(objects, "apps/Deployment/kubeflow/ml-pipeline"), "ml-pipeline-api-server", apiServer, [
            "OBJECTSTORECONFIG_ACCESSKEY",
            "OBJECTSTORECONFIG_SECRETACCESSKEY",
        ]);
    }
    // The UI reads s3:// artifacts through its AWS settings and gs:// ones through application default credentials.
    setEnv(
        find(objects, "apps/Deployment/kubeflow/ml-pipeline-ui"),
        "ml-pipeline-ui",
        store.kind === "s3" ? { AWS_REGION: store.region, AWS_S3_ENDPOINT: store.endpoint, AWS_SSL: "true" } : {},
        ["MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"],
    );
    artifactServersUseTheirRole(objects, store);
    const argo = find(objects, "/ConfigMap/kubeflow/workflow-controller-configmap")["data"] as Record<string, pulumi.Input<string>>;
    argo["artifactRepository"] = pulumi.output(store.bucket).apply((bucket) => argoArtifactRepository(store, bucket));
}

/**
 * Each tenant namespace's artifact server (ml-pipeline-ui-artifact, which sync.py makes running as default-editor) reads
 * the bucket as the tenant's identity. Upstream's takes its key from Secret mlpipeline-minio-artifact, which no namespace
 * gets any more (object-store.ts noRootKeyCopies), so its pod would not start; instead it gets no key. The frontend
 * server at 2.0.5 reads gs:// with Google's application default credentials (handlers/artifacts.ts, new Storage()),
 * which Workload Identity answers, and an S3 endpoint with the AWS SDK's default chain (minio-helper.ts
 * createMinioClient, fromNodeProviderChain), which reads the token IRSA mounts, given the bucket's region and endpoint
 * (configs.ts: AWS_REGION, default us-east-1; AWS_S3_ENDPOINT).
 */
function artifactServersUseTheirRole(objects: readonly KubernetesObject[], store: ManagedObjectStore): void {
    const s3 = store.kind === "s3";
    const { container } = patchProfileControllerHook(objects, [
        {
            what: "gives each namespace's artifact server the MinIO key",
            pattern: /"env": \[\s*\{\s*"name": "MINIO_ACCESS_KEY",[\s\S]*?"name": "MINIO_SECRET_KEY",[\s\S]*?\}\s*\}\s*\}\s*\]/,
            replacement: s3
                ? '"env": [{"name": "AWS_REGION", "value": os.environ["AWS_REGION"]}, {"name": "AWS_S3_ENDPOINT", "value": os.environ["AWS_S3_ENDPOINT"]}]'
                : '"env": []',
        },
    ]);
    if (!s3) return;
    container["env"] = [
        ...((container["env"] as EnvVar[] | undefined) ?? []).filter((variable) => variable.name !== "AWS_REGION" && variable.name !== "AWS_S3_ENDPOINT"),
        { name: "AWS_REGION", value: store.region },
        { name: "AWS_S3_ENDPOINT", value: store.endpoint },
    ];
}

function useDatabase(objects: readonly KubernetesObject[], database: ManagedDatabase): void {
    const install = find(objects, "/ConfigMap/kubeflow/pipeline-install-config")["data"] as Record<string, pulumi.Input<string>>;
    for (const key of ["dbHost", "mysqlHost"]) install[key] = database.host;
    for (const key of ["dbPort", "mysqlPort"]) install[key] = String(database.port);
    // Pipelines' API server, cache server and ML Metadata read their user and password here.
    const pipelines = find(objects, "/Secret/kubeflow/mysql-secret");
    delete pipelines["data"];
    pipelines["stringData"] = { username: database.username, password: database.password };
    // Katib's password, katib-mysql-secrets' MYSQL_ROOT_PASSWORD, is the database's already (replaceDefaultCredentials).
    // katib v0.16.0 pkg/db/v1beta1/common/const.go: DB_USER (default root), KATIB_MYSQL_DB_HOST, KATIB_MYSQL_DB_PORT.
    setEnv(find(objects, "apps/Deployment/kubeflow/katib-db-manager"), "katib-db-manager", {
        DB_USER: database.username,
        KATIB_MYSQL_DB_HOST: database.host,
        KATIB_MYSQL_DB_PORT: String(database.port),
    });
}

/** Points Pipelines, ML Metadata, Argo and Katib at the managed services and binds the platform ServiceAccounts' identities. */
export function useManagedStores(objects: readonly KubernetesObject[], managed: ManagedDataPlane): void {
    if (managed.objectStore) useObjectStore(objects, managed.objectStore);
    if (managed.database) useDatabase(objects, managed.database);
    for (const [account, annotations] of managed.platformAccounts) bindIdentity(objects, account, annotations);
}

/**
 * The identity's annotations on the ServiceAccount (the values are outputs, resolved when the object registers), and on the
 * pod template of each Deployment running as it: credentials are injected when a pod starts, so a changed role rolls the pods.
 */
function bindIdentity(objects: readonly KubernetesObject[], account: string, identity: Readonly<Record<string, pulumi.Input<string>>>): void {
    const annotations = identity as Record<string, string>;
    const [namespace, name] = account.split("/");
    const serviceAccount = find(objects, `/ServiceAccount/${account}`);
    serviceAccount.metadata.annotations = { ...serviceAccount.metadata.annotations, ...annotations };
    for (const deployment of objects.filter((object) => object.kind === "Deployment" && object.metadata.namespace === namespace)) {
        const template = (deployment["spec"] as { template: { metadata?: { annotations?: Record<string, string> }; spec: { serviceAccountName?: string } } })
            .template;
        if (template.spec.serviceAccountName !== name) continue;
        template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, ...annotations } };
    }
}
