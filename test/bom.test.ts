import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type BomComponent, type ContainerResources, FORBIDDEN_VERSIONS, loadBom } from "../components/bom";
import type { KubernetesObject } from "../components/kubeflow/objects";
import { type Container, podTemplates } from "../policies/lib/pod-templates";

// The rendered manifests (the read-only fixtures) live outside the repository.
const MANIFESTS_DIR = process.env.KFSTACK_MANIFESTS_DIR;
const REQUIRE_TOOLS = process.env.KFSTACK_REQUIRE_TOOLS === "1";
const skipFixtures = !MANIFESTS_DIR && !REQUIRE_TOOLS;
if (skipFixtures) {
    console.warn("test/bom.test.ts: KFSTACK_MANIFESTS_DIR is not set; skipping the checks against the rendered manifests (set KFSTACK_REQUIRE_TOOLS=1 to fail instead).");
}

function manifestsDir(): string {
    if (!MANIFESTS_DIR) throw new Error("KFSTACK_MANIFESTS_DIR is required (KFSTACK_REQUIRE_TOOLS=1): set it to the rendered manifests directory, e.g. /work/shared/fixtures.");
    if (!existsSync(MANIFESTS_DIR)) throw new Error(`KFSTACK_MANIFESTS_DIR=${MANIFESTS_DIR} does not exist.`);
    return MANIFESTS_DIR;
}

const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

interface RenderedContainer {
    /** `<namespace>/<Kind>/<name>/<container>`, the key of `resources.containers`. */
    key: string;
    container: Container;
}

const rendered = new Map<string, { bytes: Buffer; containers: RenderedContainer[] }>();

/** The bytes of a component's rendered file and every container/initContainer of its workloads. */
function render(component: BomComponent): { bytes: Buffer; containers: RenderedContainer[] } {
    const cached = rendered.get(component.file);
    if (cached) return cached;
    const bytes = readFileSync(join(manifestsDir(), component.file));
    const documents = parseAllDocuments(bytes.toString("utf8"));
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
    const result = { bytes, containers };
    rendered.set(component.file, result);
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
    it("loads the 28 components of the kubeflow/manifests v1.8.1 example, in upstream order", () => {
        expect(bom.release).toBe("kubeflow-1.8.1");
        expect(bom.components.map((component) => component.name)).toEqual(UPSTREAM_ORDER);
    });

    it("pins both sources to a tag and its full commit", () => {
        expect(bom.sources).toEqual({
            "kubeflow-manifests": { repository: "https://github.com/kubeflow/manifests", tag: "v1.8.1", commit: "a925b2968e68f3085092adc04e9af39d4f5045f3" },
            "training-operator": { repository: "https://github.com/kubeflow/training-operator", tag: "v1.8.0", commit: "f8687ca7fd947e6ebd52dde4dfeefdf006e7b239" },
        });
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
});

describe.skipIf(skipFixtures)("the kubeflow-1.8.1 bill of materials against the rendered manifests", () => {
    it.each(bom.components.map((component) => [component.name, component] as const))("pins %s to the sha256 and images of its rendered file", (_name, component) => {
        const { bytes, containers } = render(component);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(component.sha256);
        const images = [...new Set(containers.map(({ container }) => container.image).filter((image): image is string => image !== undefined))].sort();
        expect(images).toEqual(component.images);
    });

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
                if (override && requests.cpu !== undefined && quantity(requests.cpu) !== quantity(override.cpuRequest)) found.push(`${key}: cpuRequest ${override.cpuRequest}, upstream ${requests.cpu}`);
                if (override && requests.memory !== undefined && quantity(requests.memory) !== quantity(override.memoryRequest)) found.push(`${key}: memoryRequest ${override.memoryRequest}, upstream ${requests.memory}`);
                if (override && limits.memory !== undefined && quantity(limits.memory) !== quantity(override.memoryLimit)) found.push(`${key}: memoryLimit ${override.memoryLimit}, upstream ${limits.memory}`);
                // What actually runs: upstream's value where it sets one, ours otherwise.
                const memoryRequest = requests.memory ?? ours.memoryRequest;
                const memoryLimit = limits.memory ?? ours.memoryLimit;
                const cpuRequest = requests.cpu ?? ours.cpuRequest;
                if (quantity(memoryLimit) < quantity(memoryRequest)) found.push(`${key}: memory limit ${memoryLimit} is below the request ${memoryRequest}`);
                if (limits.cpu !== undefined && quantity(cpuRequest) > quantity(limits.cpu)) found.push(`${key}: cpu request ${cpuRequest} is above the limit ${limits.cpu}`);
                return found;
            });
            expect(problems).toEqual([]);
        },
    );
});
