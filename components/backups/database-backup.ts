// The scheduled backup of the in-cluster MySQL servers (Pipelines with ML
// Metadata and the cache, and Katib) to the in-cluster MinIO: its own
// generated credentials (kept secret), and the objects of ./backup-objects.ts
// registered after the servers and MinIO they use.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { podTemplates } from "../../core/pod-templates";
import type { Bom } from "../bom/schema";
import { DATABASE_SERVERS } from "../kubeflow/databases";
import { CustomizeError } from "../manifests/customize";
import type { KubernetesObjectResource } from "../manifests/kubernetes-object";
import { ManifestLayer, type ManifestSource, type Platform } from "../manifests/layer";
import { type DatabaseServer, backupObjects } from "./backup-objects";

const PIPELINES_CONFIG = "/ConfigMap/kubeflow/pipeline-install-config";
const MINIO = "apps/Deployment/kubeflow/minio";
/** Where each server's databases are named in the render: Pipelines' config keys, Katib's MYSQL_DATABASE. */
const PIPELINES_DATABASE_KEYS = ["pipelineDb", "mlmdDb", "cacheDb"];

export interface DatabaseBackupArgs extends ManifestSource {
    readonly bom: Pick<Bom, "release" | "objectStore" | "backup">;
    readonly retentionDays: number;
    /** The installed Kubeflow, whose MySQL servers and MinIO the backup uses. */
    readonly platform: Platform;
}

function fail(what: string): never {
    throw new CustomizeError(
        `kfstack backs up ${what}, but the rendered manifests do not say it; update components/backups/database-backup.ts for this release.`,
    );
}

/** Each installed MySQL server with its databases, as the render names them: Pipelines' always, Katib's when installed. */
export function databaseServers(objects: readonly KubernetesObject[]): DatabaseServer[] {
    const byKey = new Map(objects.map((object) => [objectKey(object), object]));
    const config = (byKey.get(PIPELINES_CONFIG)?.["data"] ?? {}) as Record<string, string>;
    return Object.entries(DATABASE_SERVERS).flatMap(([key, rootPassword]): DatabaseServer[] => {
        const server = byKey.get(key);
        if (!server) return key.endsWith("/katib-mysql") ? [] : fail(`the Pipelines MySQL (${key})`);
        const host = server.metadata.name;
        if (host === "mysql") return [{ host, rootPassword, databases: PIPELINES_DATABASE_KEYS.map((name) => config[name] ?? fail(`Pipelines' ${name}`)) }];
        const env = (podTemplates(server)[0]?.spec.containers[0]?.["env"] ?? []) as { name: string; value?: string }[];
        return [{ host, rootPassword, databases: [env.find((variable) => variable.name === "MYSQL_DATABASE")?.value ?? fail(`${host}'s MYSQL_DATABASE`)] }];
    });
}

export class DatabaseBackup extends pulumi.ComponentResource {
    readonly objects: Map<string, KubernetesObjectResource>;

    constructor(name: string, args: DatabaseBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:backups:DatabaseBackup", name, { retentionDays: args.retentionDays }, opts);
        // MinIO takes access keys of 3-20 characters and secret keys of 8-40.
        const generated = (role: string, length: number) => new random.RandomPassword(`${name}-${role}`, { length, special: false }, { parent: this }).result;
        const credentials = {
            databasePassword: generated("database-password", 32),
            accessKey: generated("access-key", 20),
            secretKey: generated("secret-key", 40),
        };
        const servers = databaseServers(args.platform.objects);
        const layer = new ManifestLayer(args.platform);
        const settings = { servers, retentionDays: args.retentionDays, mysql: args.bom.backup.mysql, mc: args.bom.objectStore.mc };
        const entries = layer.prepare(args, [], { layer: () => backupObjects(settings, credentials).map((object) => ({ object, group: name })) });
        const servedBy = [MINIO, ...Object.keys(DATABASE_SERVERS)].flatMap((key) => args.platform.resources.get(key) ?? []);
        // The Jobs run once MinIO, the servers and the backup's own Secret, ConfigMap and ServiceAccount are there.
        const own = (registered: ReadonlyMap<string, KubernetesObjectResource>) =>
            [...registered].filter(([key]) => !["Job", "CronJob"].includes(key.split("/")[1]!)).map(([, resource]) => resource);
        this.objects = layer.register(entries, new Map([[name, this]]), (object, registered) =>
            object.kind === "Job" ? [...servedBy, ...own(registered)] : [],
        ).resources;
        this.registerOutputs({ servers: servers.map((server) => server.host), objects: this.objects.size });
    }
}
