import { describe, expect, it } from "vitest";
import { KUBEFLOW_FACTS_TYPE, type KubeflowFacts } from "../../core/facts";
import { controllerOwnedFields as table } from "../../components/bom/controller-owned-fields";
import type { PolicyRecord } from "../../engine/policy-check";
import { controllerOwnedFields } from "../../policies/versions/drift-01-controller-owned-fields";
import { changed, mandatoryViolation, messagesOf, record, undecidedOf, violationsOf } from "./fixtures";

const facts = (rows = [...table()]) =>
    record(
        KUBEFLOW_FACTS_TYPE,
        {
            release: "kubeflow-1.8.1",
            kubernetesVersion: "1.26",
            window: { min: "1.25", max: "1.26", tested: ["1.27"] },
            images: [],
            controllerOwnedFields: rows,
        } satisfies KubeflowFacts,
        "kubeflow",
    );

/** Katib's validating webhook as kfstack plans it: cert-manager's annotation, no caBundle. */
const katibWebhook = () =>
    record("kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "katib.kubeflow.org", annotations: { "cert-manager.io/inject-ca-from": "kubeflow/katib-webhook-cert" } },
        webhooks: [{ name: "validator.experiment.katib.kubeflow.org", clientConfig: { service: { name: "katib-controller", namespace: "kubeflow" } } }],
    });

/** Istio's validating webhook: created with Ignore, which istiod switches to Fail; ignored after create. */
const istioValidator = (ignoreChanges = ["webhooks[*].failurePolicy"]): PolicyRecord => ({
    ...record("kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "istio-validator-istio-system", labels: { app: "istiod", "istio.io/rev": "default" } },
        webhooks: [{ name: "rev.validation.istio.io", failurePolicy: "Ignore", clientConfig: { service: { name: "istiod", namespace: "istio-system" } } }],
    }),
    options: { protect: false, ignoreChanges },
});

const hpa = () =>
    record("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "istiod", namespace: "istio-system" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "istiod" }, minReplicas: 1, maxReplicas: 5 },
    });

const istiod = () =>
    record("kubernetes:apps/v1:Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "istiod", namespace: "istio-system" },
        spec: {
            selector: { matchLabels: { app: "istiod" } },
            template: { spec: { containers: [{ name: "discovery", image: "docker.io/istio/pilot:1.17.5" }] } },
        },
    });

const compliant = () => [facts(), katibWebhook(), istioValidator(), hpa(), istiod()];

describe("DRIFT-01 controller-owned fields", () => {
    it("accepts objects that leave out what cert-manager and the HPA write, and ignore changes to istiod's failurePolicy", async () => {
        expect(await violationsOf(controllerOwnedFields, compliant())).toEqual([]);
    });

    it("rejects a webhook that sets the caBundle cert-manager injects (Katib's placeholder Cg==), naming the field, the controller and the fix", async () => {
        const bad = changed(katibWebhook(), ["props", "webhooks", 0, "clientConfig", "caBundle"], "Cg==");
        expect(await violationsOf(controllerOwnedFields, [facts(), bad, istioValidator(), hpa(), istiod()])).toEqual([
            mandatoryViolation(
                { policy: "drift-01-controller-owned-fields", id: "DRIFT-01" },
                bad,
                "ValidatingWebhookConfiguration \"katib.kubeflow.org\" sets webhooks[0].clientConfig.caBundle, which cert-manager cainjector owns after install (The cainjector writes the CA of the Certificate named by the annotation into every webhook's caBundle, replacing any placeholder); leave it out of the inputs (the table's remove rows do that for every manifest layer).",
            ),
        ]);
    });

    it("rejects istiod's failurePolicy sent on every update: created as upstream ships it, it must be ignored after", async () => {
        expect(await messagesOf(controllerOwnedFields, [facts(), katibWebhook(), istioValidator([]), hpa(), istiod()])).toEqual([
            'ValidatingWebhookConfiguration "istio-validator-istio-system" sets webhooks[0].failurePolicy, which istiod owns after install (Created as upstream ships it (Ignore, so Istio config is not refused before istiod serves; left unset it would default to Fail), then istiod switches it to Fail); create it as upstream ships it and add "webhooks[*].failurePolicy" to the resource\'s ignoreChanges.',
        ]);
    });

    it("accepts an ignoreChanges entry on a parent path or on the element, not one on another field", async () => {
        expect(await messagesOf(controllerOwnedFields, [facts(), istioValidator(["webhooks"])])).toEqual([]);
        expect(await messagesOf(controllerOwnedFields, [facts(), istioValidator(["webhooks[0].failurePolicy"])])).toEqual([]);
        expect(await messagesOf(controllerOwnedFields, [facts(), istioValidator(["webhooks[*].clientConfig"])])).toHaveLength(1);
    });

    it("rejects replicas on a Deployment an HPA scales, and leaves them on one no HPA names", async () => {
        const bad = changed(istiod(), ["props", "spec", "replicas"], 2);
        expect(await messagesOf(controllerOwnedFields, [facts(), hpa(), bad])).toEqual([
            'Deployment "istio-system/istiod" sets spec.replicas, which HorizontalPodAutoscaler owns after install (The HPA sets replicas through the scale subresource; a replica count kfstack sent would scale the workload back on every update); leave it out of the inputs (the table\'s remove rows do that for every manifest layer).',
        ]);
        expect(await messagesOf(controllerOwnedFields, [facts(), bad])).toEqual([]);
        expect(await messagesOf(controllerOwnedFields, [facts(), changed(hpa(), ["props", "spec", "scaleTargetRef", "kind"], "StatefulSet"), bad])).toEqual([]);
    });

    it("rejects data in the certificate Secrets controllers fill: Knative's (by label) and the Training Operator's (by name)", async () => {
        const secret = (namespace: string, name: string, labels: Record<string, string>) =>
            record("kubernetes:core/v1:Secret", { apiVersion: "v1", kind: "Secret", metadata: { name, namespace, labels }, data: { "ca-cert.pem": "Cg==" } });
        const knative = secret("knative-serving", "webhook-certs", { "app.kubernetes.io/name": "knative-serving", "app.kubernetes.io/component": "webhook" });
        const trainingOperator = secret("kubeflow", "training-operator-webhook-cert", {});
        expect(await messagesOf(controllerOwnedFields, [facts(), knative, trainingOperator])).toEqual([
            'Secret "knative-serving/webhook-certs" sets data, which Knative webhook owns after install (The Knative webhooks generate their serving certificates into these Secrets and read their CA back from them); leave it out of the inputs (the table\'s remove rows do that for every manifest layer).',
            "Secret \"kubeflow/training-operator-webhook-cert\" sets data, which Training Operator owns after install (Data kfstack sent would replace the certificate the Training Operator's webhook serves); leave it out of the inputs (the table's remove rows do that for every manifest layer).",
        ]);
        expect(
            await messagesOf(controllerOwnedFields, [
                facts(),
                changed(knative, ["props", "data"], undefined),
                changed(trainingOperator, ["props", "data"], undefined),
            ]),
        ).toEqual([]);
    });

    it("cannot decide on Kubeflow facts without the table", async () => {
        expect(
            await violationsOf(controllerOwnedFields, [
                changed(facts(), ["props", "controllerOwnedFields"], undefined),
                changed(katibWebhook(), ["props", "webhooks", 0, "clientConfig", "caBundle"], "Cg=="),
            ]),
        ).toEqual([]);
        expect(await undecidedOf(controllerOwnedFields, [changed(facts(), ["props", "controllerOwnedFields"], undefined), katibWebhook()])).toEqual([
            {
                policy: "drift-01-controller-owned-fields",
                resource: "stack",
                reason: "The Kubeflow facts of urn:pulumi:test::kfstack::kfstack:kubeflow:Kubeflow::kubeflow lack controllerOwnedFields, the table of fields controllers own, so DRIFT-01 cannot decide; the Kubeflow component must register it with its facts.",
            },
        ]);
    });
});
