import { describe, expect, it } from "vitest";
import { trainingOperatorVersion } from "../../policies/versions/ver-01-training-operator";
import { changed, messagesOf, record, violationsOf, mandatoryViolation } from "./fixtures";
import { CONTAINER } from "./fixtures-workloads";

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
    it("accepts exactly one training operator on the v1.8.0 image", async () => {
        expect(await violationsOf(trainingOperatorVersion, [operator()])).toEqual([]);
    });

    it("rejects a second training operator", async () => {
        expect(await messagesOf(trainingOperatorVersion, [operator(), operator("training-operator-legacy")])).toEqual([
            '2 workloads run the training operator (Deployment "kubeflow/training-operator", Deployment "kubeflow/training-operator-legacy"); keep exactly one.',
        ]);
    });

    it("rejects the v1.7.0 operator that Kubeflow 1.8.1 bundles", async () => {
        const bundled = changed(operator(), IMAGE, "kubeflow/training-operator:v1-855e096");
        expect(await violationsOf(trainingOperatorVersion, [bundled])).toEqual([
            mandatoryViolation(
                { policy: "ver-01-training-operator", id: "VER-01" },
                bundled,
                'Deployment "kubeflow/training-operator" runs kubeflow/training-operator:v1-855e096, not the pinned kubeflow/training-operator:v1-9e52eb7 (v1.8.0).',
            ),
        ]);
    });

    it("rejects any 1.9 release, which broke distributed training", async () => {
        const broken = changed(operator(), IMAGE, "docker.io/kubeflow/training-operator:v1.9.0");
        expect(await messagesOf(trainingOperatorVersion, [broken])).toEqual([
            'Deployment "kubeflow/training-operator" runs docker.io/kubeflow/training-operator:v1.9.0: Training Operator 1.9 broke distributed training; use kubeflow/training-operator:v1-9e52eb7.',
        ]);
    });
});
