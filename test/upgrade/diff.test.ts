// The upgrade preview's core on small synthetic plans: each category, and each
// blocking reason with a compliant and a failing case.
import { describe, expect, it } from "vitest";
import { immutableFieldsChanged } from "../../core/immutable-fields";
import type { KubernetesObject } from "../../core/objects";
import { type ReleaseSide, type UpgradeInput, upgradeDiff } from "../../engine/upgrade/diff";
import { changedPaths } from "../../engine/upgrade/object-diff";

function deployment(image = "docker.io/kubeflow/app:v1", labels: Record<string, string> = { app: "web" }): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "kubeflow" },
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    containers: [
                        { name: "sidecar", image: "docker.io/istio/proxyv2:1.17.5" },
                        { name: "web", image },
                    ],
                },
            },
        },
    };
}

function statefulSet(storageClassName = "gp3", image = "docker.io/library/mysql:8.0.29"): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "db", namespace: "kubeflow" },
        spec: {
            serviceName: "db",
            selector: { matchLabels: { app: "db" } },
            template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "mysql", image }] } },
            volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storageClassName, resources: { requests: { storage: "20Gi" } } } }],
        },
    };
}

function claim(spec: Record<string, unknown>): KubernetesObject {
    return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "minio-pvc", namespace: "kubeflow" }, spec };
}

function crd(versions: { name: string; storage: boolean }[], name = "experiments.kubeflow.org"): KubernetesObject {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name },
        spec: {
            group: "kubeflow.org",
            scope: "Namespaced",
            names: { kind: "Experiment", plural: "experiments" },
            versions: versions.map((v) => ({ ...v, served: true })),
        },
    };
}

type Component = ReleaseSide["components"][number];

function side(release: string, objects: KubernetesObject[], components: Component[] = [], images: string[] = []): ReleaseSide {
    return {
        release,
        kubernetes: release === "kubeflow-1.8.1" ? { min: "1.25", max: "1.26" } : { min: "1.29", max: "1.31" },
        windowsMissed: [],
        components,
        objects: objects.map((object) => ({ object, component: "app" })),
        images,
    };
}

function diff(before: KubernetesObject[], after: KubernetesObject[], overrides: Partial<UpgradeInput> = {}) {
    return upgradeDiff({
        stack: "prod",
        kubernetesVersion: "1.30",
        acknowledged: null,
        from: side("kubeflow-1.8.1", before),
        to: side("kubeflow-1.9.1", after),
        ...overrides,
    });
}

describe("upgradeDiff", () => {
    it("has exactly the keys of the JSON contract", () => {
        expect(Object.keys(diff([], []))).toEqual([
            "stack",
            "from",
            "to",
            "added",
            "removed",
            "changed",
            "replaced",
            "crds",
            "images",
            "kubernetes",
            "blocking",
        ]);
    });

    it("finds nothing between two identical plans", () => {
        const preview = diff([deployment(), statefulSet()], [deployment(), statefulSet()]);
        expect([preview.added, preview.removed, preview.changed, preview.replaced, preview.crds, preview.blocking]).toEqual([[], [], [], [], [], []]);
    });

    it("lists objects only the target plans as added and objects only the current plans as removed", () => {
        const preview = diff([deployment()], [claim({ accessModes: ["ReadWriteOnce"] })]);
        expect(preview.added.map((object) => object.id)).toEqual(["/PersistentVolumeClaim/kubeflow/minio-pvc"]);
        expect(preview.removed).toEqual([
            { id: "apps/Deployment/kubeflow/web", apiVersion: "apps/v1", kind: "Deployment", namespace: "kubeflow", name: "web", component: "app" },
        ]);
    });

    it("names a changed container field by the container's name, wherever the container moves in the list", () => {
        const preview = diff([deployment()], [deployment("docker.io/kubeflow/app:v2")]);
        expect(preview.changed).toEqual([
            {
                id: "apps/Deployment/kubeflow/web",
                apiVersion: "apps/v1",
                kind: "Deployment",
                namespace: "kubeflow",
                name: "web",
                component: "app",
                fromApiVersion: null,
                paths: ["spec.template.spec.containers[name=web].image"],
            },
        ]);
        expect(preview.replaced).toEqual([]);
    });

    it("counts an object that moves apiVersion within its group as changed, not removed and added", () => {
        const hpa = (apiVersion: string): KubernetesObject => ({
            apiVersion,
            kind: "HorizontalPodAutoscaler",
            metadata: { name: "web", namespace: "kubeflow" },
            spec: { maxReplicas: 3 },
        });
        const preview = diff([hpa("autoscaling/v2beta2")], [hpa("autoscaling/v2")]);
        expect([preview.added, preview.removed]).toEqual([[], []]);
        expect(preview.changed.map((object) => [object.fromApiVersion, object.apiVersion, object.paths])).toEqual([
            ["autoscaling/v2beta2", "autoscaling/v2", []],
        ]);
    });

    it("replaces a Deployment whose selector changes, without blocking: it holds no data", () => {
        const preview = diff([deployment()], [deployment(undefined, { app: "web", version: "2" })]);
        expect(preview.changed).toEqual([]);
        expect(preview.replaced.map((object) => [object.id, object.immutable, object.dataAtRisk])).toEqual([
            ["apps/Deployment/kubeflow/web", ["spec.selector"], null],
        ]);
        expect(preview.blocking).toEqual([]);
    });
});

describe("blocking: a replaced stateful object", () => {
    it("does not block a StatefulSet whose pod template changes: it is updated in place", () => {
        const preview = diff([statefulSet()], [statefulSet("gp3", "docker.io/library/mysql:8.0.39")]);
        expect(preview.changed.map((object) => object.paths)).toEqual([["spec.template.spec.containers[name=mysql].image"]]);
        expect(preview.blocking).toEqual([]);
    });

    it("blocks a StatefulSet whose claim templates change, naming the claims at risk", () => {
        const preview = diff([statefulSet()], [statefulSet("premium-rwo")]);
        expect(preview.replaced.map((object) => object.immutable)).toEqual([["spec.volumeClaimTemplates"]]);
        expect(preview.blocking).toEqual([
            {
                reason: "stateful-object-replaced",
                subject: "apps/StatefulSet/kubeflow/db",
                message:
                    "StatefulSet kubeflow/db must be replaced (spec.volumeClaimTemplates cannot change in place), which puts at risk the volumes of StatefulSet kubeflow/db claim data: a StatefulSet created again keeps the old claims only if its volumeClaimTemplates still match them, and deletes them with persistentVolumeClaimRetentionPolicy whenDeleted: Delete.",
            },
        ]);
    });

    it("does not block a claim that only grows: expansion is allowed in place", () => {
        const before = claim({ storageClassName: "gp3", resources: { requests: { storage: "20Gi" } } });
        const preview = diff([before], [claim({ storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } })]);
        expect(preview.changed.map((object) => object.paths)).toEqual([["spec.resources.requests.storage"]]);
        expect(preview.blocking).toEqual([]);
    });

    it("blocks a claim whose storage class changes", () => {
        const preview = diff([claim({ storageClassName: "gp3" })], [claim({ storageClassName: "gp2" })]);
        expect(preview.blocking.map((item) => [item.reason, item.subject])).toEqual([
            ["stateful-object-replaced", "/PersistentVolumeClaim/kubeflow/minio-pvc"],
        ]);
        expect(preview.blocking[0]!.message).toBe(
            "PersistentVolumeClaim kubeflow/minio-pvc must be replaced (spec.storageClassName cannot change in place), which puts at risk the volume of PersistentVolumeClaim kubeflow/minio-pvc: deleting the claim deletes a dynamically provisioned volume (reclaimPolicy Delete).",
        );
    });
});

describe("CRD versions", () => {
    it("reports a new storage version with the old one kept as a migration, not a block", () => {
        const preview = diff(
            [crd([{ name: "v1beta1", storage: true }])],
            [
                crd([
                    { name: "v1beta1", storage: false },
                    { name: "v1", storage: true },
                ]),
            ],
        );
        expect(preview.crds).toEqual([
            {
                name: "experiments.kubeflow.org",
                kind: "Experiment",
                status: "changed",
                versionsAdded: ["v1"],
                versionsRemoved: [],
                storage: { from: "v1beta1", to: "v1" },
                migration: "Experiment objects stay stored as v1beta1 until each is written again; migrate them to v1 before a later release drops v1beta1",
                storedVersionRemoved: false,
            },
        ]);
        expect(preview.blocking).toEqual([]);
    });

    it("does not block the removal of a version nothing is stored at", () => {
        const preview = diff(
            [
                crd([
                    { name: "v1alpha3", storage: false },
                    { name: "v1beta1", storage: true },
                ]),
            ],
            [crd([{ name: "v1beta1", storage: true }])],
        );
        expect(preview.crds.map((change) => [change.versionsRemoved, change.migration, change.storedVersionRemoved])).toEqual([[["v1alpha3"], null, false]]);
        expect(preview.blocking).toEqual([]);
    });

    it("blocks the removal of the version objects are stored at", () => {
        const preview = diff([crd([{ name: "v1beta1", storage: true }])], [crd([{ name: "v1", storage: true }])]);
        expect(preview.blocking).toEqual([
            {
                reason: "stored-crd-version-removed",
                subject: "experiments.kubeflow.org",
                message:
                    "Experiment objects stored as v1beta1 cannot be read once v1beta1 is gone; migrate them to v1 (kube-storage-version-migrator, or read and write each one) and clear status.storedVersions before upgrading.",
            },
        ]);
    });

    it("blocks the removal of a whole CRD, whose objects go with it, and lists an added one", () => {
        const preview = diff([crd([{ name: "v1", storage: true }], "brokers.eventing.knative.dev")], [crd([{ name: "v1", storage: true }])]);
        expect(preview.crds.map((change) => [change.name, change.status, change.storedVersionRemoved])).toEqual([
            ["brokers.eventing.knative.dev", "removed", true],
            ["experiments.kubeflow.org", "added", false],
        ]);
        expect(preview.blocking.map((item) => item.subject)).toEqual(["brokers.eventing.knative.dev"]);
    });
});

describe("blocking: a component the stack customizes that the target no longer ships", () => {
    const authservice: Component = {
        name: "oidc-authservice",
        version: "e236439",
        customizations: ["/Secret/istio-system/oidc-authservice-client", "/ConfigMap/istio-system/oidc-authservice-parameters"],
        replaces: [],
    };
    const proxy: Component = { name: "oauth2-proxy", version: "v7.6.0", customizations: [], replaces: [] };

    function withComponents(from: Component[], to: Component[]) {
        return diff([], [], { from: side("kubeflow-1.8.1", [], from), to: side("kubeflow-1.9.1", [], to) });
    }

    it("blocks when the customized component is gone and nothing takes its place", () => {
        expect(withComponents([authservice], [proxy]).blocking).toEqual([
            {
                reason: "customized-component-removed",
                subject: "oidc-authservice",
                message:
                    "The stack customizes 2 objects of oidc-authservice e236439 (/Secret/istio-system/oidc-authservice-client and /ConfigMap/istio-system/oidc-authservice-parameters), but kubeflow-1.9.1 ships no oidc-authservice and nothing that replaces it; carry the customization over to what takes its place, or drop it, before upgrading.",
            },
        ]);
    });

    it("does not block when a component of the target replaces it, when it stays, or when a removed one was not customized", () => {
        expect(withComponents([authservice], [{ ...proxy, replaces: ["oidc-authservice"] }]).blocking).toEqual([]);
        expect(withComponents([authservice], [{ ...authservice, version: "f9a1c3b" }]).blocking).toEqual([]);
        expect(withComponents([{ ...authservice, customizations: [] }], []).blocking).toEqual([]);
    });

    it("lists each side's components with what each replaces", () => {
        const preview = withComponents([authservice], [{ ...proxy, replaces: ["oidc-authservice"] }]);
        expect([preview.from, preview.to]).toEqual([
            { release: "kubeflow-1.8.1", components: [{ name: "oidc-authservice", version: "e236439" }] },
            { release: "kubeflow-1.9.1", components: [{ name: "oauth2-proxy", version: "v7.6.0", replaces: ["oidc-authservice"] }] },
        ]);
    });
});

describe("images and the Kubernetes window", () => {
    it("lists each repository whose tags change, old and new, and those only one side runs", () => {
        const from = side(
            "kubeflow-1.8.1",
            [],
            [],
            ["docker.io/kserve/kserve-controller:v0.11.2", "ghcr.io/dexidp/dex:v2.36.0", "docker.io/kubeflowmanifestswg/oidc-authservice:e236439"],
        );
        const to = side(
            "kubeflow-1.9.1",
            [],
            [],
            ["kserve/kserve-controller:v0.13.1", "ghcr.io/dexidp/dex:v2.36.0", "quay.io/oauth2-proxy/oauth2-proxy:v7.5.1"],
        );
        expect(diff([], [], { from, to }).images).toEqual([
            { repository: "docker.io/kserve/kserve-controller", from: ["v0.11.2"], to: ["v0.13.1"] },
            { repository: "docker.io/kubeflowmanifestswg/oidc-authservice", from: ["e236439"], to: [] },
            { repository: "quay.io/oauth2-proxy/oauth2-proxy", from: [], to: ["v7.5.1"] },
        ]);
    });

    it("says whether the stack's Kubernetes version is inside the target's window, and why it runs outside", () => {
        expect(diff([], []).kubernetes).toEqual({
            version: "1.30",
            from: { min: "1.25", max: "1.26" },
            to: { min: "1.29", max: "1.31" },
            insideWindow: true,
            windowsMissed: [],
            acknowledged: null,
        });
        const to = { ...side("kubeflow-1.9.1", []), windowsMissed: ["kubeflow-1.9.1 supports 1.29–1.31"] };
        const outside = diff([], [], { kubernetesVersion: "1.33", acknowledged: "managed clouds no longer offer 1.31", to }).kubernetes;
        expect([outside.insideWindow, outside.windowsMissed, outside.acknowledged]).toEqual([
            false,
            ["kubeflow-1.9.1 supports 1.29–1.31"],
            "managed clouds no longer offer 1.31",
        ]);
    });
});

describe("changedPaths", () => {
    it("quotes keys that are not identifiers and indexes lists without names", () => {
        const before = { data: { "config.yaml": "a" }, spec: { args: ["--x", "--y"] } };
        const after = { data: { "config.yaml": "b" }, spec: { args: ["--x", "--z", "--w"] } };
        expect(changedPaths(before, after)).toEqual(['data["config.yaml"]', "spec.args[1]", "spec.args[2]"]);
    });

    it("stops at a depth that summarizes a schema change by its part", () => {
        const schema = (type: string) => ({
            spec: { versions: [{ name: "v1", schema: { openAPIV3Schema: { properties: { spec: { properties: { a: { type } } } } } } }] },
        });
        expect(changedPaths(schema("string"), schema("integer"))).toEqual(["spec.versions[name=v1].schema.openAPIV3Schema.properties.spec.properties"]);
    });
});

describe("immutableFieldsChanged", () => {
    it("matches a change inside an immutable field, and a change that replaces its parent whole", () => {
        expect(immutableFieldsChanged("apps/Deployment", ["spec.selector.matchLabels.app"])).toEqual(["spec.selector"]);
        expect(immutableFieldsChanged("apps/StatefulSet", ["spec"])).toEqual([
            "spec.selector",
            "spec.serviceName",
            "spec.volumeClaimTemplates",
            "spec.podManagementPolicy",
        ]);
    });

    it("leaves fields that only share a prefix, and kinds without immutable fields", () => {
        expect(immutableFieldsChanged("apps/Deployment", ["spec.selectorX"])).toEqual([]);
        expect(immutableFieldsChanged("/ConfigMap", ["data"])).toEqual([]);
    });
});
