// Rewriting image references to an air-gap mirror, and finding what still
// names a public registry: hand-worked objects for each kind of place an image
// is written (the whole prod plan is in rewrite-prod-plan.test.ts).
import { describe, expect, it } from "vitest";
import { type Mirror, mirrorHub, mirrorReference, publicRegistryMentions, rewriteImages } from "../../components/images/rewrite";
import { Secret, Unknown } from "../../engine/values";
import { imageReferencesIn } from "../../core/image-references";
import { PREFIX, type Props, dataOf } from "./rewrite-fixtures";

const AGENT_DIGEST = `sha256:${"a".repeat(64)}`;
const QUEUE_DIGEST = "sha256:dabaecec38860ca4c972e6821d5dc825549faf50c6feb8feb4c04802f2338b8a";
const OTHER_DIGEST = `sha256:${"b".repeat(64)}`;
const mirror: Mirror = {
    prefix: PREFIX,
    digests: new Map([
        ["docker.io/kserve/agent:v0.11.2", AGENT_DIGEST],
        // An untagged reference is never pinned, even when the lock has it: its tag is composed at run time.
        ["gcr.io/google-containers/busybox", OTHER_DIGEST],
        // A written digest is kept, whatever the lock says.
        [`gcr.io/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}`, OTHER_DIGEST],
    ]),
};

const deployment = (container: Props, initContainers: Props[] = []): Props => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "kubeflow" },
    spec: { template: { spec: { containers: [{ name: "main", ...container }], initContainers } } },
});
const configMap = (data: Record<string, string>): Props => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "kubeflow" },
    data,
});
const containerOf = (object: Props) => (object as { spec: { template: { spec: { containers: Props[]; initContainers: Props[] } } } }).spec.template.spec;

describe("mirrorReference", () => {
    it.each([
        ["busybox:1.28", `${PREFIX}/library/busybox:1.28`],
        ["kubeflow/training-operator:v1-9e52eb7", `${PREFIX}/kubeflow/training-operator:v1-9e52eb7`],
        ["quay.io/jetstack/cert-manager-controller:v1.12.2", `${PREFIX}/jetstack/cert-manager-controller:v1.12.2`],
        ["kserve/agent:v0.11.2", `${PREFIX}/kserve/agent@${AGENT_DIGEST}`],
        ["docker.io/kserve/agent:v0.11.2", `${PREFIX}/kserve/agent@${AGENT_DIGEST}`],
        ["gcr.io/google-containers/busybox", `${PREFIX}/google-containers/busybox`],
        [`gcr.io/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}`, `${PREFIX}/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}`],
        [`nvcr.io/nvidia/tritonserver:23.05-py3@${QUEUE_DIGEST}`, `${PREFIX}/nvidia/tritonserver:23.05-py3@${QUEUE_DIGEST}`],
        [`${PREFIX}/kserve/router:v0.11.2`, `${PREFIX}/kserve/router:v0.11.2`],
    ])("puts %s at %s", (image, expected) => {
        expect(mirrorReference(image, mirror)).toBe(expected);
        expect(mirrorReference(image, { ...mirror, prefix: `${PREFIX}/` })).toBe(expected);
    });

    it("takes the prefix as a path: a sibling path with the same start is not in the mirror", () => {
        expect(mirrorReference(`${PREFIX}-old/kserve/router:v0.11.2`, mirror)).toBe(`${PREFIX}/kf-old/kserve/router:v0.11.2`);
    });

    it("maps a hub to the mirror without library/, and refuses what is no registry path", () => {
        expect(mirrorHub("docker.io/istio", mirror)).toBe(`${PREFIX}/istio`);
        expect(mirrorHub("gcr.io/istio-release", mirror)).toBe(`${PREFIX}/istio-release`);
        expect(mirrorHub(`${PREFIX}/istio`, mirror)).toBe(`${PREFIX}/istio`);
        expect(mirrorHub("istio", mirror)).toBeUndefined();
        expect(mirrorHub("docker.io/istio:1.17.5", mirror)).toBeUndefined();
    });
});

describe("rewriteImages", () => {
    it("rewrites container and init container images", () => {
        const rewritten = rewriteImages(deployment({ image: "kubeflow/training-operator:v1-9e52eb7" }, [{ name: "setup", image: "busybox:1.28" }]), mirror);
        expect(containerOf(rewritten).containers[0]!["image"]).toBe(`${PREFIX}/kubeflow/training-operator:v1-9e52eb7`);
        expect(containerOf(rewritten).initContainers[0]!["image"]).toBe(`${PREFIX}/library/busybox:1.28`);
    });

    it("rewrites env values that hold images and leaves the others", () => {
        const env = [
            { name: "VOLUME_VIEWER_IMAGE", value: "filebrowser/filebrowser:v2.23.0" },
            { name: "MINIO_ENDPOINT", value: "http://minio-service.kubeflow:9000/mlpipeline" },
            { name: "ML_PIPELINE_SERVICE", value: "kubeflow/ml-pipeline:8888" },
        ];
        expect(containerOf(rewriteImages(deployment({ image: `${PREFIX}/app:1.0`, env }), mirror)).containers[0]!["env"]).toEqual([
            { name: "VOLUME_VIEWER_IMAGE", value: `${PREFIX}/filebrowser/filebrowser:v2.23.0` },
            { name: "MINIO_ENDPOINT", value: "http://minio-service.kubeflow:9000/mlpipeline" },
            { name: "ML_PIPELINE_SERVICE", value: "kubeflow/ml-pipeline:8888" },
        ]);
    });

    it("rewrites `--flag=image` and an image after `--flag`, only the reference token", () => {
        const args = [
            "--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.12.2",
            "--executor-image",
            "gcr.io/ml-pipeline/argoexec:v3.3.10-license-compliance",
            "--agent-image=kserve/agent:v0.11.2",
            "--gpu-agent-image=kserve/agent:v0.11.2-gpu",
            "--docs=https://hub.docker.com/r/kserve/agent",
        ];
        expect(containerOf(rewriteImages(deployment({ image: `${PREFIX}/app:1.0`, args }), mirror)).containers[0]!["args"]).toEqual([
            `--acme-http01-solver-image=${PREFIX}/jetstack/cert-manager-acmesolver:v1.12.2`,
            "--executor-image",
            `${PREFIX}/ml-pipeline/argoexec:v3.3.10-license-compliance`,
            `--agent-image=${PREFIX}/kserve/agent@${AGENT_DIGEST}`,
            // A longer tag is another image (not in the lock), never the pinned one with "-gpu" left over.
            `--gpu-agent-image=${PREFIX}/kserve/agent:v0.11.2-gpu`,
            "--docs=https://hub.docker.com/r/kserve/agent",
        ]);
    });

    it("rewrites ConfigMap values that are images: pinned by the lock, else by tag, untagged stays untagged", () => {
        const rewritten = rewriteImages(
            configMap({
                TENSORBOARD_IMAGE: "tensorflow/tensorflow:2.5.1",
                cacheImage: "gcr.io/google-containers/busybox",
                "queue-sidecar-image": `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}`,
                agentImage: "kserve/agent:v0.11.2",
            }),
            mirror,
        );
        expect(dataOf(rewritten)).toEqual({
            TENSORBOARD_IMAGE: `${PREFIX}/tensorflow/tensorflow:2.5.1`,
            cacheImage: `${PREFIX}/google-containers/busybox`,
            "queue-sidecar-image": `${PREFIX}/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}`,
            agentImage: `${PREFIX}/kserve/agent@${AGENT_DIGEST}`,
        });
    });

    it("rewrites images inside embedded JSON and keeps its formatting", () => {
        const agent = '{\n    "image" : "kserve/agent:v0.11.2",\n    "memoryLimit": "1Gi"\n}';
        const explainers = '{\n    "alibi": {\n        "image" : "kserve/alibi-explainer",\n        "defaultImageVersion": "latest"\n    }\n}';
        expect(dataOf(rewriteImages(configMap({ agent, explainers }), mirror))).toEqual({
            agent: `{\n    "image" : "${PREFIX}/kserve/agent@${AGENT_DIGEST}",\n    "memoryLimit": "1Gi"\n}`,
            explainers: `{\n    "alibi": {\n        "image" : "${PREFIX}/kserve/alibi-explainer",\n        "defaultImageVersion": "latest"\n    }\n}`,
        });
    });

    it("rewrites an image line of embedded YAML, not the same name elsewhere in the text", () => {
        const config = [
            "# grpc-simple waits with busybox:1.28 before the proxy starts; see https://quay.io/repository/jetstack/cert-manager-controller",
            "containers:",
            "- name: grpc-bootstrap",
            "  image: busybox:1.28",
            '  imagePullPolicy: "{{ .Values.global.imagePullPolicy }}"',
            '- image: "{{ .ProxyImage }}"',
            "runtime:",
            "  suggestions:",
            "    - algorithmName: random",
            "      image: docker.io/kubeflowkatib/suggestion-hyperopt:v0.16.0 # the default",
        ].join("\n");
        const rewritten = dataOf(rewriteImages(configMap({ config }), mirror))["config"]!.split("\n");
        expect(rewritten).toEqual([
            "# grpc-simple waits with busybox:1.28 before the proxy starts; see https://quay.io/repository/jetstack/cert-manager-controller",
            "containers:",
            "- name: grpc-bootstrap",
            `  image: ${PREFIX}/library/busybox:1.28`,
            '  imagePullPolicy: "{{ .Values.global.imagePullPolicy }}"',
            '- image: "{{ .ProxyImage }}"',
            "runtime:",
            "  suggestions:",
            "    - algorithmName: random",
            `      image: ${PREFIX}/kubeflowkatib/suggestion-hyperopt:v0.16.0 # the default`,
        ]);
    });

    it("rewrites every occurrence of an image in a text, each checked in its own place", () => {
        const spawner = [
            "image:",
            "  value: kubeflownotebookswg/jupyter-scipy:v1.8.0",
            "  options:",
            "  - kubeflownotebookswg/jupyter-scipy:v1.8.0",
            "  - kubeflownotebookswg/codeserver-python:v1.8.0",
        ].join("\n");
        expect(dataOf(rewriteImages(configMap({ "spawner_ui_config.yaml": spawner }), mirror))["spawner_ui_config.yaml"]!.split("\n")).toEqual([
            "image:",
            `  value: ${PREFIX}/kubeflownotebookswg/jupyter-scipy:v1.8.0`,
            "  options:",
            `  - ${PREFIX}/kubeflownotebookswg/jupyter-scipy:v1.8.0`,
            `  - ${PREFIX}/kubeflownotebookswg/codeserver-python:v1.8.0`,
        ]);
    });

    it("rewrites a repeat of a confirmed reference with a path in the same text, as in code the matcher has no context for", () => {
        const documented = [
            '"""',
            "    frontend_image: gcr.io/ml-pipeline/frontend",
            '"""',
            'image = os.environ.get("FRONTEND_IMAGE", "gcr.io/ml-pipeline/frontend")',
            "# https://gcr.io/ml-pipeline/frontend",
        ].join("\n");
        const undocumented = 'image = os.environ.get("FRONTEND_IMAGE", "gcr.io/ml-pipeline/frontend")';
        const bare = "image: busybox:1.28\n# then busybox:1.28 exits";
        expect(dataOf(rewriteImages(configMap({ documented, undocumented, bare }), mirror))).toEqual({
            documented: [
                '"""',
                `    frontend_image: ${PREFIX}/ml-pipeline/frontend`,
                '"""',
                `image = os.environ.get("FRONTEND_IMAGE", "${PREFIX}/ml-pipeline/frontend")`,
                "# https://gcr.io/ml-pipeline/frontend",
            ].join("\n"),
            // Nothing confirms it here: it stays, and publicRegistryMentions reports it.
            undocumented,
            bare: `image: ${PREFIX}/library/busybox:1.28\n# then busybox:1.28 exits`,
        });
        expect(publicRegistryMentions(rewriteImages(configMap({ undocumented }), mirror))).toEqual([
            { where: "data.undocumented", text: "gcr.io/ml-pipeline/frontend" },
        ]);
    });

    it("rewrites custom resource fields and keeps a written digest", () => {
        const runtime = {
            kind: "ClusterServingRuntime",
            metadata: { name: "kserve-tritonserver" },
            spec: { containers: [{ name: "kserve-container", image: "nvcr.io/nvidia/tritonserver:23.05-py3" }] },
        };
        const image = {
            kind: "Image",
            metadata: { name: "queue-proxy", namespace: "knative-serving" },
            spec: { image: `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}` },
        };
        const helm = {
            kind: "Exporter",
            metadata: { name: "exporter" },
            spec: { image: { registry: "quay.io", repository: "prometheus/node-exporter", tag: "v1.9.1" } },
        };
        expect(rewriteImages(runtime, mirror).spec.containers[0]!.image).toBe(`${PREFIX}/nvidia/tritonserver:23.05-py3`);
        expect(rewriteImages(image, mirror).spec.image).toBe(`${PREFIX}/knative-releases/knative.dev/serving/cmd/queue@${QUEUE_DIGEST}`);
        expect(rewriteImages(helm, mirror).spec.image).toEqual({ registry: PREFIX, repository: "prometheus/node-exporter", tag: "v1.9.1" });
    });

    it("points Istio hubs at the mirror, so the images Istio composes from them resolve there", () => {
        const values = JSON.stringify(
            { global: { hub: "docker.io/istio", tag: "1.17.5", proxy: { image: "proxyv2" }, proxy_init: { image: "proxyv2" } } },
            null,
            2,
        );
        const operator = "spec:\n  hub: docker.io/istio\n  values:\n    global:\n      hub: 'gcr.io/istio-release'\n";
        const rewritten = rewriteImages(
            { ...configMap({ values, operator }), metadata: { name: "istio-sidecar-injector", namespace: "istio-system" } },
            mirror,
        );
        expect(JSON.parse(dataOf(rewritten)["values"]!)).toEqual({
            global: { hub: `${PREFIX}/istio`, tag: "1.17.5", proxy: { image: "proxyv2" }, proxy_init: { image: "proxyv2" } },
        });
        expect(dataOf(rewritten)["operator"]).toBe(`spec:\n  hub: ${PREFIX}/istio\n  values:\n    global:\n      hub: '${PREFIX}/istio-release'\n`);
        expect(imageReferencesIn("ConfigMap", rewritten)).toEqual([{ image: `${PREFIX}/istio/proxyv2:1.17.5`, where: "data.values.global.proxy.image" }]);
        const istioOperator = {
            kind: "IstioOperator",
            metadata: { name: "installed-state" },
            spec: { hub: "docker.io/istio", values: { global: { hub: "gcr.io/istio-release", tag: "1.17.5" } } },
        };
        expect(rewriteImages(istioOperator, mirror).spec).toEqual({
            hub: `${PREFIX}/istio`,
            values: { global: { hub: `${PREFIX}/istio-release`, tag: "1.17.5" } },
        });
    });

    it("leaves URLs, paths, host:port pairs, API groups, versions and documentation alone", () => {
        const tricky = configMap({
            url: "http://minio-service.kubeflow:9000/mlpipeline",
            httpsImageUrl: "https://gcr.io/ml-pipeline/frontend:2.0.5",
            logoImage: "https://www.kubeflow.org/images/logo.svg",
            bucket: "gs://models/bert/checkpoint:3",
            binary: "/usr/local/bin/app:latest",
            relative: "./models/app:1.0",
            discovery: "istiod.istio-system.svc:15012",
            service: "kubeflow/ml-pipeline:8888",
            group: "serving.kserve.io/v1beta1",
            version: "v1.8.1",
            email: "user@example.com",
            hubName: "hub: github",
            _example: "queue-sidecar-image: gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.10.2",
        });
        expect(rewriteImages(tricky, mirror)).toEqual(tricky);
    });

    it("is idempotent: rewriting a rewritten object changes nothing", () => {
        const objects: Props[] = [
            deployment(
                {
                    image: "python:3.7",
                    args: ["--executor-image=gcr.io/ml-pipeline/argoexec:v3.3.10"],
                    env: [{ name: "X_IMAGE", value: "kserve/agent:v0.11.2" }],
                },
                [{ name: "setup", image: "busybox:1.28" }],
            ),
            configMap({
                values: JSON.stringify({ global: { hub: "docker.io/istio", tag: "1.17.5", proxy: { image: "proxyv2" } } }),
                cacheImage: "gcr.io/google-containers/busybox",
                "katib-config.yaml": "image: docker.io/kubeflowkatib/suggestion-pbt:v0.16.0\n",
            }),
            { kind: "Exporter", metadata: { name: "exporter" }, spec: { image: { repository: "prometheus/node-exporter", tag: "v1.9.1" } } },
        ];
        for (const object of objects) {
            const once = rewriteImages(object, mirror);
            expect(once).not.toEqual(object);
            expect(rewriteImages(once, mirror)).toEqual(once);
        }
    });

    it("copies: the input is unchanged, Secrets are not touched, plan markers and other objects are kept as they are", () => {
        const input = deployment({
            image: "python:3.7",
            env: [
                { name: "TOKEN", value: new Secret("s3cr3t") },
                { name: "ENDPOINT", value: Unknown.instance },
            ],
        });
        const snapshot = structuredClone(input);
        const rewritten = rewriteImages(input, mirror);
        expect(input).toEqual(snapshot);
        const env = containerOf(rewritten).containers[0]!["env"] as { value: unknown }[];
        expect(env[0]!.value).toBeInstanceOf(Secret);
        expect(env[1]!.value).toBe(Unknown.instance);
        const secret = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "registry", namespace: "kubeflow" },
            stringData: { image: "docker.io/library/nginx:1.27.3" },
        };
        expect(rewriteImages(secret, mirror)).toEqual(secret);
        expect(rewriteImages(secret, mirror)).not.toBe(secret);
    });
});

describe("publicRegistryMentions", () => {
    it("finds public registry hosts anywhere and bare Docker Hub images the matcher finds, each place once", () => {
        const object = {
            kind: "ConfigMap",
            metadata: { name: "settings", namespace: "kubeflow" },
            data: {
                values: '{"global": {"hub": "docker.io/istio"}}',
                "sync.py": 'import os\nos.environ.get("FRONTEND_IMAGE", "gcr.io/ml-pipeline/frontend")\n',
                docs: "see https://quay.io/repository/jetstack and us.gcr.io/project/app",
                TENSORBOARD_IMAGE: "tensorflow/tensorflow:2.5.1",
                spawner: "options:\n  - kubeflownotebookswg/jupyter-scipy:v1.8.0\n",
                mirrored: `${PREFIX}/kserve/agent:v0.11.2`,
                lookalikes: "quay.io.example.com/x notdocker.io/y registry.enclave.example/gcr.io-cache",
            },
        };
        expect(publicRegistryMentions(object)).toEqual([
            { where: "data.values", text: "docker.io/istio" },
            { where: 'data["sync.py"] line 2', text: "gcr.io/ml-pipeline/frontend" },
            { where: "data.docs", text: "https://quay.io/repository/jetstack" },
            { where: "data.docs", text: "us.gcr.io/project/app" },
            { where: "data.TENSORBOARD_IMAGE", text: "tensorflow/tensorflow:2.5.1" },
            { where: "data.spawner line 2", text: "kubeflownotebookswg/jupyter-scipy:v1.8.0" },
        ]);
    });

    it("reports an image Istio composes from a public hub where its image is named", () => {
        const object = {
            kind: "ConfigMap",
            metadata: { name: "x" },
            data: { values: JSON.stringify({ global: { hub: "istio", tag: "1.17.5", proxy: { image: "proxyv2" } } }) },
        };
        expect(publicRegistryMentions(object)).toEqual([{ where: "data.values.global.proxy.image", text: "istio/proxyv2:1.17.5" }]);
    });

    it("finds nothing in mirrored objects", () => {
        expect(
            publicRegistryMentions(
                rewriteImages(deployment({ image: "python:3.7" }, [{ name: "setup", image: "quay.io/jetstack/cert-manager-ctl:v1.12.2" }]), mirror),
            ),
        ).toEqual([]);
    });
});
