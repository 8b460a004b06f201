import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { imageReferencesIn, parseImageReference } from "../../core/image-references";
import { imageMirror } from "../../policies/workloads/img-02-image-mirror";
import { changed, messagesOf, record, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { CONTAINER, TEMPLATE_SPEC, carrierOf, configMap, secret, workloadCarriers } from "./fixtures-workloads";

const MIRROR = "registry.example.com/team";
const config = (settings: Record<string, unknown> = {}) => ({ "img-02-image-mirror": { mirrorPrefix: MIRROR, ...settings } });
const deployment = () => carrierOf("Deployment");
const DIGEST = "sha256:dabaecec38860ca4c972e6821d5dc825549faf50c6feb8feb4c04802f2338b8a";
const fix = `copy it into the mirror and refer to it under "${MIRROR}/".`;

describe("IMG-02 image mirror", () => {
    it("accepts every pod-template carrier whose images come from the mirror", async () => {
        expect(await messagesOf(imageMirror, workloadCarriers(), config())).toEqual([]);
    });

    it("checks nothing when the stack has no mirror (the default)", async () => {
        expect(await messagesOf(imageMirror, [changed(deployment(), [...CONTAINER, "image"], "docker.io/library/nginx:1.27.3")])).toEqual([]);
    });

    it("rejects a container image outside the mirror, as advisory by default", async () => {
        const bad = changed(deployment(), [...CONTAINER, "image"], "docker.io/library/nginx:1.27.3");
        expect(await violationsOf(imageMirror, [bad], config())).toEqual([
            {
                policy: "img-02-image-mirror",
                id: "IMG-02",
                enforcement: "advisory",
                resource: bad.urn,
                message: `Deployment "team-a/deployment" refers to image "docker.io/library/nginx:1.27.3" (spec.template.spec.containers[name="app"].image), outside the mirror; ${fix}`,
            },
        ]);
    });

    it("says an air-gapped cluster cannot pull it, and is mandatory as `npm run check` sets it for air-gapped stacks", async () => {
        const bad = changed(deployment(), [...TEMPLATE_SPEC, "initContainers", 0, "image"], "busybox:1.36");
        expect(await violationsOf(imageMirror, [bad], config({ airGapped: true, enforcementLevel: "mandatory" }))).toEqual([
            mandatoryViolation(
                { policy: "img-02-image-mirror", id: "IMG-02" },
                bad,
                `Deployment "team-a/deployment" refers to image "busybox:1.36" (spec.template.spec.initContainers[name="setup"].image), which an air-gapped cluster cannot pull; ${fix}`,
            ),
        ]);
    });

    it("takes the prefix as a path: a sibling path with the same start is outside, a trailing slash is ignored", async () => {
        const sibling = changed(deployment(), [...CONTAINER, "image"], "registry.example.com/team-old/app:1.4.2");
        expect(await messagesOf(imageMirror, [sibling], config({ mirrorPrefix: `${MIRROR}/` }))).toEqual([
            `Deployment "team-a/deployment" refers to image "registry.example.com/team-old/app:1.4.2" (spec.template.spec.containers[name="app"].image), outside the mirror; ${fix}`,
        ]);
    });

    it("finds images in env values and args", async () => {
        const container = {
            ...(deployment().props as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec.template.spec.containers[0],
            args: [
                "--executor-image",
                "gcr.io/ml-pipeline/argoexec:v3.3.10-license-compliance",
                "--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.12.2",
            ],
            env: [
                { name: "VOLUME_VIEWER_IMAGE", value: "filebrowser/filebrowser:v2.23.0" },
                { name: "APISERVER_RA_IMAGE", value: `gcr.io/knative-releases/knative.dev/eventing/cmd/apiserver_receive_adapter@${DIGEST}` },
                { name: "MINIO_ENDPOINT", value: "http://minio-service.kubeflow:9000/mlpipeline" },
            ],
        };
        const bad = changed(deployment(), CONTAINER, container);
        const where = 'spec.template.spec.containers[name="app"]';
        expect(await messagesOf(imageMirror, [bad], config())).toEqual([
            `Deployment "team-a/deployment" refers to image "gcr.io/ml-pipeline/argoexec:v3.3.10-license-compliance" (${where}.args[1]), outside the mirror; ${fix}`,
            `Deployment "team-a/deployment" refers to image "quay.io/jetstack/cert-manager-acmesolver:v1.12.2" (${where}.args[2]), outside the mirror; ${fix}`,
            `Deployment "team-a/deployment" refers to image "filebrowser/filebrowser:v2.23.0" (${where}.env[name="VOLUME_VIEWER_IMAGE"].value), outside the mirror; ${fix}`,
            `Deployment "team-a/deployment" refers to image "gcr.io/knative-releases/knative.dev/eventing/cmd/apiserver_receive_adapter@${DIGEST}" (${where}.env[name="APISERVER_RA_IMAGE"].value), outside the mirror; ${fix}`,
        ]);
    });

    it("finds images in ConfigMap data: image-named keys (tagged or not), embedded JSON and embedded YAML", async () => {
        const katibConfig = [
            "runtime:",
            "  suggestions:",
            "    - algorithmName: random",
            "      image: docker.io/kubeflowkatib/suggestion-hyperopt:v0.16.0",
            "",
        ].join("\n");
        const spawner = [
            "spawnerFormDefaults:",
            "  allowCustomImage: true",
            "  image:",
            "    value: kubeflownotebookswg/jupyter-scipy:v1.8.0",
            "    options:",
            "    - kubeflownotebookswg/jupyter-scipy:v1.8.0",
            "    - kubeflownotebookswg/codeserver-python:v1.8.0",
        ].join("\n");
        const bad = configMap("settings", "kubeflow", {
            TENSORBOARD_IMAGE: "tensorflow/tensorflow:2.5.1",
            cacheImage: "gcr.io/google-containers/busybox",
            "queue-sidecar-image": `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}`,
            agent: '{\n    "image" : "kserve/agent:v0.11.2",\n    "memoryLimit": "1Gi"\n}',
            "katib-config.yaml": katibConfig,
            "spawner_ui_config.yaml": spawner,
        });
        expect(await messagesOf(imageMirror, [bad], config())).toEqual([
            `ConfigMap "kubeflow/settings" refers to image "tensorflow/tensorflow:2.5.1" (data.TENSORBOARD_IMAGE), outside the mirror; ${fix}`,
            `ConfigMap "kubeflow/settings" refers to image "gcr.io/google-containers/busybox" (data.cacheImage), outside the mirror; ${fix}`,
            `ConfigMap "kubeflow/settings" refers to image "gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}" (data["queue-sidecar-image"]), outside the mirror; ${fix}`,
            `ConfigMap "kubeflow/settings" refers to image "kserve/agent:v0.11.2" (data.agent.image), outside the mirror; ${fix}`,
            `ConfigMap "kubeflow/settings" refers to image "docker.io/kubeflowkatib/suggestion-hyperopt:v0.16.0" (data["katib-config.yaml"] line 4), outside the mirror; ${fix}`,
            `ConfigMap "kubeflow/settings" refers to image "kubeflownotebookswg/jupyter-scipy:v1.8.0" (data["spawner_ui_config.yaml"] line 4), outside the mirror; ${fix}`,
            `ConfigMap "kubeflow/settings" refers to image "kubeflownotebookswg/codeserver-python:v1.8.0" (data["spawner_ui_config.yaml"] line 7), outside the mirror; ${fix}`,
        ]);
    });

    it("finds a short image name in a YAML template that does not parse, and skips template expressions", async () => {
        const injector = [
            "      containers:",
            "      - name: istio-proxy",
            '        image: "{{ .ProxyImage }}"',
            "      - name: grpc-bootstrap",
            "        image: busybox:1.28",
            '        imagePullPolicy: "{{ .Values.global.imagePullPolicy }}"',
        ].join("\n");
        expect(await messagesOf(imageMirror, [configMap("istio-sidecar-injector", "istio-system", { config: injector })], config())).toEqual([
            `ConfigMap "istio-system/istio-sidecar-injector" refers to image "busybox:1.28" (data.config line 5), outside the mirror; ${fix}`,
        ]);
    });

    it("composes Istio's hub, image and tag, and accepts them once the hub is in the mirror", async () => {
        const values = (hub: string) =>
            JSON.stringify({ global: { hub, tag: "1.17.5", proxy: { image: "proxyv2" }, proxy_init: { image: "proxyv2" } } }, null, 2);
        expect(await messagesOf(imageMirror, [configMap("istio-sidecar-injector", "istio-system", { values: values("docker.io/istio") })], config())).toEqual([
            `ConfigMap "istio-system/istio-sidecar-injector" refers to image "docker.io/istio/proxyv2:1.17.5" (data.values.global.proxy.image), outside the mirror; ${fix}`,
        ]);
        expect(await messagesOf(imageMirror, [configMap("istio-sidecar-injector", "istio-system", { values: values(`${MIRROR}/istio`) })], config())).toEqual(
            [],
        );
    });

    it("finds images in custom resources: serving runtimes, Knative images, Helm-style image fields, annotations", async () => {
        const runtime = record("kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime", {
            metadata: { name: "kserve-sklearnserver" },
            spec: { containers: [{ name: "kserve-container", image: "kserve/sklearnserver:v0.11.2" }] },
        });
        const image = record("kubernetes:caching.internal.knative.dev/v1alpha1:Image", {
            metadata: { name: "queue-proxy", namespace: "knative-serving" },
            spec: { image: `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}` },
        });
        const helm = record("kubernetes:example.com/v1:Exporter", {
            metadata: { name: "exporter", namespace: "monitoring" },
            spec: { image: { registry: "quay.io", repository: "prometheus/node-exporter", tag: "v1.9.1" } },
        });
        const annotated = changed(deployment(), ["props", "metadata", "annotations"], { "sidecar.istio.io/proxyImage": "docker.io/istio/proxyv2:1.17.5" });
        expect(await messagesOf(imageMirror, [runtime, image, helm, annotated], config())).toEqual([
            `ClusterServingRuntime "kserve-sklearnserver" refers to image "kserve/sklearnserver:v0.11.2" (spec.containers[name="kserve-container"].image), outside the mirror; ${fix}`,
            `Image "knative-serving/queue-proxy" refers to image "gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}" (spec.image), outside the mirror; ${fix}`,
            `Exporter "monitoring/exporter" refers to image "quay.io/prometheus/node-exporter:v1.9.1" (spec.image.repository), outside the mirror; ${fix}`,
            `Deployment "team-a/deployment" refers to image "docker.io/istio/proxyv2:1.17.5" (metadata.annotations["sidecar.istio.io/proxyImage"]), outside the mirror; ${fix}`,
        ]);
    });

    it("takes no URL, path, host:port, API group, version, time or code for an image", async () => {
        const tricky = configMap("tricky", "kubeflow", {
            url: "http://minio-service.kubeflow:9000/mlpipeline",
            httpsImageUrl: "https://gcr.io/ml-pipeline/frontend:2.0.5",
            logoImage: "https://www.kubeflow.org/images/logo.svg",
            iconImage: "kubeflow-logo.png",
            bucket: "gs://models/bert/checkpoint:3",
            path: "/var/lib/kubelet/device-plugins",
            binary: "/usr/local/bin/app:latest",
            relative: "./models/app:1.0",
            discovery: "istiod.istio-system.svc:15012",
            service: "kubeflow/ml-pipeline:8888",
            group: "serving.kserve.io/v1beta1",
            type: "kubernetes:apps/v1:Deployment",
            typeUrl: "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
            principal: "cluster.local/ns/kubeflow/sa/ml-pipeline-ui",
            version: "v1.8.1",
            time: "2019-08-14T20:37:41Z",
            email: "user@example.com",
            digest: DIGEST,
            flags: "allowCustomImage: true\nimagePullPolicy: IfNotPresent\nhideImage: false",
            code: 'def server(frontend_image, frontend_tag):\n    return {"image": f"{frontend_image}:{frontend_tag}", "imagePullPolicy": "IfNotPresent"}\nimage=img\n',
            shell: 'IMAGE="${REGISTRY}/app:${TAG}"\nexec /opt/app/bin/serve --config=/etc/app/app.yaml:ro',
            lua: "request_handle:headers():add('kubeflow-userid', user)",
        });
        expect(await messagesOf(imageMirror, [tricky], config())).toEqual([]);
    });

    it("skips documentation (_example data), Secrets and CRDs", async () => {
        const example = configMap("config-deployment", "knative-serving", {
            _example: "queue-sidecar-image: gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.10.2",
        });
        const credentials = secret("registry", "kubeflow", { stringData: { image: "docker.io/library/nginx:1.27.3" } });
        const crd = record("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", {
            metadata: { name: "notebooks.kubeflow.org" },
            spec: { description: "image: docker.io/jupyter/base-notebook:2023-10-20" },
        });
        expect(await messagesOf(imageMirror, [example, credentials, crd], config())).toEqual([]);
    });

    it("is undecided, not failed, when a value it must read is unknown during preview", async () => {
        const unknown = changed(deployment(), [...CONTAINER, "image"], Unknown.instance);
        expect((await undecidedOf(imageMirror, [unknown], config())).map((entry) => entry.reason)).toEqual([
            "string value at .spec.template.spec.containers.0.image can't be known during preview",
        ]);
    });
});

describe("image references", () => {
    it.each([
        ["nginx", { repository: "nginx" }],
        ["python:3.7", { repository: "python", tag: "3.7" }],
        ["localhost:5000/app", { repository: "localhost:5000/app", registry: "localhost:5000" }],
        ["10.0.0.1:5000/team/app:1.0", { repository: "10.0.0.1:5000/team/app", registry: "10.0.0.1:5000", tag: "1.0" }],
        [`gcr.io/x/queue:v1@${DIGEST}`, { repository: "gcr.io/x/queue", registry: "gcr.io", tag: "v1", digest: DIGEST }],
        ["kubeflownotebookswg/jupyter-scipy:v1.8.0", { repository: "kubeflownotebookswg/jupyter-scipy", tag: "v1.8.0" }],
    ])("parses %s", (text, parts) => {
        expect(parseImageReference(text)).toEqual({ text, ...parts });
    });

    it.each(["", "Nginx:1.0", "http://gcr.io/x:1", "/usr/bin/x:1", "app:", "app@sha256:short", "a//b:1", "-app:1"])("refuses %j", (text) => {
        expect(parseImageReference(text)).toBeUndefined();
    });

    it("lists each image an object refers to once, where it is first found", () => {
        const props = {
            spec: {
                containers: [
                    { name: "a", image: "x/app:1.0" },
                    { name: "b", image: "x/app:1.0", args: ["x/app:1.0"] },
                ],
            },
        };
        expect(imageReferencesIn("Pod", props)).toEqual([{ image: "x/app:1.0", where: 'spec.containers[name="a"].image' }]);
    });
});
