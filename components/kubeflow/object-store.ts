// kfstack's changes to how Pipelines 2.0.5 uses its in-cluster object store,
// so each tenant's artifacts sit under a prefix of their own and no tenant
// namespace is handed the root key: MinIO becomes a release with IAM users and
// policies (components/object-store gives each tenant its user), Argo's keys
// start with the workflow's namespace, and the Pipelines profile controller no
// longer copies the root key into every Profile namespace.
import type { KubernetesObject } from "../../core/objects";
import { type Container, type EnvVar, type PodTemplate, podTemplates } from "../../core/pod-templates";
import type { ImagePin } from "../bom/schema";
import { CustomizeError, requiredObject } from "../manifests/customize";

const MINIO = "apps/Deployment/kubeflow/minio";
const WORKFLOW_CONTROLLER_CONFIG = "/ConfigMap/kubeflow/workflow-controller-configmap";
const PROFILE_CONTROLLER = "apps/Deployment/kubeflow/kubeflow-pipelines-profile-controller";
/** The key Secret upstream's MinIO, API server, UI and profile controller read. */
export const ROOT_KEY_SECRET = "mlpipeline-minio-artifact";

const find = (objects: readonly KubernetesObject[], key: string) => requiredObject(objects, key, "components/kubeflow/object-store.ts");

const containerOf = (object: KubernetesObject, name: string): Container | undefined =>
    podTemplates(object)[0]?.spec.containers.find((container) => container.name === name);

/**
 * MinIO runs the BOM's release, whose root credential variables are MINIO_ROOT_USER and MINIO_ROOT_PASSWORD
 * (MINIO_ACCESS_KEY and MINIO_SECRET_KEY are deprecated aliases), from the same root key Secret.
 */
export function runPinnedMinio(objects: readonly KubernetesObject[], minio: ImagePin): void {
    const deployment = find(objects, MINIO);
    const container = containerOf(deployment, "minio");
    if (!container) throw new CustomizeError("Deployment kubeflow/minio has no container minio; update components/kubeflow/object-store.ts for this release.");
    container["image"] = minio.image;
    const rename: Record<string, string> = { MINIO_ACCESS_KEY: "MINIO_ROOT_USER", MINIO_SECRET_KEY: "MINIO_ROOT_PASSWORD" };
    container["env"] = ((container["env"] as EnvVar[] | undefined) ?? []).map((variable) => ({ ...variable, name: rename[variable.name] ?? variable.name }));
}

/** Upstream's Argo key format, as Pipelines 2.0.5 ships it, and the same with the workflow's namespace first. */
const UPSTREAM_KEY_FORMAT = 'keyFormat: "artifacts/{{workflow.name}}/';
const TENANT_KEY_FORMAT = 'keyFormat: "artifacts/{{workflow.namespace}}/{{workflow.name}}/';

/**
 * Argo writes a workflow's artifacts and archived logs under artifacts/<namespace>/, the prefix the namespace's own
 * key may use; the rest of upstream's format (name, creation date, pod) stays.
 */
export function artifactKeysByNamespace(objects: readonly KubernetesObject[]): void {
    const config = find(objects, WORKFLOW_CONTROLLER_CONFIG);
    const data = config["data"] as Record<string, string>;
    const repository = data["artifactRepository"] ?? "";
    if (repository.split(UPSTREAM_KEY_FORMAT).length !== 2)
        throw new CustomizeError(
            `ConfigMap kubeflow/workflow-controller-configmap's artifactRepository has no single ${UPSTREAM_KEY_FORMAT}…"; update components/kubeflow/object-store.ts for this release.`,
        );
    data["artifactRepository"] = repository.replace(UPSTREAM_KEY_FORMAT, TENANT_KEY_FORMAT);
}

/** Pipelines 2.0.5's sync.py: the passages that read the root key and return it as every Profile namespace's Secret, and what replaces them. */
const SYNC_PATCHES: SyncPatch[] = [
    {
        what: "reads the root key from MINIO_ACCESS_KEY",
        pattern:
            /settings\["minio_access_key"\] = \\\n\s+minio_access_key or \\\n\s+base64\.b64encode\(bytes\(os\.environ\.get\("MINIO_ACCESS_KEY"\), 'utf-8'\)\)\.decode\('utf-8'\)/,
        replacement: 'settings["minio_access_key"] = minio_access_key',
    },
    {
        what: "reads the root key from MINIO_SECRET_KEY",
        pattern:
            /settings\["minio_secret_key"\] = \\\n\s+minio_secret_key or \\\n\s+base64\.b64encode\(bytes\(os\.environ\.get\("MINIO_SECRET_KEY"\), 'utf-8'\)\)\.decode\('utf-8'\)/,
        replacement: 'settings["minio_secret_key"] = minio_secret_key',
    },
    {
        what: "counts one Secret child as ready",
        pattern: /len\(children\["Secret\.v1"\]\) == 1 and/,
        replacement: 'len(children["Secret.v1"]) == 0 and',
    },
    {
        what: "returns the root key as a Secret child",
        pattern:
            /\n[ ]*# Moved after the print argument because this is sensitive data\.\n[ ]*desired_resources\.append\(\{\n[ ]*"apiVersion": "v1",\n[ ]*"kind": "Secret",[\s\S]*?\n[ ]*\}\)\n/,
        replacement: "\n",
    },
];

/**
 * The Pipelines profile controller hands no object-store key to anyone: upstream's sync.py reads the root key from its
 * environment and returns it as Secret mlpipeline-minio-artifact in every namespace labelled
 * pipelines.kubeflow.org/enabled. Each declared tenant's own key is planned by kfstack instead, and a Profile made
 * later (through KFAM) gets none. Metacontroller v2.0.4 claims children by its generated controller-uid selector
 * and deletes the claimed ones a sync no longer returns (pkg/controller/composite/controller.go,
 * pkg/controller/common/manage_children.go), so an install's old copies go and kfstack's own Secret, which carries
 * no controller-uid label, is never claimed.
 */
export function noRootKeyCopies(objects: readonly KubernetesObject[]): void {
    const { container } = patchProfileControllerHook(objects, SYNC_PATCHES);
    container["env"] = ((container["env"] as EnvVar[] | undefined) ?? []).filter(
        (variable) => !["MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"].includes(variable.name),
    );
}

/** A change to one passage of the Pipelines profile controller's sync.py, which must occur exactly once. */
export interface SyncPatch {
    /** What the passage does, for the error when it is not found once. */
    what: string;
    pattern: RegExp;
    replacement: string;
}

/** Applies `patches` to the Pipelines profile controller's sync.py; returns its container, whose environment sync.py reads. */
export function patchProfileControllerHook(objects: readonly KubernetesObject[], patches: readonly SyncPatch[]): { container: Container } {
    const controller = find(objects, PROFILE_CONTROLLER);
    const template: PodTemplate | undefined = podTemplates(controller)[0];
    const container = containerOf(controller, "profile-controller");
    const volumes = (template?.spec["volumes"] ?? []) as { name: string; configMap?: { name: string } }[];
    const codeName = volumes.find((volume) => volume.name === "hooks")?.configMap?.name;
    const code = objects.find((object) => object.kind === "ConfigMap" && object.metadata.namespace === "kubeflow" && object.metadata.name === codeName);
    if (!container || !code)
        throw new CustomizeError(
            "Deployment kubeflow/kubeflow-pipelines-profile-controller has no container with its hooks ConfigMap; update components/kubeflow/object-store.ts for this release.",
        );
    const data = code["data"] as Record<string, string>;
    let sync = data["sync.py"] ?? "";
    for (const patch of patches) {
        const matches = sync.match(new RegExp(patch.pattern.source, "g"))?.length ?? 0;
        if (matches !== 1)
            throw new CustomizeError(
                `kfstack changes the passage of the Pipelines profile controller's sync.py (ConfigMap kubeflow/${code.metadata.name}) that ${patch.what}, but it occurs ${matches} times; update components/kubeflow/object-store.ts for this release.`,
            );
        sync = sync.replace(patch.pattern, patch.replacement);
    }
    data["sync.py"] = sync;
    return { container };
}
