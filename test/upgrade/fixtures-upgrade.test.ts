// The upgrade diff over the two fixture sets: every Kubeflow component of the
// kubeflow-1.8.1 and kubeflow-1.9.1 bills of materials as upstream renders it.
// What it must find is what kubeflow-v1.9.1/MANIFEST.md ("Differences from
// ../kubeflow-v1.8.1") records: oidc-authservice leaving for oauth2-proxy,
// Istio 1.17 → 1.22, Knative Eventing gone, KFP 2.3.0, KServe v0.13.1.
import { beforeAll, describe, expect, it } from "vitest";
import { type UpgradePreview, upgradeDiff } from "../../engine/upgrade/diff";
import { fixtureSide } from "./fixture-sides";

let preview: UpgradePreview;
beforeAll(() => {
    preview = upgradeDiff({
        stack: "prod",
        kubernetesVersion: "1.33",
        acknowledged: null,
        from: fixtureSide("kubeflow-1.8.1", "1.33"),
        to: fixtureSide("kubeflow-1.9.1", "1.33"),
    });
});

const versionOf = (side: UpgradePreview["from"], name: string) => side.components.find((component) => component.name === name)?.version;
const ids = (objects: { id: string; component: string | null }[], component: string) =>
    objects.filter((object) => object.component === component).map((object) => object.id);
const image = (repository: string) => preview.images.find((change) => change.repository === repository);

describe("the upgrade from the kubeflow-1.8.1 fixtures to the kubeflow-1.9.1 fixtures", () => {
    it("sees oidc-authservice leave, with its claim and client secret, and oauth2-proxy arrive", () => {
        expect([versionOf(preview.from, "oidc-authservice"), versionOf(preview.to, "oidc-authservice")]).toEqual(["e236439", undefined]);
        expect([versionOf(preview.from, "oauth2-proxy"), versionOf(preview.to, "oauth2-proxy")]).toEqual([undefined, "v7.6.0"]);
        expect(ids(preview.removed, "oidc-authservice")).toEqual(
            expect.arrayContaining([
                "/PersistentVolumeClaim/istio-system/authservice-pvc",
                "/Secret/istio-system/oidc-authservice-client",
                "apps/StatefulSet/istio-system/oidc-authservice",
                "networking.istio.io/EnvoyFilter/istio-system/authn-filter",
            ]),
        );
        expect(ids(preview.added, "oauth2-proxy")).toEqual(expect.arrayContaining(["/Namespace//oauth2-proxy", "apps/Deployment/oauth2-proxy/oauth2-proxy"]));
        expect(image("docker.io/kubeflowmanifestswg/oidc-authservice")).toEqual({
            repository: "docker.io/kubeflowmanifestswg/oidc-authservice",
            from: ["e236439"],
            to: [],
        });
        expect(image("quay.io/oauth2-proxy/oauth2-proxy")?.from).toEqual([]);
    });

    it("sees Istio move from 1.17.5 to 1.22.1: new images, its CRDs served at v1 with the storage version moving, IstioOperator gone", () => {
        expect([versionOf(preview.from, "istio-install"), versionOf(preview.to, "istio-install")]).toEqual(["1.17.5", "1.22.1"]);
        expect(image("docker.io/istio/pilot")).toEqual({ repository: "docker.io/istio/pilot", from: ["1.17.5"], to: ["1.22.1"] });
        expect(image("docker.io/istio/proxyv2")).toEqual({ repository: "docker.io/istio/proxyv2", from: ["1.17.5"], to: ["1.22.1"] });
        expect(preview.crds.find((crd) => crd.name === "virtualservices.networking.istio.io")).toEqual({
            name: "virtualservices.networking.istio.io",
            kind: "VirtualService",
            status: "changed",
            versionsAdded: ["v1"],
            versionsRemoved: [],
            storage: { from: "v1alpha3", to: "v1beta1" },
            migration:
                "VirtualService objects stay stored as v1alpha3 until each is written again; migrate them to v1beta1 before a later release drops v1alpha3",
            storedVersionRemoved: false,
        });
        expect(preview.changed.find((object) => object.id === "apps/Deployment/istio-system/istiod")?.paths).toContain(
            "spec.template.spec.containers[name=discovery].image",
        );
    });

    it("sees the new Pipelines and KServe versions in their images", () => {
        expect(image("gcr.io/ml-pipeline/api-server")).toEqual({ repository: "gcr.io/ml-pipeline/api-server", from: ["2.0.5"], to: ["2.3.0"] });
        expect(image("docker.io/kserve/kserve-controller")).toEqual({ repository: "docker.io/kserve/kserve-controller", from: ["v0.11.2"], to: ["v0.13.1"] });
        expect([versionOf(preview.to, "pipelines"), versionOf(preview.to, "kserve")]).toEqual(["2.3.0", "v0.13.1"]);
    });

    it("finds the CRDs MANIFEST.md lists as removed, added and with changed versions", () => {
        const named = (status: string) => preview.crds.filter((crd) => crd.status === status).map((crd) => crd.name);
        expect(named("removed")).toEqual([
            "apiserversources.sources.knative.dev",
            "brokers.eventing.knative.dev",
            "channels.messaging.knative.dev",
            "containersources.sources.knative.dev",
            "eventtypes.eventing.knative.dev",
            "istiooperators.install.istio.io",
            "parallels.flows.knative.dev",
            "pingsources.sources.knative.dev",
            "sequences.flows.knative.dev",
            "sinkbindings.sources.knative.dev",
            "subscriptions.messaging.knative.dev",
            "triggers.eventing.knative.dev",
        ]);
        expect(named("added")).toEqual(["workflowartifactgctasks.argoproj.io"]);
        expect(named("changed")).toEqual([
            "destinationrules.networking.istio.io",
            "domainmappings.serving.knative.dev",
            "gateways.networking.istio.io",
            "peerauthentications.security.istio.io",
            "serviceentries.networking.istio.io",
            "sidecars.networking.istio.io",
            "telemetries.telemetry.istio.io",
            "virtualservices.networking.istio.io",
            "workloadentries.networking.istio.io",
            "workloadgroups.networking.istio.io",
        ]);
    });

    it("blocks on every removed CRD (its objects go with it) and on DomainMapping's dropped storage version", () => {
        expect(preview.blocking.map((item) => `${item.reason} ${item.subject}`)).toEqual([
            ...[
                "apiserversources.sources.knative.dev",
                "brokers.eventing.knative.dev",
                "channels.messaging.knative.dev",
                "containersources.sources.knative.dev",
                "domainmappings.serving.knative.dev",
                "eventtypes.eventing.knative.dev",
                "istiooperators.install.istio.io",
                "parallels.flows.knative.dev",
                "pingsources.sources.knative.dev",
                "sequences.flows.knative.dev",
                "sinkbindings.sources.knative.dev",
                "subscriptions.messaging.knative.dev",
                "triggers.eventing.knative.dev",
            ].map((crd) => `stored-crd-version-removed ${crd}`),
        ]);
        expect(preview.blocking.find((item) => item.subject === "domainmappings.serving.knative.dev")?.message).toBe(
            "DomainMapping objects stored as v1alpha1 cannot be read once v1alpha1 is gone; migrate them to v1beta1 (kube-storage-version-migrator, or read and write each one) and clear status.storedVersions before upgrading.",
        );
    });

    it("puts the stack's Kubernetes 1.33 outside the 1.9.1 window", () => {
        expect(preview.kubernetes).toMatchObject({
            version: "1.33",
            from: { min: "1.25", max: "1.26" },
            to: { min: "1.29", max: "1.30" },
            insideWindow: false,
        });
    });
});
