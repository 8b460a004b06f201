// The image inventory and image-name normalization, on hand-made resources and
// on the prod plan checked against the image lists of the fixtures' MANIFEST.md.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type ImageInventory, type ResourceRecord, imageInventory } from "../../components/images/inventory";
import { plannedStack } from "../planned-stacks";
import { Secret, Unknown } from "../../engine/values";
import { fixturesDirectory } from "../requirements";
import { normalizeImage } from "../../core/image-references";
import { loadBom } from "../../components/bom/load";

const DIGEST = "sha256:dabaecec38860ca4c972e6821d5dc825549faf50c6feb8feb4c04802f2338b8a";

describe("normalizeImage", () => {
    it.each([
        ["busybox", { image: "docker.io/library/busybox", registry: "docker.io", path: "library/busybox" }],
        ["busybox:1.28", { image: "docker.io/library/busybox:1.28", registry: "docker.io", path: "library/busybox", tag: "1.28" }],
        [
            "kubeflow/training-operator:v1-9e52eb7",
            { image: "docker.io/kubeflow/training-operator:v1-9e52eb7", registry: "docker.io", path: "kubeflow/training-operator", tag: "v1-9e52eb7" },
        ],
        ["docker.io/library/python:3.7", { image: "docker.io/library/python:3.7", registry: "docker.io", path: "library/python", tag: "3.7" }],
        ["index.docker.io/nginx:1.27.3", { image: "docker.io/library/nginx:1.27.3", registry: "docker.io", path: "library/nginx", tag: "1.27.3" }],
        ["gcr.io/google-containers/busybox", { image: "gcr.io/google-containers/busybox", registry: "gcr.io", path: "google-containers/busybox" }],
        ["localhost:5000/app:1.0", { image: "localhost:5000/app:1.0", registry: "localhost:5000", path: "app", tag: "1.0" }],
        [
            `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}`,
            {
                image: `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}`,
                registry: "gcr.io",
                path: "knative-releases/knative.dev/serving/cmd/queue",
                digest: DIGEST,
            },
        ],
        [
            `nvcr.io/nvidia/tritonserver:23.05-py3@${DIGEST}`,
            { image: `nvcr.io/nvidia/tritonserver:23.05-py3@${DIGEST}`, registry: "nvcr.io", path: "nvidia/tritonserver", tag: "23.05-py3", digest: DIGEST },
        ],
    ])("normalizes %s", (text, expected) => {
        expect(normalizeImage(text)).toEqual(expected);
    });

    it("leaves an untagged image untagged instead of inventing latest", () => {
        expect(normalizeImage("kserve/alibi-explainer")).toEqual({
            image: "docker.io/kserve/alibi-explainer",
            registry: "docker.io",
            path: "kserve/alibi-explainer",
        });
    });

    it.each(["", "http://gcr.io/x:1", "/usr/bin/x:1", "Nginx:1.0", "app:"])("returns undefined for %j, which is no image reference", (text) => {
        expect(normalizeImage(text)).toBeUndefined();
    });
});

const record = (type: string, props: Record<string, unknown>, name = "resource"): ResourceRecord => ({
    type,
    name,
    urn: `urn:pulumi:test::kfstack::${type}::${name}`,
    props,
});

const deployment = (containers: Record<string, unknown>[], initContainers: Record<string, unknown>[] = []) =>
    record("kubernetes:apps/v1:Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ml-pipeline", namespace: "kubeflow" },
        spec: { template: { spec: { containers, initContainers } } },
    });

describe("imageInventory", () => {
    it("lists each normalized image once with every spelling and every resource that uses it", () => {
        const inventory = imageInventory([
            deployment(
                [{ name: "main", image: "python:3.7", args: ["--executor-image=gcr.io/ml-pipeline/argoexec:v3.3.10"] }],
                [{ name: "setup", image: "busybox:1.28" }],
            ),
            record("kubernetes:core/v1:ConfigMap", {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "settings", namespace: "kubeflow" },
                data: { DEFAULT_IMAGE: "docker.io/library/python:3.7", "config.yaml": "steps:\n  - image: docker.io/library/busybox:1.28\n" },
            }),
        ]);
        expect(inventory).toEqual({
            images: [
                {
                    image: "docker.io/library/busybox:1.28",
                    written: ["busybox:1.28", "docker.io/library/busybox:1.28"],
                    tag: "1.28",
                    usedBy: [
                        { resource: "ConfigMap kubeflow/settings", where: 'data["config.yaml"] line 2' },
                        { resource: "Deployment kubeflow/ml-pipeline", where: 'spec.template.spec.initContainers[name="setup"].image' },
                    ],
                },
                {
                    image: "docker.io/library/python:3.7",
                    written: ["docker.io/library/python:3.7", "python:3.7"],
                    tag: "3.7",
                    usedBy: [
                        { resource: "ConfigMap kubeflow/settings", where: "data.DEFAULT_IMAGE" },
                        { resource: "Deployment kubeflow/ml-pipeline", where: 'spec.template.spec.containers[name="main"].image' },
                    ],
                },
                {
                    image: "gcr.io/ml-pipeline/argoexec:v3.3.10",
                    written: ["gcr.io/ml-pipeline/argoexec:v3.3.10"],
                    tag: "v3.3.10",
                    usedBy: [{ resource: "Deployment kubeflow/ml-pipeline", where: 'spec.template.spec.containers[name="main"].args[0]' }],
                },
            ],
            summary: { images: 3, references: 5, untagged: 0, digestPinned: 0 },
        });
    });

    it("says when an image is untagged or pinned by digest, and counts both", () => {
        const inventory = imageInventory([
            record("kubernetes:core/v1:ConfigMap", {
                kind: "ConfigMap",
                metadata: { name: "pipeline-install-config", namespace: "kubeflow" },
                data: { cacheImage: "gcr.io/google-containers/busybox" },
            }),
            record("kubernetes:caching.internal.knative.dev/v1alpha1:Image", {
                kind: "Image",
                metadata: { name: "queue-proxy", namespace: "knative-serving" },
                spec: { image: `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}` },
            }),
        ]);
        expect(inventory.images.map(({ image, tag, digest }) => ({ image, tag, digest }))).toEqual([
            { image: "gcr.io/google-containers/busybox", tag: undefined, digest: undefined },
            { image: `gcr.io/knative-releases/knative.dev/serving/cmd/queue@${DIGEST}`, tag: undefined, digest: DIGEST },
        ]);
        expect(inventory.summary).toEqual({ images: 2, references: 2, untagged: 1, digestPinned: 1 });
    });

    it("names cluster-scoped resources without a namespace, and by the resource name when metadata has none", () => {
        const runtime = record("kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime", {
            kind: "ClusterServingRuntime",
            metadata: { name: "kserve-mlserver" },
            spec: { containers: [{ name: "kserve-container", image: "docker.io/seldonio/mlserver:1.3.2" }] },
        });
        const nameless = record(
            "kubernetes:core/v1:Pod",
            { kind: "Pod", spec: { containers: [{ name: "main", image: "docker.io/seldonio/mlserver:1.3.2" }] } },
            "debug-pod",
        );
        expect(imageInventory([runtime, nameless]).images[0]!.usedBy).toEqual([
            { resource: "ClusterServingRuntime kserve-mlserver", where: 'spec.containers[name="kserve-container"].image' },
            { resource: "Pod debug-pod", where: 'spec.containers[name="main"].image' },
        ]);
    });

    it("skips providers, non-Kubernetes resources, Secrets and CRDs", () => {
        const inventory = imageInventory([
            record("pulumi:providers:kubernetes", { kubeconfig: "image: docker.io/library/nginx:1.27.3" }),
            record("aws:ec2/launchTemplate:LaunchTemplate", { userData: "docker pull docker.io/library/nginx:1.27.3" }),
            record("kubernetes:core/v1:Secret", {
                kind: "Secret",
                metadata: { name: "registry", namespace: "kubeflow" },
                stringData: { image: "docker.io/library/nginx:1.27.3" },
            }),
            record("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", {
                kind: "CustomResourceDefinition",
                metadata: { name: "notebooks.kubeflow.org" },
                spec: { description: "image: docker.io/jupyter/base-notebook:2023-10-20" },
            }),
        ]);
        expect(inventory).toEqual({ images: [], summary: { images: 0, references: 0, untagged: 0, digestPinned: 0 } });
    });

    it("skips values a preview cannot know and reads secret values in place", () => {
        const inventory = imageInventory([
            deployment([
                { name: "unknown", image: Unknown.instance },
                { name: "secret", image: new Secret("registry.example.com/team/app:1.4.2") },
            ]),
        ]);
        expect(inventory.images).toEqual([
            {
                image: "registry.example.com/team/app:1.4.2",
                written: ["registry.example.com/team/app:1.4.2"],
                tag: "1.4.2",
                usedBy: [{ resource: "Deployment kubeflow/ml-pipeline", where: 'spec.template.spec.containers[name="secret"].image' }],
            },
        ]);
    });
});

// The image lists of MANIFEST.md: the code block (or table) under a heading like
// "Container images (52)" in the section of one rendered file.
function manifestSection(folder: string, file: string): string[] {
    const lines = readFileSync(join(fixturesDirectory(), folder, "MANIFEST.md"), "utf8").split("\n");
    const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.includes(`${file} `) && !line.includes("Summary"));
    if (start < 0) throw new Error(`${folder}/MANIFEST.md has no section for ${file}`);
    const end = lines.findIndex((line, index) => index > start && /^#{2,3} \S+\.yaml /.test(line));
    return lines.slice(start, end < 0 ? undefined : end);
}

function listedImages(folder: string, file: string, heading: string): string[] {
    const lines = manifestSection(folder, file);
    const at = lines.findIndex((line) => line.startsWith("####") && line.includes(` ${heading} (`));
    const count = Number(/\((\d+)\)$/.exec(lines[at] ?? "")?.[1]);
    if (at < 0 || Number.isNaN(count)) throw new Error(`${folder}/MANIFEST.md has no "${heading}" list for ${file}`);
    const next = lines.findIndex((line, index) => index > at && line.startsWith("####"));
    const body = lines.slice(at + 1, next);
    const block = body.indexOf("```text");
    const images =
        block >= 0
            ? body.slice(block + 1, body.indexOf("```", block + 1))
            : body.flatMap((line) => /^\| `([^`]+)` \|/.exec(line)?.[1] ?? []).filter((image, index, all) => all.indexOf(image) === index);
    expect(images, `${heading} of ${file}`).toHaveLength(count);
    return images;
}

const LISTS = ["Container images", "Images in custom-resource image fields", "Image references embedded in configuration"];
const imagesOf = (folder: string, file: string) => new Set(LISTS.flatMap((heading) => listedImages(folder, file, heading)));
const normalized = (images: Iterable<string>) => [...new Set([...images].map((image) => normalizeImage(image)!.image))].sort();

describe("imageInventory of the prod plan", () => {
    let inventory: ImageInventory;
    beforeAll(async () => {
        const plan = await plannedStack("prod");
        inventory = imageInventory(plan.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.inputs })));
    });

    /** Every image reference MANIFEST.md lists for the manifests as kfstack installs them, as written. */
    function expectedReferences(): Set<string> {
        const all = imagesOf("kubeflow-v1.8.1", "example.yaml");
        // MANIFEST.md: "distinct image refs, all three categories combined | 92".
        expect(all.size).toBe(92);
        const files = readFileSync(join(fixturesDirectory(), "kubeflow-v1.8.1", "MANIFEST.md"), "utf8")
            .match(/^### \d\d-[\w-]+\.yaml/gm)!
            .map((line) => line.slice(4));
        expect(files).toHaveLength(28);
        // kfstack's known changes to upstream's example/: the example profile (26-user-namespace.yaml) is dropped, and
        // Training Operator v1.7.0 (25-training-operator.yaml) is replaced by v1.8.0 from kubeflow/training-operator.
        const changedFiles = ["25-training-operator.yaml", "26-user-namespace.yaml"];
        const dropped = new Set(changedFiles.flatMap((file) => [...imagesOf("kubeflow-v1.8.1", file)]));
        const kept = new Set(files.filter((file) => !changedFiles.includes(file)).flatMap((file) => [...imagesOf("kubeflow-v1.8.1", file)]));
        // The per-file lists add up to the whole render's.
        expect(new Set([...kept, ...dropped])).toEqual(all);
        const added = imagesOf("training-operator-v1.8.0", "kubeflow.yaml");
        expect([...dropped].filter((image) => !kept.has(image))).toEqual(["kubeflow/training-operator:v1-855e096"]);
        expect([...added]).toEqual(["kubeflow/training-operator:v1-9e52eb7"]);
        // prod keeps its artifacts in S3 and its databases in RDS, so the bundled MinIO and MySQLs are not installed.
        const bundledStores = ["gcr.io/ml-pipeline/minio:RELEASE.2019-08-14T20-37-41Z-license-compliance", "gcr.io/ml-pipeline/mysql:8.0.26", "mysql:8.0.29"];
        expect(bundledStores.filter((image) => !kept.has(image))).toEqual([]);
        return new Set([...[...all].filter((image) => kept.has(image) && !bundledStores.includes(image)), ...added]);
    }

    /** The monitoring layer's references, from the MANIFEST.md of each upstream folder (prod has GPUs on EKS: all of them). */
    function monitoringReferences(): Set<string> {
        const kubePrometheus = imagesOf("kube-prometheus-v0.16.0", "(setup/ + manifests/)");
        // MANIFEST.md: "distinct image refs, all three categories combined | 11".
        expect(kubePrometheus.size).toBe(11);
        return new Set([
            ...kubePrometheus,
            ...imagesOf("nvidia-device-plugin-v0.20.0", "nvidia-device-plugin.yml"),
            ...imagesOf("dcgm-exporter-4.5.3-4.8.2", "dcgm-exporter.yaml"),
        ]);
    }

    it("holds every image reference MANIFEST.md lists, minus the replaced training operator and MinIO, plus their replacements, mc and the monitoring layer's", () => {
        const expected = new Set([...expectedReferences(), ...monitoringReferences()]);
        expect(expected.size).toBe(92 - 3 + 13);
        const inventoried = new Map(inventory.images.map((image) => [image.image, image]));
        const missing = [...expected].filter((image) => !inventoried.get(normalizeImage(image)!.image)?.written.includes(image));
        expect(missing).toEqual([]);
    });

    it("holds, besides them, the cluster-autoscaler the BOM pins for EKS 1.33 and the images it says upstream compiles in, exactly the untagged references MANIFEST.md lists as composed at run time", () => {
        const bom = loadBom("kubeflow-1.8.1");
        const autoscaler = bom.clusterAutoscaler.releases["1.33"]!.image;
        // The KFP v2 driver and launcher and the training operator's init containers, which kfstack writes on the API server and operator.
        const compiledIn = bom.components.flatMap((component) => component.runtimeImages.filter((runtime) => runtime.compiledIn).map(({ image }) => image));
        expect(compiledIn).toHaveLength(4);
        const expected = normalized([...expectedReferences(), ...monitoringReferences(), autoscaler, ...compiledIn]);
        const untaggedTable = listedImages("kubeflow-v1.8.1", "example.yaml", "Untagged / composed image references");
        expect(untaggedTable).toHaveLength(7);
        // Istio's hub "docker.io/istio" and image "proxyv2" are parts of one composed image, docker.io/istio/proxyv2:1.17.5,
        // which the container list already holds (the inventory composes it from the sidecar injector's values).
        const composedParts = ["docker.io/istio", "proxyv2"];
        const untagged = normalized(untaggedTable.filter((reference) => !composedParts.includes(reference)));
        expect(inventory.images.map((image) => image.image).filter((image) => !expected.includes(image))).toEqual(untagged);
        expect(inventory.images.filter((image) => image.tag === undefined && image.digest === undefined).map((image) => image.image)).toEqual(untagged);
        expect(inventory.summary).toEqual({
            images: expected.length + untagged.length,
            // One use per image per resource: 102 of Kubeflow on prod (4 compiled in), 16 of monitoring (kube-rbac-proxy in 4 workloads),
            // the autoscaler's. Istio's proxy image is also the exact image tenants' pod security admits istio-init from.
            references: 120,
            untagged: untagged.length,
            digestPinned: expected.filter((image) => image.includes("@sha256:")).length,
        });
        expect(inventory.summary).toEqual({ images: 112, references: 120, untagged: 5, digestPinned: 15 });
    });

    it("records the resources that use an image: Istio's proxy in its injector, both gateways (composed references) and tenants' pod security, the training operator in its Deployment", () => {
        const usedBy = (image: string) => inventory.images.find((entry) => entry.image === image)?.usedBy;
        expect(usedBy("docker.io/istio/proxyv2:1.17.5")).toEqual([
            { resource: "ConfigMap istio-system/istio-sidecar-injector", where: "data.values.global.proxy.image" },
            { resource: "Deployment istio-system/cluster-local-gateway", where: 'spec.template.spec.containers[name="istio-proxy"].image' },
            { resource: "Deployment istio-system/istio-ingressgateway", where: 'spec.template.spec.containers[name="istio-proxy"].image' },
            { resource: "ValidatingAdmissionPolicy kfstack-tenant-pod-security", where: "spec.validations[8].expression" },
        ]);
        expect(usedBy("docker.io/kubeflow/training-operator:v1-9e52eb7")).toEqual([
            { resource: "Deployment kubeflow/training-operator", where: 'spec.template.spec.containers[name="training-operator"].image' },
        ]);
        expect(usedBy("docker.io/kubeflow/training-operator:v1-855e096")).toBeUndefined();
    });
});
