// The in-cluster databases' backup, as pure data: a CronJob in kubeflow that
// dumps each MySQL server with mysqldump --single-transaction (a consistent
// InnoDB snapshot without locking Pipelines out), gzips it, streams it to
// MinIO under mlpipeline/backups/<server>/<UTC time>.sql.gz and prunes dumps
// older than the retention. It holds credentials of its own only: a MySQL user
// with the read privileges mysqldump needs, and a MinIO user allowed nothing
// but the backups/ prefix. Two Jobs make them, idempotently, at every install.
import type * as pulumi from "@pulumi/pulumi";
import { BACKUP_PREFIX, PIPELINES_BUCKET } from "../../core/artifact-prefixes";
import type { IamPolicyDocument } from "../../core/iam-policy";
import type { KubernetesObject } from "../../core/objects";
import type { ImagePin } from "../bom/schema";
import { ATTACH_POLICY, MINIO_ENDPOINT, mcJob } from "../object-store/minio-objects";

const BACKUP_NAME = "kfstack-database-backup";
/** The MySQL user of the dumps, on each server. */
const BACKUP_DATABASE_USER = "kfstack-backup";
const POLICY_CONFIG_MAP = `${BACKUP_NAME}-policy`;
/** What mysqldump --single-transaction --triggers --events needs: PROCESS for its tablespace query (MySQL 8.0.21+), the rest per database. */
const DATABASE_PRIVILEGES = ["SELECT", "LOCK TABLES", "SHOW VIEW", "EVENT", "TRIGGER"] as const;
const GLOBAL_PRIVILEGES = ["PROCESS"] as const;

/** One in-cluster MySQL server: its Service (named as its Deployment), the databases it holds and the Secret key of its root password. */
export interface DatabaseServer {
    readonly host: string;
    readonly databases: readonly string[];
    readonly rootPassword: { readonly secret: string; readonly key: string };
}

export interface BackupSettings {
    readonly servers: readonly DatabaseServer[];
    readonly retentionDays: number;
    /** The dump's image: a bundled MySQL 8.0 release, for mysqldump, bash and gzip. */
    readonly mysql: ImagePin;
    readonly mc: ImagePin;
}

export interface BackupCredentials {
    readonly databasePassword: pulumi.Input<string>;
    readonly accessKey: pulumi.Input<string>;
    readonly secretKey: pulumi.Input<string>;
}

/** Read, write and delete under backups/, and list only there: no tenant prefix, and (tenantPolicy) no tenant reaches it. */
export function backupPolicy(): IamPolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: [`arn:aws:s3:::${PIPELINES_BUCKET}/${BACKUP_PREFIX}*`],
            },
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [`arn:aws:s3:::${PIPELINES_BUCKET}`],
                Condition: { StringLike: { "s3:prefix": [`${BACKUP_PREFIX}*`] } },
            },
        ],
    };
}

/**
 * The statements that make (or update) the backup user on one server, idempotent; `password` is spliced in as is (a
 * shell variable of the Job's script). The password follows the Secret on every run.
 */
export function grantStatements(server: DatabaseServer, password: string): string[] {
    const user = `'${BACKUP_DATABASE_USER}'@'%'`;
    return [
        `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY '${password}';`,
        `ALTER USER ${user} IDENTIFIED BY '${password}';`,
        ...server.databases.map((database) => `GRANT ${DATABASE_PRIVILEGES.join(", ")} ON ${database}.* TO ${user};`),
        `GRANT ${GLOBAL_PRIVILEGES.join(", ")} ON *.* TO ${user};`,
    ];
}

const variable = (host: string) => `ROOT_PASSWORD_${host.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/**
 * Both Jobs of the mysql image run with the Istio sidecar (Pipelines' MySQL admits listed identities only) and stop it when
 * they end, however they end: pilot-agent's /quitquitquit, over bash's /dev/tcp since the image has no curl. In a subshell,
 * so a closed connection (SIGPIPE) cannot change the script's own exit status, which the trap keeps.
 */
const STOP_SIDECAR = `trap 'status=$?; (exec 3<>/dev/tcp/127.0.0.1/15020 && printf "POST /quitquitquit HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n" >&3) 2>/dev/null || true; exit $status' EXIT`;

/** The grants Job's script: per server, wait for it, then run its statements as root (passwords through a defaults file, not argv). */
function grantsScript(servers: readonly DatabaseServer[]): string {
    return [
        "set -euo pipefail",
        STOP_SIDECAR,
        ...servers.flatMap((server) => [
            `printf '[client]\\nuser=root\\npassword=%s\\n' "$${variable(server.host)}" > /tmp/root.cnf`,
            `until mysql --defaults-extra-file=/tmp/root.cnf --host=${server.host} -e 'SELECT 1' >/dev/null; do sleep 5; done`,
            `mysql --defaults-extra-file=/tmp/root.cnf --host=${server.host} <<SQL`,
            ...grantStatements(server, "$MYSQL_PASSWORD"),
            "SQL",
        ]),
        "",
    ].join("\n");
}

/**
 * The backup's script: each server's databases in one consistent dump, uploaded as .partial and renamed once complete,
 * then the prune. `--api S3v4` spares mc its signature probe of the whole store, which a user confined to backups/ may fail.
 */
function backupScript(servers: readonly DatabaseServer[]): string {
    return `set -euo pipefail
${STOP_SIDECAR}
printf '[client]\\nuser=${BACKUP_DATABASE_USER}\\npassword=%s\\n' "$MYSQL_PASSWORD" > /tmp/backup.cnf
/tools/mc alias set backup ${MINIO_ENDPOINT} "$MINIO_ACCESS_KEY" "$MINIO_SECRET_KEY" --api S3v4 >/dev/null
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump() {
  local host="$1"; shift
  local key="backup/${PIPELINES_BUCKET}/${BACKUP_PREFIX}$host/$stamp.sql.gz"
  mysqldump --defaults-extra-file=/tmp/backup.cnf --host="$host" --single-transaction --triggers --events --databases "$@" | gzip | /tools/mc pipe "$key.partial"
  /tools/mc mv "$key.partial" "$key"
}
${servers.map((server) => `dump ${server.host} ${server.databases.join(" ")}`).join("\n")}
/tools/mc rm --recursive --force --older-than "$RETENTION_DAYS"d backup/${PIPELINES_BUCKET}/${BACKUP_PREFIX}
`;
}

const fromSecret = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** A pod of the mysql image under the backup's ServiceAccount, with its sidecar held until ready and a scratch /tmp. */
function mysqlPod(settings: BackupSettings, script: string, env: Record<string, unknown>[], extra: { initContainers?: unknown[]; tools?: boolean } = {}) {
    const { cpuRequest, memoryRequest, memoryLimit } = settings.mysql.resources;
    const tools = extra.tools ? [{ name: "tools", emptyDir: { sizeLimit: "256Mi" } }] : [];
    return {
        metadata: { annotations: { "proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}' } },
        spec: {
            serviceAccountName: BACKUP_NAME,
            automountServiceAccountToken: false,
            restartPolicy: "Never",
            // 999 is the image's mysql user.
            securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: "RuntimeDefault" } },
            ...(extra.initContainers ? { initContainers: extra.initContainers } : {}),
            containers: [
                {
                    name: "mysql",
                    image: settings.mysql.image,
                    command: ["/bin/bash", "-c", script],
                    env,
                    resources: { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { memory: memoryLimit } },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(extra.tools ? [{ name: "tools", mountPath: "/tools", readOnly: true }] : [])],
                },
            ],
            volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }, ...tools],
        },
    };
}

/** The CronJob: daily, never two at once, each run's failures retried twice with new pods. */
function cronJob(settings: BackupSettings): KubernetesObject {
    const { cpuRequest, memoryRequest, memoryLimit } = settings.mc.resources;
    const copyMc = {
        name: "mc",
        image: settings.mc.image,
        command: ["/bin/sh", "-c", "cp /usr/bin/mc /tools/mc"],
        resources: { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { memory: memoryLimit } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        volumeMounts: [{ name: "tools", mountPath: "/tools" }],
    };
    const env = [
        fromSecret("MYSQL_PASSWORD", BACKUP_NAME, "MYSQL_PASSWORD"),
        fromSecret("MINIO_ACCESS_KEY", BACKUP_NAME, "MINIO_ACCESS_KEY"),
        fromSecret("MINIO_SECRET_KEY", BACKUP_NAME, "MINIO_SECRET_KEY"),
        { name: "RETENTION_DAYS", value: String(settings.retentionDays) },
        { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
    ];
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: BACKUP_NAME, namespace: "kubeflow" },
        spec: {
            schedule: "17 2 * * *",
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: 4 * 3600,
                    template: mysqlPod(settings, backupScript(settings.servers), env, { initContainers: [copyMc], tools: true }),
                },
            },
        },
    };
}

function grantsJob(settings: BackupSettings): KubernetesObject {
    const env = [
        fromSecret("MYSQL_PASSWORD", BACKUP_NAME, "MYSQL_PASSWORD"),
        ...settings.servers.map((server) => fromSecret(variable(server.host), server.rootPassword.secret, server.rootPassword.key)),
    ];
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: `${BACKUP_NAME}-grants`, namespace: "kubeflow" },
        spec: { backoffLimit: 6, activeDeadlineSeconds: 900, template: mysqlPod(settings, grantsScript(settings.servers), env) },
    };
}

/** The MinIO user's Job: the BOM's mc with MinIO's root key, as the tenants' Job; policy and user are upserts. */
function minioUserJob(settings: BackupSettings): KubernetesObject {
    const script = `set -eu
${ATTACH_POLICY}
until mc alias set kfstack ${MINIO_ENDPOINT} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do sleep 5; done
mc mb --ignore-existing kfstack/${PIPELINES_BUCKET}
mc admin policy create kfstack ${BACKUP_NAME} /policies/${BACKUP_NAME}.json
printf '%s\\n%s\\n' "$MINIO_ACCESS_KEY" "$MINIO_SECRET_KEY" | mc admin user add kfstack
attach ${BACKUP_NAME} "$MINIO_ACCESS_KEY"
`;
    return mcJob(
        {
            name: `${BACKUP_NAME}-minio-user`,
            script,
            env: [
                fromSecret("MINIO_ROOT_USER", "mlpipeline-minio-artifact", "accesskey"),
                fromSecret("MINIO_ROOT_PASSWORD", "mlpipeline-minio-artifact", "secretkey"),
                fromSecret("MINIO_ACCESS_KEY", BACKUP_NAME, "MINIO_ACCESS_KEY"),
                fromSecret("MINIO_SECRET_KEY", BACKUP_NAME, "MINIO_SECRET_KEY"),
            ],
            volumes: [{ name: "policies", mountPath: "/policies", source: { configMap: { name: POLICY_CONFIG_MAP } } }],
        },
        settings.mc,
    );
}

/**
 * Every object of the backup in kubeflow: its ServiceAccount, its credentials, MinIO policy, the AuthorizationPolicy that
 * lets it (and nothing else new) reach Pipelines' MySQL through the mesh, the two Jobs that make its users, and the CronJob.
 */
export function backupObjects(settings: BackupSettings, credentials: BackupCredentials): KubernetesObject[] {
    const metadata = (name: string) => ({ name, namespace: "kubeflow" });
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(BACKUP_NAME), automountServiceAccountToken: false },
        {
            apiVersion: "v1",
            kind: "Secret",
            metadata: metadata(BACKUP_NAME),
            stringData: { MINIO_ACCESS_KEY: credentials.accessKey, MINIO_SECRET_KEY: credentials.secretKey, MYSQL_PASSWORD: credentials.databasePassword },
        },
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: metadata(POLICY_CONFIG_MAP),
            data: { [`${BACKUP_NAME}.json`]: JSON.stringify(backupPolicy(), null, 2) },
        },
        {
            apiVersion: "security.istio.io/v1beta1",
            kind: "AuthorizationPolicy",
            metadata: metadata(BACKUP_NAME),
            spec: {
                action: "ALLOW",
                selector: { matchLabels: { app: "mysql" } },
                rules: [{ from: [{ source: { principals: [`cluster.local/ns/kubeflow/sa/${BACKUP_NAME}`] } }], to: [{ operation: { ports: ["3306"] } }] }],
            },
        },
        minioUserJob(settings),
        grantsJob(settings),
        cronJob(settings),
    ];
}
