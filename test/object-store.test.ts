// The in-cluster object store as kfstack installs it: the BOM's MinIO in place of
// the render's, Argo's keys and each namespace's v2 pipeline root under the
// namespace's prefix, no root key handed out by the Pipelines profile controller,
// and a MinIO user per tenant made by a pinned mc Job.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBom } from "../components/bom/load";
import { artifactKeysByNamespace, noRootKeyCopies, runPinnedMinio } from "../components/kubeflow/object-store";
import { noEmptyDatabasePasswords } from "../components/kubeflow/databases";
import { ATTACH_POLICY, minioTenantObjects } from "../components/object-store/minio-objects";
import { type KubernetesObject, objectKey } from "../core/objects";
import { podTemplates } from "../core/pod-templates";
import type { Plan } from "../engine/plan";
import { resource } from "./helpers";
import { plannedStack } from "./planned-stacks";
import { SKIP_UPSTREAM, upstreamObjects } from "./policies/fixtures-workloads";

const bom = loadBom("kubeflow-1.8.1");
const pipelines = (): KubernetesObject[] => upstreamObjects("kubeflow-v1.8.1/14-pipelines.yaml").map((record) => record.props as unknown as KubernetesObject);
const katib = (): KubernetesObject[] => upstreamObjects("kubeflow-v1.8.1/15-katib.yaml").map((record) => record.props as unknown as KubernetesObject);
const find = (objects: KubernetesObject[], key: string) => objects.find((object) => objectKey(object) === key)!;
const container = (object: KubernetesObject) => podTemplates(object)[0]!.spec.containers[0]!;
const envNames = (object: KubernetesObject) => ((container(object)["env"] ?? []) as { name: string }[]).map((variable) => variable.name);
const SYNC = "/ConfigMap/kubeflow/kubeflow-pipelines-profile-controller-code-hdk828hd6c";

describe.skipIf(SKIP_UPSTREAM)("kfstack's changes to Pipelines 2.0.5's object store", () => {
    it("runs the BOM's MinIO with its root key under the variables that release reads", () => {
        const objects = pipelines();
        runPinnedMinio(objects, bom.objectStore.minio);
        const minio = find(objects, "apps/Deployment/kubeflow/minio");
        expect(container(minio).image).toBe("quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
        expect(container(minio)["env"]).toEqual([
            { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { key: "accesskey", name: "mlpipeline-minio-artifact" } } },
            { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { key: "secretkey", name: "mlpipeline-minio-artifact" } } },
        ]);
    });

    it("puts the workflow's namespace first in Argo's artifact keys and keeps upstream's tail", () => {
        const objects = pipelines();
        artifactKeysByNamespace(objects);
        const repository = (find(objects, "/ConfigMap/kubeflow/workflow-controller-configmap")["data"] as Record<string, string>)["artifactRepository"]!;
        expect(repository).toContain(
            'keyFormat: "artifacts/{{workflow.namespace}}/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}"',
        );
    });

    it("stops the profile controller reading the root key and returning it as every Profile namespace's Secret", () => {
        const objects = pipelines();
        const before = (find(objects, SYNC)["data"] as Record<string, string>)["sync.py"]!;
        expect(before).toContain('"kind": "Secret"');
        noRootKeyCopies(objects);
        expect(envNames(find(objects, "apps/Deployment/kubeflow/kubeflow-pipelines-profile-controller"))).toEqual(["KFP_VERSION", "KFP_DEFAULT_PIPELINE_ROOT"]);
        const sync = (find(objects, SYNC)["data"] as Record<string, string>)["sync.py"]!;
        expect(sync).not.toContain('"kind": "Secret"');
        expect(sync).not.toContain('os.environ.get("MINIO_ACCESS_KEY")');
        expect(sync).not.toContain('os.environ.get("MINIO_SECRET_KEY")');
        // The namespace's artifact server still reads the namespace's own Secret (now kfstack's per-tenant key).
        expect(sync).toContain('"name": "mlpipeline-minio-artifact"');
        expect(sync).toContain('settings["minio_access_key"] = minio_access_key\n');
        expect(sync).toContain('len(children["Secret.v1"]) == 0 and');
        // The rest of the hook still returns what it did: the visualization server, the artifact server and their Services.
        expect(sync.match(/"kind": "(Deployment|Service|ConfigMap|DestinationRule|AuthorizationPolicy)"/g)).toHaveLength(
            before.match(/"kind": "(Deployment|Service|ConfigMap|DestinationRule|AuthorizationPolicy)"/g)!.length,
        );
    });

    it("stops the install when a release changes the passage it removes, rather than ship the copy", () => {
        const objects = pipelines();
        const data = find(objects, SYNC)["data"] as Record<string, string>;
        data["sync.py"] = data["sync.py"]!.replace("# Moved after the print argument because this is sensitive data.", "# sensitive data below");
        expect(() => noRootKeyCopies(objects)).toThrow(
            "kfstack changes the passage of the Pipelines profile controller's sync.py (ConfigMap kubeflow/kubeflow-pipelines-profile-controller-code-hdk828hd6c) that returns the root key as a Secret child, but it occurs 0 times; update components/kubeflow/object-store.ts for this release.",
        );
    });

    it("starts both MySQL servers with a root password from their Secret and never an empty one", () => {
        const objects = [...pipelines(), ...katib()];
        noEmptyDatabasePasswords(objects);
        const pipelinesMysql = find(objects, "apps/Deployment/kubeflow/mysql");
        expect(container(pipelinesMysql)["env"]).toEqual([
            { name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql-secret", key: "password" } } },
        ]);
        expect(envNames(find(objects, "apps/Deployment/kubeflow/katib-mysql"))).toEqual(["MYSQL_ROOT_PASSWORD", "MYSQL_DATABASE"]);
    });

    it("stops the install when the MinIO it pins is missing from the render", () => {
        const withoutMinio = pipelines().filter((object) => objectKey(object) !== "apps/Deployment/kubeflow/minio");
        expect(() => runPinnedMinio(withoutMinio, loadBom("kubeflow-1.8.1").objectStore.minio)).toThrow(
            "kfstack changes Deployment kubeflow/minio (apps), but the rendered manifests have no such object; update components/kubeflow/object-store.ts for this release.",
        );
    });

    it("stops the install when a MySQL server it sets the password of is missing", () => {
        expect(() => noEmptyDatabasePasswords(pipelines())).toThrow(
            "kfstack sets the root password of Deployment kubeflow/katib-mysql, but the rendered manifests have no such object; update components/kubeflow/databases.ts for this release.",
        );
    });
});

describe("attaching a MinIO policy in the mc Jobs", () => {
    /** Runs `attach policy user` under `set -eu` with an mc that prints `output` and exits with `status`; the script's exit status and stderr. */
    const attachWith = (output: string, status: number) =>
        spawnSync(
            "/bin/sh",
            ["-c", `set -eu\nmc() { echo "$MC_OUTPUT"; return ${status}; }\n${ATTACH_POLICY}\nattach kfstack-tenant-vision vision-access\necho done`],
            {
                env: { MC_OUTPUT: output },
                encoding: "utf8",
            },
        );

    it("counts MinIO's answer to an attachment already made as done, so a second run succeeds", () => {
        expect(attachWith("mc: <ERROR> Unable to make user/group policy association. The specified policy change is already in effect.", 1)).toMatchObject({
            status: 0,
            stdout: "done\n",
        });
        expect(attachWith("Attached Policies: [kfstack-tenant-vision]", 0)).toMatchObject({ status: 0, stdout: "done\n" });
    });

    it("stops the Job on any other failure, with mc's message", () => {
        expect(attachWith("mc: <ERROR> Unable to make user/group policy association. The specified user does not exist.", 1)).toMatchObject({
            status: 1,
            stdout: "",
            stderr: "mc: <ERROR> Unable to make user/group policy association. The specified user does not exist.\n",
        });
    });
});

describe("the objects of the MinIO tenant users", () => {
    const objects = minioTenantObjects(
        [
            { tenant: "vision", accessKey: "vision-access", secretKey: "vision-secret" },
            { tenant: "nlp", accessKey: "nlp-access", secretKey: "nlp-secret" },
        ],
        { user: "root", password: "root-password" },
        bom.objectStore.mc,
    );

    it("hands each tenant namespace only its own key, naming the policy its user holds, and a pipeline root under its prefix", () => {
        expect(find(objects, "/Secret/vision/mlpipeline-minio-artifact")).toEqual({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "mlpipeline-minio-artifact", namespace: "vision", annotations: { "kfstack.io/minio-policy": "kfstack-tenant-vision" } },
            stringData: { accesskey: "vision-access", secretkey: "vision-secret" },
        });
        expect(find(objects, "/ConfigMap/nlp/kfp-launcher")["data"]).toEqual({ defaultPipelineRoot: "minio://mlpipeline/v2/artifacts/nlp" });
        expect(objects.filter((object) => object.metadata.namespace === "vision").map(objectKey)).toEqual([
            "/Secret/vision/mlpipeline-minio-artifact",
            "/ConfigMap/vision/kfp-launcher",
        ]);
    });

    it("runs the BOM's mc without a sidecar, with a memory limit, as nobody, from its own admin-credential Secret", () => {
        const job = find(objects, "batch/Job/kubeflow/kfstack-minio-tenants");
        const template = podTemplates(job)[0]!;
        expect(template.metadata?.annotations).toEqual({ "sidecar.istio.io/inject": "false" });
        const mc = template.spec.containers[0]!;
        expect(mc.image).toBe("quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z");
        expect(mc.resources).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } });
        expect(mc["env"]).toEqual([
            { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { name: "kfstack-minio-admin", key: "MINIO_ROOT_USER" } } },
            { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "kfstack-minio-admin", key: "MINIO_ROOT_PASSWORD" } } },
            { name: "TENANTS", value: "vision nlp" },
            { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
        ]);
        expect(template.spec["securityContext"]).toMatchObject({ runAsNonRoot: true });
        expect(find(objects, "/Secret/kubeflow/kfstack-minio-admin")["stringData"]).toEqual({ MINIO_ROOT_PASSWORD: "root-password", MINIO_ROOT_USER: "root" });
    });

    it("only upserts: creates each policy and user and attaches them, so it can run again", () => {
        const script = (podTemplates(find(objects, "batch/Job/kubeflow/kfstack-minio-tenants"))[0]!.spec.containers[0]!["command"] as string[])[2]!;
        expect(script.split("\n").filter((line) => line.includes("mc ") || line.includes("attach "))).toEqual([
            '  if out="$(mc admin policy attach kfstack "$1" --user "$2" 2>&1)"; then return 0; fi',
            'until mc alias set kfstack http://minio-service.kubeflow:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do sleep 5; done',
            "mc mb --ignore-existing kfstack/mlpipeline",
            '  mc admin policy create kfstack "kfstack-tenant-$tenant" "/policies/kfstack-tenant-$tenant.json"',
            '  printf \'%s\\n%s\\n\' "$(cat "/keys/$tenant.accesskey")" "$(cat "/keys/$tenant.secretkey")" | mc admin user add kfstack',
            '  attach "kfstack-tenant-$tenant" "$(cat "/keys/$tenant.accesskey")"',
        ]);
        expect(Object.keys(find(objects, "/Secret/kubeflow/kfstack-minio-tenant-keys")["stringData"] as object)).toEqual([
            "nlp.accesskey",
            "nlp.secretkey",
            "vision.accesskey",
            "vision.secretkey",
        ]);
        expect(Object.keys(find(objects, "/ConfigMap/kubeflow/kfstack-minio-tenant-policies")["data"] as object)).toEqual([
            "kfstack-tenant-vision.json",
            "kfstack-tenant-nlp.json",
        ]);
    });
});

describe("stack airgap: two tenants on MinIO, each with its own user", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("airgap");
    });

    it("plans a generated key per tenant, kept secret, and the Job from the mirror after MinIO and what it mounts", () => {
        const generated = plan.resources.filter(
            (planned) => planned.type === "random:index/randomPassword:RandomPassword" && planned.name.includes("minio-tenants"),
        );
        expect(generated.map((password) => password.name)).toEqual([
            "kfstack-airgap-minio-tenants-imagery-access-key",
            "kfstack-airgap-minio-tenants-imagery-secret-key",
            "kfstack-airgap-minio-tenants-signals-access-key",
            "kfstack-airgap-minio-tenants-signals-secret-key",
        ]);
        const job = resource(plan, "kubernetes:batch/v1:Job", "kubeflow/kfstack-minio-tenants");
        const image = (job.inputs as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image;
        expect(image).toBe("registry.enclave.example:5000/kubeflow/minio/mc:RELEASE.2025-08-13T08-35-41Z");
        expect(job.dependsOn).toEqual(
            expect.arrayContaining([
                resource(plan, "kubernetes:apps/v1:Deployment", "kubeflow/minio").urn,
                resource(plan, "kubernetes:core/v1:Secret", "kubeflow/kfstack-minio-admin").urn,
                resource(plan, "kubernetes:core/v1:Secret", "kubeflow/kfstack-minio-tenant-keys").urn,
                resource(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/kfstack-minio-tenant-policies").urn,
            ]),
        );
    });

    it("puts each tenant's key into its namespace only after its Profile made the namespace", () => {
        for (const tenant of ["imagery", "signals"]) {
            const key = resource(plan, "kubernetes:core/v1:Secret", `${tenant}/mlpipeline-minio-artifact`);
            expect(key.dependsOn).toContain(resource(plan, "kubernetes:kubeflow.org/v1:Profile", tenant).urn);
        }
    });
});
