import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { KUBEFLOW_FACTS_TYPE, type KubeflowFacts } from "../../core/facts";
import { bomImages } from "../../policies/versions/ver-02-bom-images";
import { WORKLOAD_KINDS, changed, kindsNamedIn, messagesOf, podCarriers, record, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { pulledReference } from "../../core/image-references";
import { CONTAINER, TEMPLATE_SPEC } from "./fixtures-workloads";

const facts = (
    images: string[] = [
        "docker.io/kubeflownotebookswg/jupyter-web-app:v1.8.0",
        "docker.io/istio/proxyv2:1.17.5",
        "kubeflow/training-operator:v1-9e52eb7",
        "python:3.7",
    ],
) =>
    record(
        KUBEFLOW_FACTS_TYPE,
        {
            release: "kubeflow-1.8.1",
            kubernetesVersion: "1.26",
            window: { min: "1.25", max: "1.26", tested: ["1.27"] },
            images,
        } satisfies KubeflowFacts,
        "kubeflow",
    );

function workload(namespace = "kubeflow", image = "docker.io/kubeflownotebookswg/jupyter-web-app:v1.8.0", initImage = "docker.io/istio/proxyv2:1.17.5") {
    return record("kubernetes:apps/v1:Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "jupyter-web-app-deployment", namespace },
        spec: { template: { spec: { containers: [{ name: "jupyter-web-app", image }], initContainers: [{ name: "istio-init", image: initImage }] } } },
    });
}

const IMAGE = [...CONTAINER, "image"];

describe("VER-02 BOM images", () => {
    it("accepts Kubeflow workloads whose containers and init containers all run BOM images", async () => {
        expect(await violationsOf(bomImages, [facts(), workload()])).toEqual([]);
    });

    it("rejects an image of another release, naming the container, the image and the fix", async () => {
        const bad = changed(workload(), IMAGE, "docker.io/kubeflownotebookswg/jupyter-web-app:v1.9.0");
        expect(await violationsOf(bomImages, [facts(), bad])).toEqual([
            mandatoryViolation(
                { policy: "ver-02-bom-images", id: "VER-02" },
                bad,
                'Container "jupyter-web-app" in Deployment "kubeflow/jupyter-web-app-deployment" runs docker.io/kubeflownotebookswg/jupyter-web-app:v1.9.0, which is not in the kubeflow-1.8.1 bill of materials; use the image the BOM pins for this component, or add it to components/bom/kubeflow-1.8.1.yaml with a note.',
            ),
        ]);
    });

    it("checks init containers too", async () => {
        const bad = changed(workload(), [...TEMPLATE_SPEC, "initContainers", 0, "image"], "docker.io/istio/proxyv2:1.18.0");
        expect(await messagesOf(bomImages, [facts(), bad])).toEqual([
            'Init container "istio-init" in Deployment "kubeflow/jupyter-web-app-deployment" runs docker.io/istio/proxyv2:1.18.0, which is not in the kubeflow-1.8.1 bill of materials; use the image the BOM pins for this component, or add it to components/bom/kubeflow-1.8.1.yaml with a note.',
        ]);
    });

    it("rejects a container without an image", async () => {
        const bad = changed(workload(), IMAGE, undefined);
        expect(await messagesOf(bomImages, [facts(), bad])).toEqual([
            'Container "jupyter-web-app" in Deployment "kubeflow/jupyter-web-app-deployment" names no image; set the image the kubeflow-1.8.1 bill of materials pins for it.',
        ]);
    });

    it("checks every workload kind the BOM lists images of, in a Kubeflow namespace (knative-serving)", async () => {
        const carriers = podCarriers()
            .filter((carrier) => !/PyTorchJob|InferenceService/.test(carrier.type))
            .map((carrier) => changed(carrier, ["props", "metadata", "namespace"], "knative-serving"));
        const kinds = kindsNamedIn(await messagesOf(bomImages, [facts(), ...carriers]));
        expect(kinds).toEqual(WORKLOAD_KINDS.flatMap((kind) => [kind, kind]));
    });

    it("leaves tenant workloads and tenants' training jobs alone", async () => {
        const tenant = changed(workload("team-a"), IMAGE, "registry.example.com/team-a/trainer:7");
        const job = changed(
            podCarriers().find((carrier) => carrier.type.endsWith(":PyTorchJob"))!,
            ["props", "metadata", "namespace"],
            "kubeflow",
        );
        expect(await messagesOf(bomImages, [facts(), tenant, job])).toEqual([]);
    });

    it("takes the Kubeflow namespaces from the config", async () => {
        const monitoring = changed(workload("monitoring"), IMAGE, "quay.io/prometheus/prometheus:v3.5.0");
        expect(await messagesOf(bomImages, [facts(), monitoring])).toEqual([]);
        expect(await messagesOf(bomImages, [facts(), monitoring], { "ver-02-bom-images": { namespaces: ["monitoring"] } })).toHaveLength(1);
    });

    it("compares references as the runtime pulls them: docker.io and library/ implied, digests over tags", async () => {
        const implied = changed(workload(), IMAGE, "kubeflownotebookswg/jupyter-web-app:v1.8.0");
        const official = changed(workload(), IMAGE, "docker.io/library/python:3.7");
        const training = changed(workload(), IMAGE, "docker.io/kubeflow/training-operator:v1-9e52eb7");
        expect(await messagesOf(bomImages, [facts(), implied, official, training])).toEqual([]);
        expect(pulledReference("python")).toBe("docker.io/library/python:latest");
        expect(pulledReference("localhost:5000/kf/app:1")).toBe("localhost:5000/kf/app:1");
        const digest = `sha256:${"ab".repeat(32)}`;
        expect(pulledReference(`gcr.io/knative-releases/serving/cmd/activator:v1.10@${digest}`)).toBe(
            `gcr.io/knative-releases/serving/cmd/activator@${digest}`,
        );
    });

    it("accepts a tag added to a digest the BOM pins, but not a tag in place of the digest", async () => {
        const digest = `sha256:c2994c2b${"0".repeat(56)}`;
        const pinned = facts([`gcr.io/knative-releases/knative.dev/serving/cmd/activator@${digest}`]);
        const tagged = changed(workload("knative-serving"), IMAGE, `gcr.io/knative-releases/knative.dev/serving/cmd/activator:v1.10.2@${digest}`);
        const unpinned = changed(workload("knative-serving"), IMAGE, "gcr.io/knative-releases/knative.dev/serving/cmd/activator:v1.10.2");
        const init = [...TEMPLATE_SPEC, "initContainers"];
        expect(await messagesOf(bomImages, [pinned, changed(tagged, init, [])])).toEqual([]);
        expect(await messagesOf(bomImages, [pinned, changed(unpinned, init, [])])).toEqual([
            'Container "jupyter-web-app" in Deployment "knative-serving/jupyter-web-app-deployment" runs gcr.io/knative-releases/knative.dev/serving/cmd/activator:v1.10.2, which is not in the kubeflow-1.8.1 bill of materials; use the image the BOM pins for this component, or add it to components/bom/kubeflow-1.8.1.yaml with a note.',
        ]);
    });

    it("checks oauth2-proxy's namespace, where Kubeflow 1.9.1 runs its authenticator", async () => {
        const proxy = changed(workload("oauth2-proxy"), IMAGE, "quay.io/oauth2-proxy/oauth2-proxy:v7.7.0");
        expect(await messagesOf(bomImages, [facts(), proxy])).toEqual([
            'Container "jupyter-web-app" in Deployment "oauth2-proxy/jupyter-web-app-deployment" runs quay.io/oauth2-proxy/oauth2-proxy:v7.7.0, which is not in the kubeflow-1.8.1 bill of materials; use the image the BOM pins for this component, or add it to components/bom/kubeflow-1.8.1.yaml with a note.',
        ]);
    });

    it("has nothing to check without the Kubeflow facts", async () => {
        expect(await messagesOf(bomImages, [changed(workload(), IMAGE, "nginx:latest")])).toEqual([]);
    });

    it("is undecided, not failed, on an image unknown during preview", async () => {
        const unknown = changed(workload(), IMAGE, Unknown.instance);
        expect(await undecidedOf(bomImages, [facts(), unknown])).toEqual([
            { policy: "ver-02-bom-images", resource: "stack", reason: expect.stringContaining(".spec.template.spec.containers.0.image") },
        ]);
    });
});
