import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { FORBIDDEN_VERSIONS, clusterAutoscalerProblems, objectStoreProblems, loadBom } from "../components/bom/load";
import type { KubernetesObject } from "../core/objects";
import { type Container, podTemplates } from "../core/pod-templates";
import { fixturesDirectory, skipWithoutFixtures } from "./requirements";
import { type BomComponent, type ContainerResources, componentFiles, runtimeImagesOf } from "../components/bom/schema";

// The rendered manifests (the read-only fixtures) live outside the repository.
const skipFixtures = skipWithoutFixtures("the bill of materials' checks against the rendered manifests");

const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

interface RenderedContainer {
    /** `<namespace>/<Kind>/<name>/<container>`, the key of `resources.containers`. */
    key: string;
    container: Container;
}

const rendered = new Map<string, { files: { file: string; sha256: string; actual: string }[]; containers: RenderedContainer[] }>();

/** Each file of a component with its pinned and actual sha256, and every container/initContainer of its workloads. */
function render(component: BomComponent): { files: { file: string; sha256: string; actual: string }[]; containers: RenderedContainer[] } {
    const cached = rendered.get(component.name);
    if (cached) return cached;
    const files = componentFiles(component).map(({ file, sha256 }) => ({ file, sha256, bytes: readFileSync(join(fixturesDirectory(), file)) }));
    const documents = files.filter(({ file }) => /\.ya?ml$/.test(file)).flatMap(({ bytes }) => parseAllDocuments(bytes.toString("utf8")));
    expect(documents.flatMap((document) => document.errors.map((error) => error.message))).toEqual([]);
    const containers = documents
        .map((document) => document.toJS() as KubernetesObject | null)
        .filter((object): object is KubernetesObject => object !== null && WORKLOAD_KINDS.has(object.kind))
        .flatMap((object) =>
            podTemplates(object).flatMap((template) =>
                [...template.spec.containers, ...(template.spec.initContainers ?? [])].map((container) => ({
                    key: `${object.metadata.namespace ?? ""}/${object.kind}/${object.metadata.name}/${container.name}`,
                    container,
                })),
            ),
        );
    const result = { files: files.map(({ file, sha256, bytes }) => ({ file, sha256, actual: createHash("sha256").update(bytes).digest("hex") })), containers };
    rendered.set(component.name, result);
    return result;
}

const SUFFIXES: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity as a number (cores or bytes). */
function quantity(value: string | number): number {
    const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value));
    const multiplier = match ? (match[2] === "" ? 1 : SUFFIXES[match[2]!]) : undefined;
    if (!match || multiplier === undefined) throw new Error(`not a Kubernetes quantity: ${value}`);
    return Number(match[1]) * multiplier;
}

const UPSTREAM_ORDER = [
    "cert-manager",
    "kubeflow-issuer",
    "istio-crds",
    "istio-namespace",
    "istio-install",
    "oidc-authservice",
    "dex",
    "knative-serving",
    "knative-eventing",
    "cluster-local-gateway",
    "kubeflow-namespace",
    "kubeflow-roles",
    "kubeflow-istio-resources",
    "pipelines",
    "katib",
    "centraldashboard",
    "admission-webhook",
    "jupyter-web-app",
    "notebook-controller",
    "profiles-kfam",
    "pvcviewer-controller",
    "volumes-web-app",
    "tensorboard-controller",
    "tensorboards-web-app",
    "training-operator",
    "user-namespace",
    "kserve",
    "models-web-app",
];

const bom = loadBom("kubeflow-1.8.1");

describe("loadBom", () => {
    it("loads the 28 components of the kubeflow/manifests v1.8.1 example, in upstream order, then the monitoring layer", () => {
        expect(bom.release).toBe("kubeflow-1.8.1");
        expect(bom.components.filter((component) => component.layer === "kubeflow").map((component) => component.name)).toEqual(UPSTREAM_ORDER);
        expect(bom.components.filter((component) => component.layer === "monitoring").map(({ name, version, when }) => ({ name, version, when }))).toEqual([
            { name: "prometheus-operator-crds", version: "v0.16.0", when: undefined },
            { name: "kube-prometheus", version: "v0.16.0", when: undefined },
            { name: "nvidia-device-plugin", version: "v0.20.0", when: "devicePlugin" },
            { name: "dcgm-exporter", version: "4.8.2", when: "gpuNodes" },
        ]);
    });

    it("pins every source to a tag and its full commit", () => {
        expect(bom.sources).toEqual({
            "kubeflow-manifests": { repository: "https://github.com/kubeflow/manifests", tag: "v1.8.1", commit: "a925b2968e68f3085092adc04e9af39d4f5045f3" },
            "training-operator": {
                repository: "https://github.com/kubeflow/training-operator",
                tag: "v1.8.0",
                commit: "f8687ca7fd947e6ebd52dde4dfeefdf006e7b239",
            },
            pipelines: { repository: "https://github.com/kubeflow/pipelines", tag: "2.0.5", commit: "c5658f09ec38e82730a8eca0a1aabf0876087eec" },
            "kube-prometheus": {
                repository: "https://github.com/prometheus-operator/kube-prometheus",
                tag: "v0.16.0",
                commit: "7cf9c66d984c5f332e9ee22d03a7b09949dc8b20",
            },
            "nvidia-device-plugin": {
                repository: "https://github.com/NVIDIA/k8s-device-plugin",
                tag: "v0.20.0",
                commit: "1b826acc6af3079d8923bac395c3124b8861a9a6",
            },
            "dcgm-exporter": { repository: "https://github.com/NVIDIA/dcgm-exporter", tag: "4.5.3-4.8.2", commit: "691c92762eb551313c825f6efe4ceeee20982801" },
            minio: {
                repository: "https://github.com/minio/minio",
                tag: "RELEASE.2025-09-07T16-13-09Z",
                commit: "07c3a429bfed433e49018cb0f78a52145d4bedeb",
            },
            mc: { repository: "https://github.com/minio/mc", tag: "RELEASE.2025-08-13T08-35-41Z", commit: "7394ce0dd2a80935aded936b09fa12cbb3cb8096" },
            "cluster-autoscaler-1.33": {
                repository: "https://github.com/kubernetes/autoscaler",
                tag: "cluster-autoscaler-1.33.6",
                commit: "be4b5a18814a53539d0fe6299c92839152cae54c",
            },
        });
    });

    it("pins the cluster-autoscaler of Kubernetes 1.33 to its latest patch, image and source the same release, sized as upstream's AWS example", () => {
        expect(bom.clusterAutoscaler).toEqual({
            releases: { "1.33": { source: "cluster-autoscaler-1.33", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6" } },
            resources: { cpuRequest: "100m", memoryRequest: "600Mi", memoryLimit: "600Mi" },
        });
        expect(clusterAutoscalerProblems(bom, "kubeflow-1.8.1.yaml")).toEqual([]);
    });

    it("rejects a cluster-autoscaler listed under another Kubernetes minor than its own", () => {
        const release = { source: "cluster-autoscaler-1.33", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6" };
        expect(clusterAutoscalerProblems({ ...bom, clusterAutoscaler: { ...bom.clusterAutoscaler, releases: { "1.34": release } } }, "bom.yaml")).toEqual([
            'bom.yaml: clusterAutoscaler.releases["1.34"]: the image registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6 must be tagged v1.34.<patch>: the autoscaler supports only its own Kubernetes minor',
        ]);
    });

    it("rejects a cluster-autoscaler image of another release than its source, or an unknown source", () => {
        const releases = {
            "1.33": { source: "cluster-autoscaler-1.33", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.5" },
            "1.32": { source: "cluster-autoscaler-1.32", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.4" },
        };
        expect(clusterAutoscalerProblems({ ...bom, clusterAutoscaler: { ...bom.clusterAutoscaler, releases } }, "bom.yaml")).toEqual([
            'bom.yaml: clusterAutoscaler.releases["1.33"]: the image is v1.33.5, but source "cluster-autoscaler-1.33" is tag cluster-autoscaler-1.33.6; pin both to the same release',
            'bom.yaml: clusterAutoscaler.releases["1.32"]: source "cluster-autoscaler-1.32" is not one of kubeflow-manifests, training-operator, pipelines, kube-prometheus, nvidia-device-plugin, dcgm-exporter, minio, mc, cluster-autoscaler-1.33',
        ]);
    });

    it("pins a MinIO with IAM users and policies in place of the render's, and the mc that makes them, each image tagged as its source, with a memory limit", () => {
        expect(bom.objectStore).toEqual({
            minio: {
                source: "minio",
                image: "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z",
                resources: { cpuRequest: "20m", memoryRequest: "100Mi", memoryLimit: "1Gi" },
                replaces: "gcr.io/ml-pipeline/minio:RELEASE.2019-08-14T20-37-41Z-license-compliance",
            },
            mc: {
                source: "mc",
                image: "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z",
                resources: { cpuRequest: "10m", memoryRequest: "32Mi", memoryLimit: "128Mi" },
            },
        });
        expect(objectStoreProblems(bom, "kubeflow-1.8.1.yaml")).toEqual([]);
    });

    it("rejects an object-store image of another release than its source, or an unknown source", () => {
        const objectStore = {
            minio: { ...bom.objectStore.minio, image: "quay.io/minio/minio:RELEASE.2024-01-01T00-00-00Z" },
            mc: { ...bom.objectStore.mc, source: "minio-client" },
        };
        expect(objectStoreProblems({ ...bom, objectStore }, "bom.yaml")).toEqual([
            'bom.yaml: objectStore.minio: the image is tagged RELEASE.2024-01-01T00-00-00Z, but source "minio" is tag RELEASE.2025-09-07T16-13-09Z; pin both to the same release',
            'bom.yaml: objectStore.mc: source "minio-client" is not one of kubeflow-manifests, training-operator, pipelines, kube-prometheus, nvidia-device-plugin, dcgm-exporter, minio, mc, cluster-autoscaler-1.33',
        ]);
    });

    it("keeps kube-prometheus's 95 upstream files, and dcgm-exporter's counters file from etc/", () => {
        const files = (name: string) => componentFiles(bom.components.find((component) => component.name === name)!);
        expect(files("prometheus-operator-crds").length + files("kube-prometheus").length).toBe(95);
        expect(files("dcgm-exporter").map(({ file, from }) => ({ file, from }))).toEqual([
            { file: "dcgm-exporter-4.5.3-4.8.2/dcgm-exporter.yaml", from: "dcgm-exporter.yaml" },
            { file: "dcgm-exporter-4.5.3-4.8.2/service-monitor.yaml", from: "service-monitor.yaml" },
            { file: "dcgm-exporter-4.5.3-4.8.2/default-counters.csv", from: "etc/default-counters.csv" },
        ]);
    });

    it("supports Kubernetes 1.25 to 1.26, and records that upstream also tested 1.27", () => {
        expect(bom.kubernetes).toEqual({
            min: "1.25",
            max: "1.26",
            tested: ["1.27"],
            source: 'https://github.com/kubeflow/manifests/blob/v1.8.1/README.md: Kubernetes up to 1.26; CI on kind 1.27 (tag commit a925b29 "Update to Kind 1.27"); min 1.25 = Knative 1.10',
        });
    });

    it("takes exactly one training operator, v1.8.0 from its own repository, instead of the bundled v1.7.0", () => {
        const trainingOperators = bom.components.filter((component) => component.name === "training-operator" || component.source === "training-operator");
        expect(trainingOperators.map(({ name, version, source, path, file, images }) => ({ name, version, source, path, file, images }))).toEqual([
            {
                name: "training-operator",
                version: "v1.8.0",
                source: "training-operator",
                path: "manifests/overlays/kubeflow",
                file: "training-operator-v1.8.0/kubeflow.yaml",
                images: ["kubeflow/training-operator:v1-9e52eb7"],
            },
        ]);
    });

    it("never uses Training Operator 1.9", () => {
        const forbidden = FORBIDDEN_VERSIONS.find((entry) => entry.component === "training-operator")!;
        const trainingOperatorVersions = bom.components.filter((component) => component.name === "training-operator").map((component) => component.version);
        expect(trainingOperatorVersions.filter((version) => /^v?1\.9\./.test(version) || forbidden.pattern.test(version))).toEqual([]);
    });

    it("renders user-namespace but skips installing it, and installs every other component", () => {
        expect(bom.components.filter((component) => component.skip !== undefined).map(({ name, skip }) => ({ name, skip }))).toEqual([
            {
                name: "user-namespace",
                skip: "kfstack drops the example profile and namespace for user@example.com; tenants come from the stack configuration.",
            },
        ]);
    });

    it("takes KServe from the release's contrib kustomization", () => {
        const kserve = bom.components.find((component) => component.name === "kserve");
        expect(kserve && { version: kserve.version, source: kserve.source, path: kserve.path, file: kserve.file }).toEqual({
            version: "v0.11.2",
            source: "kubeflow-manifests",
            path: "contrib/kserve/kserve",
            file: "kserve-0.11.2/kserve.yaml",
        });
    });

    it("never sets a memory limit below the memory request it sets", () => {
        const inverted = bom.components.flatMap((component) =>
            Object.entries({ default: component.resources.default, ...component.resources.containers })
                .filter(([, resources]) => quantity(resources.memoryLimit) < quantity(resources.memoryRequest))
                .map(([key]) => `${component.name}: ${key}`),
        );
        expect(inverted).toEqual([]);
    });

    it("names the known releases when asked for an unknown one", () => {
        expect(() => loadBom("kubeflow-9.9.9")).toThrow('There is no bill of materials "kubeflow-9.9.9"; known releases: kubeflow-1.8.1.');
    });

    it("loads a release once per process and freezes it, so no caller can change what the next one reads", () => {
        expect(loadBom("kubeflow-1.8.1")).toBe(bom);
        expect(Object.isFrozen(bom.components[0]!.images)).toBe(true);
        expect(() => (bom.components as unknown[]).pop()).toThrow(TypeError);
        expect(bom.components).toHaveLength(UPSTREAM_ORDER.length + 4);
    });

    it("lists runtime images by tag or digest, each with where kfstack's objects name it and the upstream file it comes from", () => {
        const pipelines = bom.components.find(({ name }) => name === "pipelines")!;
        expect(pipelines.runtimeImages.find(({ image }) => image.includes("kfp-driver"))).toEqual({
            image: "gcr.io/ml-pipeline/kfp-driver@sha256:8e60086b04d92b657898a310ca9757631d58547e76bbbb8bfc376d654bef1707",
            use: "the driver step of every task of a v2 pipeline run (the Argo workflow the API server compiles)",
            via: { kind: "env", object: "Deployment kubeflow/ml-pipeline", container: "ml-pipeline-api-server", name: "V2_DRIVER_IMAGE" },
            source: { from: "pipelines", file: "backend/src/v2/compiler/argocompiler/container.go" },
            compiledIn: true,
        });
        expect(runtimeImagesOf(bom.components)).toContain("docker.io/kserve/alibi-explainer:latest");
    });

    it("rejects a runtime image that is not pinned, has no known source, is listed twice, or is compiled in without an env var or a flag, naming the key", () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-bom-"));
        const bomFile = (text: string) => {
            writeFileSync(join(directory, "kubeflow-1.8.1.yaml"), text);
            return () => loadBom("kubeflow-1.8.1", directory);
        };
        try {
            const original = readFileSync(join(__dirname, "../components/bom/kubeflow-1.8.1.yaml"), "utf8");
            const driver = "gcr.io/ml-pipeline/kfp-driver@sha256:8e60086b04d92b657898a310ca9757631d58547e76bbbb8bfc376d654bef1707";
            const index = bom.components.findIndex(({ name }) => name === "pipelines");
            expect(bomFile(original.replace(driver, "gcr.io/ml-pipeline/kfp-driver"))).toThrow(
                `components.${index}.runtimeImages.0.image: must be pinned by a tag or a digest`,
            );
            expect(
                bomFile(original.replace("{kind: env, object: Deployment kubeflow/ml-pipeline,", "{kind: envFrom, object: Deployment kubeflow/ml-pipeline,")),
            ).toThrow(`components.${index}.runtimeImages.0.via.kind:`);
            const cacheImage = "{kind: configMapKey, object: ConfigMap kubeflow/pipeline-install-config, key: cacheImage}";
            expect(bomFile(original.replace(cacheImage, `${cacheImage}\n        compiledIn: true`))).toThrow(
                `components.${index}.runtimeImages.3.via.kind: a compiled-in image is written through an env var or a flag (via.kind env or arg)`,
            );
            expect(bomFile(original.replace("source: {from: pipelines,", "source: {from: kubeflow-pipelines,"))).toThrow(
                `components[${index}] (pipelines): runtimeImages[0] (${driver}): source.from "kubeflow-pipelines" is not one of`,
            );
            const launcher = driver.replace(
                "kfp-driver@sha256:8e60086b04d92b657898a310ca9757631d58547e76bbbb8bfc376d654bef1707",
                "kfp-launcher@sha256:80cf120abd125db84fa547640fd6386c4b2a26936e0c2b04a7d3634991a850a4",
            );
            expect(bomFile(original.replace(`image: ${launcher}`, `image: ${driver}`))).toThrow(
                `components[${index}] (pipelines): runtimeImages[1] (${driver}): the image is listed twice`,
            );
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });

    it("reads a release again when its file changes, and validates the new bytes", () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-bom-"));
        try {
            const file = join(directory, "kubeflow-1.8.1.yaml");
            const original = readFileSync(join(__dirname, "../components/bom/kubeflow-1.8.1.yaml"), "utf8");
            writeFileSync(file, original);
            const first = loadBom("kubeflow-1.8.1", directory);
            expect(loadBom("kubeflow-1.8.1", directory)).toBe(first);
            writeFileSync(file, original.replace(/^release: .*$/m, "release: kubeflow-1.8.2"));
            expect(loadBom("kubeflow-1.8.1", directory).release).toBe("kubeflow-1.8.2");
            writeFileSync(file, `${original}\nunknownKey: 1\n`);
            expect(() => loadBom("kubeflow-1.8.1", directory)).toThrow(`${file} is not a valid bill of materials:`);
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });
});

describe.skipIf(skipFixtures)("the kubeflow-1.8.1 bill of materials against the rendered manifests", () => {
    it.each(bom.components.map((component) => [component.name, component] as const))(
        "pins %s to the sha256 and images of its rendered file",
        (_name, component) => {
            const { files, containers } = render(component);
            expect(files.map(({ file, actual }) => ({ file, sha256: actual }))).toEqual(files.map(({ file, sha256 }) => ({ file, sha256 })));
            const images = [...new Set(containers.map(({ container }) => container.image).filter((image): image is string => image !== undefined))].sort();
            expect(images).toEqual(component.images);
        },
    );

    it.each(bom.components.map((component) => [component.name, component] as const))(
        "sizes only containers that exist in %s, agreeing with upstream and never limiting below an upstream request",
        (_name, component) => {
            const { containers } = render(component);
            const keys = new Set(containers.map(({ key }) => key));
            expect(Object.keys(component.resources.containers).filter((key) => !keys.has(key))).toEqual([]);

            const problems = containers.flatMap(({ key, container }) => {
                const override = component.resources.containers[key];
                const ours: ContainerResources = override ?? component.resources.default;
                const requests = container.resources?.requests ?? {};
                const limits = container.resources?.limits ?? {};
                const found: string[] = [];
                // An override restates what upstream already sets; kfstack only fills gaps.
                if (override && requests.cpu !== undefined && quantity(requests.cpu) !== quantity(override.cpuRequest))
                    found.push(`${key}: cpuRequest ${override.cpuRequest}, upstream ${requests.cpu}`);
                if (override && requests.memory !== undefined && quantity(requests.memory) !== quantity(override.memoryRequest))
                    found.push(`${key}: memoryRequest ${override.memoryRequest}, upstream ${requests.memory}`);
                if (override && !override.raisesUpstreamLimit && limits.memory !== undefined && quantity(limits.memory) !== quantity(override.memoryLimit))
                    found.push(`${key}: memoryLimit ${override.memoryLimit}, upstream ${limits.memory}`);
                // A raised limit must raise something: above what upstream sets.
                if (override?.raisesUpstreamLimit && (limits.memory === undefined || quantity(override.memoryLimit) <= quantity(limits.memory)))
                    found.push(`${key}: raisesUpstreamLimit, but ${override.memoryLimit} is not above upstream's ${limits.memory ?? "unset"} limit`);
                // What actually runs: upstream's value where it sets one (unless raised), ours otherwise.
                const memoryRequest = requests.memory ?? ours.memoryRequest;
                const memoryLimit = override?.raisesUpstreamLimit ? ours.memoryLimit : (limits.memory ?? ours.memoryLimit);
                const cpuRequest = requests.cpu ?? ours.cpuRequest;
                if (quantity(memoryLimit) < quantity(memoryRequest)) found.push(`${key}: memory limit ${memoryLimit} is below the request ${memoryRequest}`);
                if (limits.cpu !== undefined && quantity(cpuRequest) > quantity(limits.cpu))
                    found.push(`${key}: cpu request ${cpuRequest} is above the limit ${limits.cpu}`);
                return found;
            });
            expect(problems).toEqual([]);
        },
    );
});
