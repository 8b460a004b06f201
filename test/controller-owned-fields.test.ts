// The table of fields controllers own after install (components/bom/controller-owned-fields.yaml): what it finds in
// the upstream manifests of both releases, and that no shipped stack plans any of it.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { controllerOwnedFields } from "../components/bom/controller-owned-fields";
import { loadBom } from "../components/bom/load";
import { readComponent } from "../components/manifests/read";
import { ControllerOwnership } from "../core/controller-owned-fields";
import { type KubernetesObject, describeObject } from "../core/objects";
import type { Plan } from "../engine/plan";
import { plannedStack, SHIPPED_STACKS } from "./planned-stacks";
import { skipWithoutFixtures } from "./requirements";
import { plainObject } from "./schema-validation";

const fixtures = () => process.env["KFSTACK_MANIFESTS_DIR"]!;

/** Every `Kind name path` the table finds set among objects, sorted. */
function ownedFieldsIn(objects: KubernetesObject[]): string[] {
    const ownership = new ControllerOwnership(controllerOwnedFields(), objects);
    return objects.flatMap((object) => ownership.ownedFieldsSet(object, []).map(({ path }) => `${describeObject(object)} ${path}`)).sort();
}

/** The objects the rendered manifests of a release ship, as its BOM lists them. */
function upstream181(): KubernetesObject[] {
    const bom = loadBom("kubeflow-1.8.1");
    return bom.components.flatMap((component) => readComponent(fixtures(), bom, component));
}

/** Kubeflow 1.9.1's rendered manifests, read as they are: no BOM of that release is needed to judge the table. */
function upstream191(): KubernetesObject[] {
    const folder = join(fixtures(), "kubeflow-v1.9.1");
    return readdirSync(folder)
        .filter((file) => file.endsWith(".yaml"))
        .flatMap((file) => parseAllDocuments(readFileSync(join(folder, file), "utf8")).map((document) => document.toJS() as KubernetesObject | null))
        .filter((object): object is KubernetesObject => object !== null && typeof object.kind === "string");
}

const planned = (plan: Plan) =>
    plan.resources
        .filter((resource) => resource.type.startsWith("kubernetes:") && typeof resource.inputs["apiVersion"] === "string" && resource.read === undefined)
        .map((resource) => ({ resource, object: plainObject(resource.inputs) }));

describe.skipIf(skipWithoutFixtures("the controller-owned fields test"))("the table of controller-owned fields", () => {
    it("finds in Kubeflow 1.8.1's manifests the caBundle placeholders cert-manager replaces, istiod's failurePolicy, Knative's rules and what the Training Operator and Knative Eventing fill", () => {
        expect(ownedFieldsIn(upstream181())).toEqual([
            "CustomResourceDefinition inferenceservices.serving.kserve.io spec.conversion.webhook.clientConfig.caBundle",
            "Deployment knative-eventing/pingsource-mt-adapter spec.replicas",
            ...ADMISSION_AND_KSERVE_AND_KATIB,
            "MutatingWebhookConfiguration webhook.domainmapping.serving.knative.dev webhooks[0].rules",
            "MutatingWebhookConfiguration webhook.serving.knative.dev webhooks[0].rules",
            "Secret kubeflow/training-operator-webhook-cert data",
            ...VALIDATING_WEBHOOKS,
            "ValidatingWebhookConfiguration validation.webhook.domainmapping.serving.knative.dev webhooks[0].rules",
            "ValidatingWebhookConfiguration validation.webhook.serving.knative.dev webhooks[0].rules",
        ]);
    });

    it("applies unchanged to Kubeflow 1.9.1, whose KServe CRD ships no conversion caBundle and which has no Knative Eventing or domain mapping", () => {
        expect(ownedFieldsIn(upstream191())).toEqual([
            ...ADMISSION_AND_KSERVE_AND_KATIB,
            "MutatingWebhookConfiguration webhook.serving.knative.dev webhooks[0].rules",
            "Secret kubeflow/training-operator-webhook-cert data",
            ...VALIDATING_WEBHOOKS,
            "ValidatingWebhookConfiguration validation.webhook.serving.knative.dev webhooks[0].rules",
        ]);
    });

    describe.each(SHIPPED_STACKS)("on the %s stack", (stack) => {
        let plan: Plan;
        beforeAll(async () => {
            plan = await plannedStack(stack);
        });

        it("plans no object that sets a field its controller owns, unless its ignoreChanges covers it", () => {
            const objects = planned(plan);
            const ownership = new ControllerOwnership(
                controllerOwnedFields(),
                objects.map(({ object }) => object),
            );
            const set = objects.flatMap(({ resource, object }) =>
                ownership.ownedFieldsSet(object, resource.options.ignoreChanges).map(({ path }) => `${describeObject(object)} ${path}`),
            );
            expect(set).toEqual([]);
            expect(plan.policy.violations.filter((violation) => violation.id === "DRIFT-01")).toEqual([]);
        });

        it("asks Pulumi to ignore changes to exactly the fields whose value at create matters", () => {
            const objects = planned(plan);
            const ownership = new ControllerOwnership(
                controllerOwnedFields(),
                objects.map(({ object }) => object),
            );
            for (const { resource, object } of objects) {
                expect(resource.options.ignoreChanges, resource.urn).toEqual(ownership.handlingOf(object).ignoreChanges);
            }
            const ignored = objects.filter(({ resource }) => resource.options.ignoreChanges.length > 0).map(({ object }) => describeObject(object));
            expect(ignored).toEqual(["ValidatingWebhookConfiguration istio-validator-istio-system", "Deployment knative-eventing/pingsource-mt-adapter"]);
        });
    });
});

const ADMISSION_AND_KSERVE_AND_KATIB = [
    "MutatingWebhookConfiguration admission-webhook-mutating-webhook-configuration webhooks[0].clientConfig.caBundle",
    "MutatingWebhookConfiguration inferenceservice.serving.kserve.io webhooks[0].clientConfig.caBundle",
    "MutatingWebhookConfiguration inferenceservice.serving.kserve.io webhooks[1].clientConfig.caBundle",
    "MutatingWebhookConfiguration katib.kubeflow.org webhooks[0].clientConfig.caBundle",
    "MutatingWebhookConfiguration katib.kubeflow.org webhooks[1].clientConfig.caBundle",
];

const VALIDATING_WEBHOOKS = [
    "ValidatingWebhookConfiguration clusterservingruntime.serving.kserve.io webhooks[0].clientConfig.caBundle",
    "ValidatingWebhookConfiguration inferencegraph.serving.kserve.io webhooks[0].clientConfig.caBundle",
    "ValidatingWebhookConfiguration inferenceservice.serving.kserve.io webhooks[0].clientConfig.caBundle",
    "ValidatingWebhookConfiguration istio-validator-istio-system webhooks[0].failurePolicy",
    "ValidatingWebhookConfiguration katib.kubeflow.org webhooks[0].clientConfig.caBundle",
    "ValidatingWebhookConfiguration servingruntime.serving.kserve.io webhooks[0].clientConfig.caBundle",
    "ValidatingWebhookConfiguration trainedmodel.serving.kserve.io webhooks[0].clientConfig.caBundle",
];
