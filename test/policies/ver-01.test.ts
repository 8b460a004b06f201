import { describe, expect, it } from "vitest";
import { KUBEFLOW_FACTS_TYPE, type KubeflowFacts } from "../../core/facts";
import { trainingOperatorVersion } from "../../policies/versions/ver-01-training-operator";
import { changed, messagesOf, record, violationsOf, mandatoryViolation } from "./fixtures";
import { CONTAINER } from "./fixtures-workloads";

/** The Kubeflow facts of a release whose BOM pins `image` for the training operator. */
const facts = (release = "kubeflow-1.8.1", image = "kubeflow/training-operator:v1-9e52eb7") =>
    record(
        KUBEFLOW_FACTS_TYPE,
        { release, kubernetesVersion: "1.33", window: { min: "1.25", max: "1.26", tested: [] }, images: ["python:3.7", image] } satisfies KubeflowFacts,
        "kubeflow",
    );

function operator(name = "training-operator", image = "kubeflow/training-operator:v1-9e52eb7") {
    return record("kubernetes:apps/v1:Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: "kubeflow" },
        spec: { template: { spec: { containers: [{ name: "training-operator", image }] } } },
    });
}

const IMAGE = [...CONTAINER, "image"];

describe("VER-01 training operator", () => {
    it("accepts exactly one training operator on the image its release's BOM pins: v1.8.0 for 1.8.1, the bundled v1.8.1 for 1.9.1", async () => {
        expect(await violationsOf(trainingOperatorVersion, [facts(), operator()])).toEqual([]);
        const bundled = "kubeflow/training-operator:v1-04f9f13";
        expect(await violationsOf(trainingOperatorVersion, [facts("kubeflow-1.9.1", bundled), operator("training-operator", bundled)])).toEqual([]);
    });

    it("accepts the pinned image as the mirror serves it, spelt differently", async () => {
        expect(
            await violationsOf(trainingOperatorVersion, [facts(), operator("training-operator", "docker.io/kubeflow/training-operator:v1-9e52eb7")]),
        ).toEqual([]);
    });

    it("rejects a second training operator", async () => {
        expect(await messagesOf(trainingOperatorVersion, [facts(), operator(), operator("training-operator-legacy")])).toEqual([
            '2 workloads run the training operator (Deployment "kubeflow/training-operator", Deployment "kubeflow/training-operator-legacy"); keep exactly one.',
        ]);
    });

    it("rejects the v1.7.0 operator that Kubeflow 1.8.1 bundles, naming the release's pin", async () => {
        const bundled = changed(operator(), IMAGE, "kubeflow/training-operator:v1-855e096");
        expect(await violationsOf(trainingOperatorVersion, [facts(), bundled])).toEqual([
            mandatoryViolation(
                { policy: "ver-01-training-operator", id: "VER-01" },
                bundled,
                'Deployment "kubeflow/training-operator" runs kubeflow/training-operator:v1-855e096, not kubeflow/training-operator:v1-9e52eb7, which the kubeflow-1.8.1 bill of materials pins.',
            ),
        ]);
    });

    it("rejects 1.8.1's pin on a 1.9.1 stack: the pin follows the stack's release", async () => {
        expect(await messagesOf(trainingOperatorVersion, [facts("kubeflow-1.9.1", "kubeflow/training-operator:v1-04f9f13"), operator()])).toEqual([
            'Deployment "kubeflow/training-operator" runs kubeflow/training-operator:v1-9e52eb7, not kubeflow/training-operator:v1-04f9f13, which the kubeflow-1.9.1 bill of materials pins.',
        ]);
    });

    it("rejects any 1.9 release, which broke distributed training, with or without the release's facts", async () => {
        const broken = changed(operator(), IMAGE, "docker.io/kubeflow/training-operator:v1.9.0");
        expect(await messagesOf(trainingOperatorVersion, [facts(), broken])).toEqual([
            'Deployment "kubeflow/training-operator" runs docker.io/kubeflow/training-operator:v1.9.0: Training Operator 1.9 broke distributed training; use kubeflow/training-operator:v1-9e52eb7.',
        ]);
        expect(await messagesOf(trainingOperatorVersion, [broken])).toEqual([
            'Deployment "kubeflow/training-operator" runs docker.io/kubeflow/training-operator:v1.9.0: Training Operator 1.9 broke distributed training; use the image the release\'s bill of materials pins.',
        ]);
    });
});
