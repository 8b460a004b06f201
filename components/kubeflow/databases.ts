// The in-cluster MySQL servers of Pipelines (which ML Metadata shares) and
// Katib start with a root password and never allow an empty one. Upstream's
// Pipelines MySQL sets MYSQL_ALLOW_EMPTY_PASSWORD and its mysql-secret (read by
// the API server, ML Metadata's gRPC server and the cache server as
// DBCONFIG_USER / DBCONFIG_PASSWORD) holds root with "" (customize.ts replaces
// it); Katib's sets the flag next to its MYSQL_ROOT_PASSWORD.
import { type KubernetesObject, objectKey } from "../../core/objects";
import { type EnvVar, podTemplates } from "../../core/pod-templates";
import { CustomizeError } from "../manifests/customize";

/** Each MySQL Deployment (its Service has the same name), and the Secret key its root password comes from. */
export const DATABASE_SERVERS: Readonly<Record<string, { readonly secret: string; readonly key: string }>> = {
    "apps/Deployment/kubeflow/mysql": { secret: "mysql-secret", key: "password" },
    "apps/Deployment/kubeflow/katib-mysql": { secret: "katib-mysql-secrets", key: "MYSQL_ROOT_PASSWORD" },
};

/** Takes MYSQL_ALLOW_EMPTY_PASSWORD out of each server and sets MYSQL_ROOT_PASSWORD from its Secret; each server must be found. */
export function noEmptyDatabasePasswords(objects: readonly KubernetesObject[]): void {
    for (const [key, { secret, key: secretKey }] of Object.entries(DATABASE_SERVERS)) {
        const container = objects
            .filter((object) => objectKey(object) === key)
            .flatMap((object) => podTemplates(object))
            .flatMap((template) => template.spec.containers)[0];
        if (!container) {
            const [, kind, namespace, name] = key.split("/");
            throw new CustomizeError(
                `kfstack sets the root password of ${kind} ${namespace}/${name}, but the rendered manifests have no such object; update components/kubeflow/databases.ts for this release.`,
            );
        }
        const env = ((container["env"] as EnvVar[] | undefined) ?? []).filter(
            (variable) => !["MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_ROOT_PASSWORD"].includes(variable.name),
        );
        container["env"] = [{ name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: secret, key: secretKey } } }, ...env];
    }
}
