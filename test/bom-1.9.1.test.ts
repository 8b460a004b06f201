// The kubeflow-1.9.1 bill of materials: what it pins, what changed from 1.8.1, and its files and images against
// kubeflow-v1.9.1/MANIFEST.md (test/bom.test.ts checks both releases against the rendered files themselves).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORBIDDEN_VERSIONS, loadBom } from "../components/bom/load";
import { listedImages, listedSha256s } from "./manifest-reference";
import { skipWithoutFixtures } from "./requirements";

const skipFixtures = skipWithoutFixtures("the kubeflow-1.9.1 bill of materials' checks against MANIFEST.md");
const bom = loadBom("kubeflow-1.8.1");

const UPSTREAM_ORDER_1_9_1 = [
    "cert-manager",
    "kubeflow-issuer",
    "istio-crds",
    "istio-namespace",
    "istio-install",
    "oauth2-proxy",
    "dex",
    "knative-serving",
    "cluster-local-gateway",
    "kubeflow-namespace",
    "networkpolicies",
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

describe("the kubeflow-1.9.1 bill of materials", () => {
    const next = loadBom("kubeflow-1.9.1");
    const named = (name: string) => next.components.find((component) => component.name === name)!;

    it("loads the 28 components of the kubeflow/manifests v1.9.1 example, in upstream order, then the same monitoring layer as 1.8.1", () => {
        expect(next.release).toBe("kubeflow-1.9.1");
        expect(next.components.filter((component) => component.layer === "kubeflow").map((component) => component.name)).toEqual(UPSTREAM_ORDER_1_9_1);
        expect(next.components.filter((component) => component.layer === "monitoring")).toEqual(
            bom.components.filter((component) => component.layer === "monitoring"),
        );
        expect(next.components.filter((component) => component.layer === "kubeflow").every((component) => component.file?.startsWith("kubeflow-v1.9.1/"))).toBe(
            true,
        );
    });

    it("pins kubeflow/manifests, the Training Operator and Pipelines to the tags the release ships, and every other source, the object store, the backup and the autoscaler as 1.8.1 does", () => {
        const { "kubeflow-manifests": manifests, "training-operator": trainingOperator, pipelines, ...others } = next.sources;
        expect({ manifests, trainingOperator, pipelines }).toEqual({
            manifests: { repository: "https://github.com/kubeflow/manifests", tag: "v1.9.1", commit: "b68bb751c3e067f4a23bad6b9b2c6720645bf266" },
            // Only the images they compile in come from these two; the manifests are kubeflow/manifests'.
            trainingOperator: {
                repository: "https://github.com/kubeflow/training-operator",
                tag: "v1.8.1",
                commit: "0f8735faade3651dfe44e45c6fbc30fa9152641d",
            },
            pipelines: { repository: "https://github.com/kubeflow/pipelines", tag: "2.3.0", commit: "4467df5f9c8242d389f20214f75fecfc4119e8cd" },
        });
        const { "kubeflow-manifests": _current, "training-operator": _replaced, pipelines: _pipelines, ...currentOthers } = bom.sources;
        expect(others).toEqual(currentOthers);
        expect({ objectStore: next.objectStore, backup: next.backup, clusterAutoscaler: next.clusterAutoscaler }).toEqual({
            objectStore: bom.objectStore,
            backup: bom.backup,
            clusterAutoscaler: bom.clusterAutoscaler,
        });
    });

    it("supports Kubernetes 1.29 (the README's floor) to 1.30 (Istio 1.22's ceiling), and records that upstream CI ran 1.31", () => {
        expect(next.kubernetes).toMatchObject({ min: "1.29", max: "1.30", tested: ["1.31"] });
        expect(named("istio-install").kubernetes).toMatchObject({ min: "1.27", max: "1.30" });
    });

    it("takes the Training Operator the release ships, v1.8.1 (not 1.9), and KServe v0.13.1 as rendered", () => {
        expect(next.components.filter((component) => component.name === "training-operator" || component.source === "training-operator")).toHaveLength(1);
        expect(named("training-operator")).toMatchObject({
            version: "v1.8.1",
            source: "kubeflow-manifests",
            file: "kubeflow-v1.9.1/25-training-operator.yaml",
            images: ["kubeflow/training-operator:v1-04f9f13"],
        });
        expect(
            FORBIDDEN_VERSIONS.some((forbidden) => forbidden.component === "training-operator" && forbidden.pattern.test(named("training-operator").version)),
        ).toBe(false);
        expect(named("kserve")).toMatchObject({ version: "v0.13.1", path: "contrib/kserve/kserve", file: "kubeflow-v1.9.1/27-kserve.yaml" });
    });

    it("replaces oidc-authservice by oauth2-proxy, saying so, and no longer has Knative Eventing", () => {
        const names = new Set(next.components.map((component) => component.name));
        expect(["oidc-authservice", "knative-eventing"].filter((name) => names.has(name))).toEqual([]);
        expect(next.components.filter((component) => component.replaces).map(({ name, replaces }) => ({ name, replaces }))).toEqual([
            { name: "oauth2-proxy", replaces: ["oidc-authservice"] },
        ]);
        expect(named("oauth2-proxy")).toMatchObject({
            version: "v7.6.0",
            path: "common/oauth2-proxy/overlays/m2m-dex-only",
            images: ["quay.io/oauth2-proxy/oauth2-proxy:v7.6.0"],
        });
    });

    it("refuses a Training Operator 1.9 in this release too", () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-bom-"));
        try {
            const original = readFileSync(join(__dirname, "../components/bom/kubeflow-1.9.1.yaml"), "utf8");
            writeFileSync(
                join(directory, "kubeflow-1.9.1.yaml"),
                original.replace("  - name: training-operator\n    version: v1.8.1", "  - name: training-operator\n    version: v1.9.0"),
            );
            expect(() => loadBom("kubeflow-1.9.1", directory)).toThrow(
                "(training-operator): version v1.9.0 is forbidden: Training Operator 1.9 broke distributed training",
            );
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });

    it("refuses a component that replaces one the release still has", () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-bom-"));
        try {
            const original = readFileSync(join(__dirname, "../components/bom/kubeflow-1.9.1.yaml"), "utf8");
            writeFileSync(join(directory, "kubeflow-1.9.1.yaml"), original.replace("replaces: [oidc-authservice]", "replaces: [dex]"));
            expect(() => loadBom("kubeflow-1.9.1", directory)).toThrow("(oauth2-proxy): replaces dex, which this release still has");
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });

    describe.skipIf(skipFixtures)("against kubeflow-v1.9.1/MANIFEST.md", () => {
        const sha256s = skipFixtures ? new Map<string, string>() : listedSha256s("kubeflow-v1.9.1");
        it.each(next.components.filter((component) => component.layer === "kubeflow").map((component) => [component.name, component] as const))(
            "pins %s to the sha256 and container images MANIFEST.md records for its file",
            (_name, component) => {
                const file = component.file!.slice("kubeflow-v1.9.1/".length);
                expect(component.sha256).toBe(sha256s.get(file));
                expect(component.images).toEqual(listedImages("kubeflow-v1.9.1", file, "Container images"));
            },
        );
    });
});
