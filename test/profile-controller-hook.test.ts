// What the Pipelines profile controller does after apply: Metacontroller calls
// its sync.py for every namespace labelled pipelines.kubeflow.org/enabled and
// applies the children it returns. kfstack changes that code, so the test runs
// the planned code itself (python3), with the planned controller's environment,
// for a tenant namespace, and reads what it would create there.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Plan } from "../engine/plan";
import { resource } from "./helpers";
import { plannedStack } from "./planned-stacks";
import { toolsRequirement } from "./requirements";

const python = toolsRequirement(["python3"], "running the Pipelines profile controller's sync.py");

/** Loads sync.py as a module (not as __main__, so it serves nothing), and prints what its sync returns for `parent`. */
const HARNESS = `
import contextlib, io, json, sys
source = sys.stdin.read()
module = {"__name__": "kfstack_sync_hook"}
exec(compile(source, "sync.py", "exec"), module)
settings = module["get_settings_from_env"](controller_port=0)
server = module["server_factory"](**settings, url="127.0.0.1")
server.server_close()
kinds = ["Secret.v1", "ConfigMap.v1", "Deployment.apps/v1", "Service.v1",
         "DestinationRule.networking.istio.io/v1alpha3", "AuthorizationPolicy.security.istio.io/v1beta1"]
parent = {"metadata": {"name": sys.argv[1], "labels": {"pipelines.kubeflow.org/enabled": "true"}}}
with contextlib.redirect_stdout(io.StringIO()):  # sync.py logs each request on stdout
    result = server.RequestHandlerClass.sync(None, parent, {kind: {} for kind in kinds})
print(json.dumps(result))
`;

interface Child {
    kind: string;
    metadata: { name: string; namespace: string };
    spec?: {
        template?: { spec: { serviceAccountName?: string; containers: { name: string; env?: { name: string; value?: string; valueFrom?: unknown }[] }[] } };
    };
}

interface EnvVar {
    name: string;
    value?: string;
}

/** The children sync.py returns for `namespace`, run with the planned hook code and the planned controller's literal environment. */
function syncChildren(plan: Plan, namespace: string): Child[] {
    python.assert();
    const controller = resource(plan, "kubernetes:apps/v1:Deployment", "kubeflow/kubeflow-pipelines-profile-controller").inputs as unknown as {
        spec: { template: { spec: { containers: { env?: EnvVar[] }[]; volumes: { name: string; configMap?: { name: string } }[] } } };
    };
    const template = controller.spec.template.spec;
    const hooks = template.volumes.find((volume) => volume.name === "hooks")!.configMap!.name;
    const code = resource(plan, "kubernetes:core/v1:ConfigMap", `kubeflow/${hooks}`).inputs["data"] as Record<string, string>;
    // KFP_VERSION comes from pipeline-install-config (appVersion): the release's.
    const env = Object.fromEntries(template.containers[0]!.env!.flatMap((variable) => (variable.value === undefined ? [] : [[variable.name, variable.value]])));
    const run = spawnSync("python3", ["-c", HARNESS, namespace], {
        input: code["sync.py"],
        env: { PATH: process.env["PATH"], KFP_VERSION: "2.0.5", ...env },
        encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    return (JSON.parse(run.stdout) as { children: Child[] }).children;
}

const artifactServer = (children: Child[]) => children.find((child) => child.kind === "Deployment" && child.metadata.name === "ml-pipeline-ui-artifact")!;
const envOf = (child: Child) => child.spec!.template!.spec.containers[0]!.env ?? [];

describe.skipIf(python.skip)("the Pipelines profile controller's sync.py as planned", () => {
    it("on prod (S3) hands the namespace no key, and runs its artifact server as default-editor with the bucket's region and endpoint", async () => {
        const children = syncChildren(await plannedStack("prod"), "vision");
        expect(children.map((child) => child.kind).sort()).toEqual([
            "AuthorizationPolicy",
            "ConfigMap",
            "Deployment",
            "Deployment",
            "DestinationRule",
            "Service",
            "Service",
        ]);
        const server = artifactServer(children);
        expect(server.spec!.template!.spec.serviceAccountName).toBe("default-editor");
        // The frontend server reads S3 through the AWS SDK's default chain: the web identity token IRSA mounts for default-editor.
        expect(envOf(server)).toEqual([
            { name: "AWS_REGION", value: "us-east-1" },
            { name: "AWS_S3_ENDPOINT", value: "s3.us-east-1.amazonaws.com" },
        ]);
        expect(JSON.stringify(children)).not.toContain("secretKeyRef");
    });

    it("on gke-prod (GCS) hands the namespace no key, and runs its artifact server as default-editor with Google's default credentials", async () => {
        const server = artifactServer(syncChildren(await plannedStack("gke-prod"), "vision"));
        expect(server.spec!.template!.spec.serviceAccountName).toBe("default-editor");
        expect(envOf(server)).toEqual([]);
    });

    it("on MinIO hands the namespace no key either: its artifact server reads the namespace's own key, which kfstack plans", async () => {
        const plan = await plannedStack("prod-minio");
        const children = syncChildren(plan, "vision");
        expect(children.filter((child) => child.kind === "Secret")).toEqual([]);
        const references = envOf(artifactServer(children)).map((variable) => JSON.stringify(variable.valueFrom));
        expect(references).toEqual([
            JSON.stringify({ secretKeyRef: { key: "accesskey", name: "mlpipeline-minio-artifact" } }),
            JSON.stringify({ secretKeyRef: { key: "secretkey", name: "mlpipeline-minio-artifact" } }),
        ]);
        expect(resource(plan, "kubernetes:core/v1:Secret", "vision/mlpipeline-minio-artifact").inputs["stringData"]).toHaveProperty("accesskey");
    });
});
