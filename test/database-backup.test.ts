// The in-cluster databases' backup as the stacks plan it: a valid CronJob and
// Jobs with pinned images, memory limits and their own credentials; the dump
// names the databases the render configures; the MySQL user gets exactly the
// read privileges mysqldump needs; the MinIO user reaches backups/ and nothing
// of a tenant's (and no tenant reaches backups/); production keeps the data
// volumes on delete; the README's restore commands name planned objects.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { backupPolicy, grantStatements } from "../components/backups/backup-objects";
import { databaseServers } from "../components/backups/database-backup";
import { backupProblems, loadBom } from "../components/bom/load";
import { ATTACH_POLICY, tenantPolicy } from "../components/object-store/minio-objects";
import { BACKUP_PREFIX, PIPELINES_BUCKET, tenantArtifactPrefixes } from "../core/artifact-prefixes";
import { allowedUnder, parseIamPolicy, PREFIX_REQUESTS } from "../core/iam-policy";
import { type KubernetesObject, objectKey } from "../core/objects";
import { type Container, type PodTemplate, podTemplates } from "../core/pod-templates";
import type { Plan } from "../engine/plan";
import { resource } from "./helpers";
import { plannedStack } from "./planned-stacks";
import { CrdSchemas, plainObject, validateBuiltIn } from "./schema-validation";

const bom = loadBom("kubeflow-1.8.1");
const BACKUP_COMPONENT = "kfstack:backups:DatabaseBackup";
const kubeflowObjects = (plan: Plan): KubernetesObject[] =>
    plan.resources
        .filter((candidate) => candidate.type.startsWith("kubernetes:") && typeof candidate.inputs["apiVersion"] === "string")
        .map((candidate) => plainObject(candidate.inputs));
const backupResources = (plan: Plan) => plan.resources.filter((candidate) => candidate.urn.includes(`${BACKUP_COMPONENT}$kubernetes:`));
const planned = (plan: Plan, type: string, name: string) => plainObject(resource(plan, type, name).inputs);
const cronJob = (plan: Plan) => planned(plan, "kubernetes:batch/v1:CronJob", "kubeflow/kfstack-database-backup");
const job = (plan: Plan, name: string) => planned(plan, "kubernetes:batch/v1:Job", `kubeflow/${name}`);
const templateOf = (object: KubernetesObject): PodTemplate => podTemplates(object)[0]!;
const scriptOf = (container: Container) => (container["command"] as string[])[2]!;
/** The grants Job's trap that stops the sidecar (the CronJob's script has the same one). */
const stopSidecar = (plan: Plan) => scriptOf(templateOf(job(plan, "kfstack-database-backup-grants")).spec.containers[0]!).split("\n")[1]!;
const allContainers = (template: PodTemplate) => [...(template.spec["initContainers"] ?? []), ...template.spec.containers];

/** The statements between `<<SQL` and `SQL` of a script, one list per server, with the host each is run against. */
function sqlBlocks(script: string): { host: string; statements: string[] }[] {
    return [...script.matchAll(/--host=([a-z0-9-]+) <<SQL\n([\s\S]*?)\nSQL\n/g)].map((match) => ({
        host: match[1]!,
        statements: match[2]!.split("\n"),
    }));
}

/** One GRANT, parsed: its privileges, the object (`db.*` or `*.*`) and the grantee. */
function parseGrant(statement: string): { privileges: string[]; on: string; to: string } {
    const match = /^GRANT ([A-Z ,]+) ON ([a-z0-9_*]+\.\*) TO ('[^']+'@'[^']+');$/.exec(statement);
    if (!match) throw new Error(`not a GRANT of privileges on a database: ${statement}`);
    return { privileges: match[1]!.split(", "), on: match[2]!, to: match[3]! };
}

describe("the in-cluster database backup of an existing-cluster production stack (onprem)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("onprem");
    });

    it("plans the CronJob, its two Jobs and their credentials under one component, each valid against its schema", () => {
        const objects = backupResources(plan).map((candidate) => plainObject(candidate.inputs));
        expect(objects.map(objectKey).sort()).toEqual([
            "/ConfigMap/kubeflow/kfstack-database-backup-policy",
            "/Secret/kubeflow/kfstack-database-backup",
            "/ServiceAccount/kubeflow/kfstack-database-backup",
            "batch/CronJob/kubeflow/kfstack-database-backup",
            "batch/Job/kubeflow/kfstack-database-backup-grants",
            "batch/Job/kubeflow/kfstack-database-backup-minio-user",
            "security.istio.io/AuthorizationPolicy/kubeflow/kfstack-database-backup",
        ]);
        const crds = new CrdSchemas(kubeflowObjects(plan).filter((object) => object.kind === "CustomResourceDefinition"));
        const errors = objects.map((object) => (object.kind === "AuthorizationPolicy" ? crds.validate(object) : validateBuiltIn(object)));
        expect(errors).toEqual(objects.map(() => []));
        expect(validateBuiltIn({ ...cronJob(plan), spec: { ...(cronJob(plan)["spec"] as object), concurrencyPolicy: "Never" } })).toEqual([
            '/spec/concurrencyPolicy must be equal to one of the allowed values (["Allow","Forbid","Replace"])',
        ]);
    });

    it("runs daily, never two at once, retries a failed run twice and keeps a short history", () => {
        const spec = cronJob(plan)["spec"] as Record<string, unknown>;
        expect(spec).toMatchObject({ schedule: "17 2 * * *", concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
        expect((spec["jobTemplate"] as { spec: Record<string, unknown> }).spec).toMatchObject({ backoffLimit: 2 });
        expect(job(plan, "kfstack-database-backup-grants")["spec"]).toMatchObject({ backoffLimit: 6 });
    });

    it("runs only the BOM's pinned images, each container with a memory limit, non-root and read-only", () => {
        const pods = [cronJob(plan), job(plan, "kfstack-database-backup-grants"), job(plan, "kfstack-database-backup-minio-user")].map(templateOf);
        const containers = pods.flatMap(allContainers);
        expect(containers.map((container) => container.image)).toEqual([
            bom.objectStore.mc.image,
            bom.backup.mysql.image,
            bom.backup.mysql.image,
            bom.objectStore.mc.image,
        ]);
        expect(bom.backup.mysql.image).toBe("mysql:8.0.29");
        for (const container of containers) {
            expect(container["resources"], container.name).toMatchObject({ limits: { memory: expect.stringMatching(/^[0-9]+Mi$/) } });
            expect(container["securityContext"], container.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        }
        expect(templateOf(cronJob(plan)).spec.containers[0]!["resources"]).toEqual({ requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "512Mi" } });
        for (const pod of pods) expect(pod.spec["securityContext"]).toMatchObject({ runAsNonRoot: true });
    });

    it("keeps the sidecar where Pipelines' MySQL needs an identity, holds the dump until it is up and stops it at the end", () => {
        const dump = templateOf(cronJob(plan));
        expect(dump.metadata?.annotations).toEqual({ "proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}' });
        expect(dump.spec["serviceAccountName"]).toBe("kfstack-database-backup");
        expect(scriptOf(dump.spec.containers[0]!).split("\n")[1]).toBe(stopSidecar(plan));
        // Upstream's mysql AuthorizationPolicy admits listed Pipelines identities only; the backup's own one adds its ServiceAccount, on 3306.
        expect(planned(plan, "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy", "kubeflow/kfstack-database-backup")["spec"]).toEqual({
            action: "ALLOW",
            selector: { matchLabels: { app: "mysql" } },
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/kubeflow/sa/kfstack-database-backup"] } }], to: [{ operation: { ports: ["3306"] } }] }],
        });
        // MinIO admits callers without a sidecar, so the MinIO user's Job runs without one, as the tenants' does.
        expect(templateOf(job(plan, "kfstack-database-backup-minio-user")).metadata?.annotations).toEqual({ "sidecar.istio.io/inject": "false" });
    });

    it("dumps every database pipeline-install-config and Katib's MySQL name, consistently, gzipped under backups/", () => {
        const config = planned(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/pipeline-install-config")["data"] as Record<string, string>;
        const script = scriptOf(templateOf(cronJob(plan)).spec.containers[0]!);
        const dumps = [...script.matchAll(/^dump (\S+) (.+)$/gm)].map((match) => ({ host: match[1], databases: match[2]!.split(" ") }));
        expect(dumps).toEqual([
            { host: config["mysqlHost"], databases: [config["pipelineDb"], config["mlmdDb"], config["cacheDb"]] },
            { host: "katib-mysql", databases: ["katib"] },
        ]);
        expect(dumps[0]!.databases).toEqual(["mlpipeline", "metadb", "cachedb"]);
        const katib = templateOf(planned(plan, "kubernetes:apps/v1:Deployment", "kubeflow/katib-mysql")).spec.containers[0]!;
        expect(katib["env"]).toContainEqual({ name: "MYSQL_DATABASE", value: "katib" });
        const mysqldump = script.split("\n").find((line) => line.trimStart().startsWith("mysqldump "))!;
        expect(mysqldump.split(" | ")).toEqual([
            '  mysqldump --defaults-extra-file=/tmp/backup.cnf --host="$host" --single-transaction --triggers --events --databases "$@"',
            "gzip",
            '/tools/mc pipe "$key.partial"',
        ]);
        expect(script).toContain(`local key="backup/${PIPELINES_BUCKET}/${BACKUP_PREFIX}$host/$stamp.sql.gz"`);
        expect(script).toContain(`/tools/mc rm --recursive --force --older-than "$RETENTION_DAYS"d backup/mlpipeline/backups/`);
        expect(templateOf(cronJob(plan)).spec.containers[0]!["env"]).toContainEqual({ name: "RETENTION_DAYS", value: "14" });
    });

    it("makes a MySQL user on each server with exactly mysqldump's read privileges, from the root password Secrets", () => {
        const grants = templateOf(job(plan, "kfstack-database-backup-grants")).spec.containers[0]!;
        const blocks = sqlBlocks(scriptOf(grants));
        expect(blocks.map((block) => block.host)).toEqual(["mysql", "katib-mysql"]);
        const user = "'kfstack-backup'@'%'";
        for (const { host, statements } of blocks) {
            expect(statements.slice(0, 2)).toEqual([
                `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY '$MYSQL_PASSWORD';`,
                `ALTER USER ${user} IDENTIFIED BY '$MYSQL_PASSWORD';`,
            ]);
            const parsed = statements.slice(2).map(parseGrant);
            const databases = host === "mysql" ? ["mlpipeline", "metadb", "cachedb"] : ["katib"];
            expect(parsed).toEqual([
                ...databases.map((database) => ({ privileges: ["SELECT", "LOCK TABLES", "SHOW VIEW", "EVENT", "TRIGGER"], on: `${database}.*`, to: user })),
                { privileges: ["PROCESS"], on: "*.*", to: user },
            ]);
        }
        expect(grants["env"]).toEqual([
            { name: "MYSQL_PASSWORD", valueFrom: { secretKeyRef: { name: "kfstack-database-backup", key: "MYSQL_PASSWORD" } } },
            { name: "ROOT_PASSWORD_MYSQL", valueFrom: { secretKeyRef: { name: "mysql-secret", key: "password" } } },
            { name: "ROOT_PASSWORD_KATIB_MYSQL", valueFrom: { secretKeyRef: { name: "katib-mysql-secrets", key: "MYSQL_ROOT_PASSWORD" } } },
        ]);
    });

    it("stops the sidecar through pilot-agent when the script ends, keeping the script's exit status, even if the agent hangs up", async () => {
        const requests: string[] = [];
        const agent = createServer((socket) => socket.once("data", (data) => (requests.push(data.toString().split("\r\n")[0]!), socket.destroy())));
        await new Promise<void>((listening) => agent.listen(0, "127.0.0.1", listening));
        const trap = stopSidecar(plan).replace("/15020", `/${(agent.address() as AddressInfo).port}`);
        const run = (body: string) =>
            new Promise<number | null>((done) => spawn("/bin/bash", ["-c", `set -euo pipefail\n${trap}\n${body}`], { stdio: "ignore" }).on("exit", done));
        expect(await run("true")).toBe(0);
        expect(await run("mysqldump() { return 3; }; mysqldump")).toBe(3);
        agent.close();
        expect(requests).toEqual(["POST /quitquitquit HTTP/1.1", "POST /quitquitquit HTTP/1.1"]);
        // No agent listening (the sidecar already gone): the status is still the script's.
        expect(await run("true")).toBe(0);
    });

    it("writes scripts their shells parse: bash for the mysql image's, sh for mc's", () => {
        const syntax = (shell: string, script: string) => spawnSync(shell, ["-n", "-c", script], { encoding: "utf8" });
        expect(syntax("/bin/bash", scriptOf(templateOf(cronJob(plan)).spec.containers[0]!))).toMatchObject({ status: 0, stderr: "" });
        expect(syntax("/bin/bash", scriptOf(templateOf(job(plan, "kfstack-database-backup-grants")).spec.containers[0]!))).toMatchObject({
            status: 0,
            stderr: "",
        });
        expect(syntax("/bin/sh", scriptOf(templateOf(job(plan, "kfstack-database-backup-minio-user")).spec.containers[0]!))).toMatchObject({
            status: 0,
            stderr: "",
        });
        expect(syntax("/bin/bash", "dump() {\n")).toMatchObject({ status: 2 });
    });

    it("makes its MinIO user with upserts only, from MinIO's root key, so the Job can run again", () => {
        const mc = templateOf(job(plan, "kfstack-database-backup-minio-user")).spec.containers[0]!;
        const script = scriptOf(mc);
        expect(script.startsWith(`set -eu\n${ATTACH_POLICY}\n`)).toBe(true);
        expect(script.split("\n").slice(ATTACH_POLICY.split("\n").length + 1)).toEqual([
            'until mc alias set kfstack http://minio-service.kubeflow:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do sleep 5; done',
            "mc mb --ignore-existing kfstack/mlpipeline",
            "mc admin policy create kfstack kfstack-database-backup /policies/kfstack-database-backup.json",
            'printf \'%s\\n%s\\n\' "$MINIO_ACCESS_KEY" "$MINIO_SECRET_KEY" | mc admin user add kfstack',
            'attach kfstack-database-backup "$MINIO_ACCESS_KEY"',
            "",
        ]);
        expect((mc["env"] as { name: string; valueFrom?: unknown }[]).slice(0, 2)).toEqual([
            { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { name: "mlpipeline-minio-artifact", key: "accesskey" } } },
            { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "mlpipeline-minio-artifact", key: "secretkey" } } },
        ]);
    });

    it("keeps the MinIO and MySQL volumes on delete, and their namespace, whose deletion would take them along; nothing else", () => {
        expect(plan.resources.filter((candidate) => candidate.retainOnDelete).map((candidate) => `${candidate.type} ${candidate.name}`)).toEqual([
            "kubernetes:core/v1:Namespace kubeflow",
            "kubernetes:core/v1:PersistentVolumeClaim kubeflow/minio-pvc",
            "kubernetes:core/v1:PersistentVolumeClaim kubeflow/mysql-pv-claim",
            "kubernetes:core/v1:PersistentVolumeClaim kubeflow/katib-mysql",
        ]);
    });
});

describe("the backup's MinIO user", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("airgap");
    });

    it("may read, write, delete and list under backups/ only, as planned", () => {
        const data = planned(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/kfstack-database-backup-policy")["data"] as Record<string, string>;
        const policy = parseIamPolicy(data["kfstack-database-backup.json"]!)!;
        expect(policy).toEqual(backupPolicy());
        expect(allowedUnder(policy, PIPELINES_BUCKET, "backups/", "mysql/20260101T021700Z.sql.gz")).toEqual([...PREFIX_REQUESTS]);
        for (const prefix of ["artifacts/", "v2/artifacts/", "", "backups-old/"])
            expect(allowedUnder(policy, PIPELINES_BUCKET, prefix, "x"), prefix || "(bucket root)").toEqual([]);
    });

    it("reaches no tenant's prefix, and no tenant reaches backups/", () => {
        const tenants = ["imagery", "signals"];
        const minioTenants = plan.resources.filter(
            (candidate) => candidate.type === "kubernetes:core/v1:Secret" && candidate.name.endsWith("/mlpipeline-minio-artifact"),
        );
        expect(minioTenants.map((candidate) => candidate.name).filter((name) => !name.startsWith("kubeflow/"))).toEqual(
            tenants.map((tenant) => `${tenant}/mlpipeline-minio-artifact`),
        );
        const policies = planned(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/kfstack-minio-tenant-policies")["data"] as Record<string, string>;
        for (const tenant of tenants) {
            for (const prefix of tenantArtifactPrefixes(tenant)) expect(allowedUnder(backupPolicy(), PIPELINES_BUCKET, prefix, "model.bin")).toEqual([]);
            const planned = parseIamPolicy(policies[`kfstack-tenant-${tenant}.json`]!)!;
            expect(planned).toEqual(tenantPolicy(tenant));
            expect(allowedUnder(planned, PIPELINES_BUCKET, BACKUP_PREFIX, "mysql/20260101T021700Z.sql.gz")).toEqual([]);
            expect(allowedUnder(planned, PIPELINES_BUCKET, `${BACKUP_PREFIX}mysql/`, "20260101T021700Z.sql.gz")).toEqual([]);
        }
        // Even a tenant called "backups" writes under artifacts/backups/, not backups/.
        expect(allowedUnder(tenantPolicy("backups"), PIPELINES_BUCKET, BACKUP_PREFIX, "mysql/x.sql.gz")).toEqual([]);
    });
});

describe("where the backup is planned", () => {
    it("plans the backup on a testing stack (dev) but keeps no volume on delete there, and plans none where RDS backs up (prod)", async () => {
        const dev = await plannedStack("dev");
        expect(backupResources(dev).length).toBe(7);
        expect(dev.resources.filter((candidate) => candidate.retainOnDelete)).toEqual([]);
        expect(planned(dev, "kubernetes:batch/v1:CronJob", "kubeflow/kfstack-database-backup")["spec"]).toMatchObject({
            jobTemplate: { spec: { template: { spec: { containers: [{ env: expect.arrayContaining([{ name: "RETENTION_DAYS", value: "7" }]) }] } } } },
        });
        const prod = await plannedStack("prod");
        expect(backupResources(prod)).toEqual([]);
        expect(prod.resources.filter((candidate) => candidate.type === BACKUP_COMPONENT)).toEqual([]);
    });

    it("stops the install when the render no longer names a Pipelines database", async () => {
        const objects = kubeflowObjects(await plannedStack("onprem"));
        expect(databaseServers(objects).map((server) => server.databases)).toEqual([["mlpipeline", "metadb", "cachedb"], ["katib"]]);
        const config = objects.find((object) => objectKey(object) === "/ConfigMap/kubeflow/pipeline-install-config")!;
        const { mlmdDb: _dropped, ...data } = config["data"] as Record<string, string>;
        const without = objects.map((object) => (object === config ? { ...config, data } : object));
        expect(() => databaseServers(without)).toThrow(
            "kfstack backs up Pipelines' mlmdDb, but the rendered manifests do not say it; update components/backups/database-backup.ts for this release.",
        );
        expect(databaseServers(objects.filter((object) => objectKey(object) !== "apps/Deployment/kubeflow/katib-mysql")).map((server) => server.host)).toEqual([
            "mysql",
        ]);
    });

    it("writes grants that name only the given databases", () => {
        const statements = grantStatements({ host: "mysql", databases: ["a"], rootPassword: { secret: "s", key: "k" } }, "pw");
        expect(
            statements
                .slice(2)
                .map(parseGrant)
                .map((grant) => grant.on),
        ).toEqual(["a.*", "*.*"]);
    });
});

describe("the backup's image in the bill of materials", () => {
    it("is a MySQL 8.0 release a component already runs", () => {
        expect(backupProblems(bom, "kubeflow-1.8.1.yaml")).toEqual([]);
        expect(bom.components.find((component) => component.name === "katib")!.images).toContain(bom.backup.mysql.image);
        const backup = { mysql: { ...bom.backup.mysql, image: "mysql:8.4.0" } };
        expect(backupProblems({ ...bom, backup }, "bom.yaml")).toEqual([
            "bom.yaml: backup.mysql: mysql:8.4.0 is no component's image; pin the MySQL release a component runs",
        ]);
        expect(backupProblems({ ...bom, backup: { mysql: { ...bom.backup.mysql, source: "mysql" } } }, "bom.yaml")).toEqual([
            'bom.yaml: backup.mysql: source "mysql" is not one of kubeflow-manifests, training-operator, pipelines, kube-prometheus, nvidia-device-plugin, dcgm-exporter, minio, mc, cluster-autoscaler-1.33',
        ]);
    });
});

/** The `sh` blocks of README's "Backups and restore". */
function restoreBlocks(): string[] {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Backups and restore"), readme.indexOf("## Monitoring"));
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The kubeflow objects a block of commands names, as `Kind name`. */
function namedObjects(block: string): string[] {
    const names = [
        ...[...block.matchAll(/deployment\/([a-z0-9-]+)/g)].map((match) => `Deployment ${match[1]}`),
        ...[...block.matchAll(/rollout restart deployment ([a-z0-9 -]+)/g)].flatMap((match) =>
            match[1]!
                .trim()
                .split(" ")
                .map((name) => `Deployment ${name}`),
        ),
        ...[...block.matchAll(/svc\/([a-z0-9-]+)/g)].map((match) => `Service ${match[1]}`),
        ...[...block.matchAll(/get secret ([a-z0-9-]+)/g)].map((match) => `Secret ${match[1]}`),
        ...[...block.matchAll(/get configmap ([a-z0-9-]+)/g)].map((match) => `ConfigMap ${match[1]}`),
    ];
    return [...new Set(names)].sort();
}

describe("README's restore commands", () => {
    it("name objects the stacks plan: the RDS restore on prod, the in-cluster one on onprem, with the servers the dumps are named after", async () => {
        const [rds, inCluster] = restoreBlocks();
        const has = (plan: Plan) => (named: string) => {
            const [kind, name] = named.split(" ");
            return kubeflowObjects(plan).some((object) => object.kind === kind && object.metadata.namespace === "kubeflow" && object.metadata.name === name);
        };
        const prod = await plannedStack("prod");
        expect(namedObjects(rds!)).toEqual([
            "ConfigMap pipeline-install-config",
            "Deployment cache-server",
            "Deployment katib-db-manager",
            "Deployment metadata-grpc-deployment",
            "Deployment ml-pipeline",
        ]);
        expect(namedObjects(rds!).filter((named) => !has(prod)(named))).toEqual([]);
        const onprem = await plannedStack("onprem");
        expect(namedObjects(inCluster!).filter((named) => !has(onprem)(named))).toEqual([]);
        expect(namedObjects(inCluster!)).toEqual([
            "Deployment cache-server",
            "Deployment katib-db-manager",
            "Deployment katib-mysql",
            "Deployment metadata-grpc-deployment",
            "Deployment ml-pipeline",
            "Deployment mysql",
            "Secret mlpipeline-minio-artifact",
            "Service minio-service",
        ]);
        // Each server's dumps are read from the prefix the CronJob writes, into the container that runs that server.
        const hosts = databaseServers(kubeflowObjects(onprem)).map((server) => server.host);
        expect([...inCluster!.matchAll(/mlpipeline\/backups\/([a-z0-9-]+)\/ \|/g)].map((match) => match[1])).toEqual(hosts);
        expect([...inCluster!.matchAll(/exec -i deployment\/([a-z0-9-]+) -c ([a-z0-9-]+)/g)].map((match) => [match[1], match[2]])).toEqual(
            hosts.map((host) => [host, host]),
        );
    });
});
