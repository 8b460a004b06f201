// The install order of the rendered Kubeflow 1.8.1 manifests.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { apiGroup, describeObject, type KubernetesObject } from "../../core/objects";
import { type InstallPlan, planInstall } from "../../components/manifests/ordering/plan";
import { fixturesDirectory, skipWithoutFixtures } from "../requirements";
import { key, type Labels } from "./ordering-fixtures";

// The rendered Kubeflow 1.8.1 platform, with Training Operator v1.8.0 (which has a webhook) in place of
// the bundled v1.7.0, and without the example user's Profile.
const skipFixtures = skipWithoutFixtures("the planInstall tests on the Kubeflow 1.8.1 manifests");

function readKubeflow(directory: string): KubernetesObject[] {
    const kubeflow = join(directory, "kubeflow-v1.8.1");
    const files = readdirSync(kubeflow)
        .filter((file) => /^\d\d-.*\.yaml$/.test(file) && file !== "26-user-namespace.yaml")
        .sort()
        .map((file) => (file === "25-training-operator.yaml" ? join(directory, "training-operator-v1.8.0", "kubeflow.yaml") : join(kubeflow, file)));
    return files.flatMap((file) =>
        parseAllDocuments(readFileSync(file, "utf8"))
            .map((document) => document.toJS() as KubernetesObject | null)
            .filter((object): object is KubernetesObject => object !== null),
    );
}

describe.skipIf(skipFixtures)("planInstall on the Kubeflow 1.8.1 manifests", () => {
    let objects: KubernetesObject[];
    let plan: InstallPlan;
    const find = (kind: string, namespaceName: string | undefined, name: string) =>
        objects.find((object) => object.kind === kind && object.metadata.namespace === namespaceName && object.metadata.name === name)!;
    const dependencyCount = (pattern: RegExp) => [...plan.dependencies.values()].flat().filter((dependency) => pattern.test(dependency.reason)).length;

    beforeAll(() => {
        objects = readKubeflow(fixturesDirectory());
        plan = planInstall(objects);
    });

    it("plans 634 objects with 333 Namespace, 83 CustomResourceDefinition, 69 webhook and 80 webhook configuration dependencies, and no cycle to break", () => {
        expect(objects).toHaveLength(634);
        expect(plan.order).toHaveLength(634);
        expect([
            dependencyCount(/^Namespace \S+ must exist$/),
            dependencyCount(/^CustomResourceDefinition \S+ defines \S+$/),
            dependencyCount(/ serves .*, which admits? /),
            dependencyCount(/^(Mutating|Validating)WebhookConfiguration \S+ must be registered first, or the API server would not call it for (it|its pods)$/),
        ]).toEqual([333, 83, 69, 80]);
        expect([...plan.dependencies.values()].flat()).toHaveLength(333 + 83 + 69 + 80);
        expect(plan.brokenCycles).toEqual([]);
    });

    it("makes every cert-manager.io Issuer, ClusterIssuer and Certificate depend on Deployment cert-manager/cert-manager-webhook and both its webhook configurations", () => {
        const webhookServer = key(find("Deployment", "cert-manager", "cert-manager-webhook"));
        const mutating = key(find("MutatingWebhookConfiguration", undefined, "cert-manager-webhook"));
        const validating = key(find("ValidatingWebhookConfiguration", undefined, "cert-manager-webhook"));
        const certManagerObjects = objects.filter((object) => apiGroup(object.apiVersion) === "cert-manager.io");
        expect(certManagerObjects.map(describeObject)).toEqual([
            "ClusterIssuer cert-manager/kubeflow-self-signing-issuer",
            "Certificate kubeflow/kfp-cache-cert",
            "Issuer kubeflow/kfp-cache-selfsigned-issuer",
            "Certificate kubeflow/katib-webhook-cert",
            "Issuer kubeflow/katib-selfsigned-issuer",
            "Certificate kubeflow/admission-webhook-cert",
            "Issuer kubeflow/admission-webhook-selfsigned-issuer",
            "Certificate kubeflow/pvcviewer-serving-cert",
            "Issuer kubeflow/pvcviewer-selfsigned-issuer",
            "Certificate kubeflow/serving-cert",
            "Issuer kubeflow/selfsigned-issuer",
        ]);
        for (const object of certManagerObjects) {
            expect(plan.dependencies.get(key(object))?.find((dependency) => dependency.on === webhookServer)).toEqual({
                on: webhookServer,
                reason:
                    "Deployment cert-manager/cert-manager-webhook serves MutatingWebhookConfiguration cert-manager-webhook (webhook webhook.cert-manager.io) " +
                    "and ValidatingWebhookConfiguration cert-manager-webhook (webhook webhook.cert-manager.io), which admit it",
            });
            expect(plan.dependencies.get(key(object))?.filter((dependency) => dependency.on === mutating || dependency.on === validating)).toEqual([
                {
                    on: mutating,
                    reason: "MutatingWebhookConfiguration cert-manager-webhook must be registered first, or the API server would not call it for it",
                },
                {
                    on: validating,
                    reason: "ValidatingWebhookConfiguration cert-manager-webhook must be registered first, or the API server would not call it for it",
                },
            ]);
        }
    });

    it("makes every custom resource depend on its CustomResourceDefinition", () => {
        const definitions = new Map(
            objects
                .filter((object) => object.kind === "CustomResourceDefinition")
                .map((definition) => {
                    const spec = definition["spec"] as { group: string; names: { kind: string } };
                    return [`${spec.group}/${spec.names.kind}`, definition] as const;
                }),
        );
        const customResources = objects.filter((object) => definitions.has(`${apiGroup(object.apiVersion)}/${object.kind}`));
        expect(customResources).toHaveLength(83);
        for (const object of customResources) {
            const definition = definitions.get(`${apiGroup(object.apiVersion)}/${object.kind}`)!;
            expect(plan.dependencies.get(key(object))).toContainEqual({
                on: key(definition),
                reason: `CustomResourceDefinition ${definition.metadata.name} defines ${object.kind}`,
            });
        }
    });

    it("makes every namespaced object whose Namespace is in the set depend on it, but not the cluster-scoped objects kustomize gave a namespace", () => {
        const namespaces = new Map(objects.filter((object) => object.kind === "Namespace").map((object) => [object.metadata.name, object]));
        expect([...namespaces.keys()]).toEqual(["cert-manager", "istio-system", "auth", "knative-serving", "knative-eventing", "kubeflow"]);
        const clusterScopedKinds = new Set(
            objects
                .filter((object) => object.kind === "CustomResourceDefinition" && (object["spec"] as { scope: string }).scope === "Cluster")
                .map((definition) => `${(definition["spec"] as { group: string }).group}/${(definition["spec"] as { names: { kind: string } }).names.kind}`),
        );
        const inNamespaces = objects.filter((object) => object.metadata.namespace !== undefined && namespaces.has(object.metadata.namespace));
        const clusterScoped = inNamespaces.filter((object) => clusterScopedKinds.has(`${apiGroup(object.apiVersion)}/${object.kind}`));
        expect(clusterScoped.map(describeObject)).toEqual([
            "ClusterIssuer cert-manager/kubeflow-self-signing-issuer",
            "CompositeController kubeflow/kubeflow-pipelines-profile-controller",
        ]);
        const namespaced = inNamespaces.filter((object) => !clusterScoped.includes(object));
        expect(namespaced).toHaveLength(333);
        for (const object of namespaced) {
            const namespaceName = object.metadata.namespace!;
            expect(plan.dependencies.get(key(object))).toContainEqual({
                on: key(namespaces.get(namespaceName)!),
                reason: `Namespace ${namespaceName} must exist`,
            });
        }
        for (const object of clusterScoped) {
            expect(plan.dependencies.get(key(object))?.filter((dependency) => dependency.reason.startsWith("Namespace "))).toEqual([]);
        }
    });

    it("orders every object after all its dependencies", () => {
        const position = new Map(plan.order.map((object, index) => [key(object), index]));
        expect(position.size).toBe(objects.length);
        const misplaced = [...plan.dependencies].flatMap(([from, dependencies]) =>
            dependencies.filter(({ on }) => position.get(on)! >= position.get(from)!).map(({ on }) => `${from} before ${on}`),
        );
        expect(misplaced).toEqual([]);
    });

    it("makes the kubeflow Deployments whose pods the Istio sidecar injector admits depend on Deployment istio-system/istiod and on the injector's configuration", () => {
        expect(find("Namespace", undefined, "kubeflow").metadata.labels).toEqual({ "control-plane": "kubeflow", "istio-injection": "enabled" });
        const injector = find("MutatingWebhookConfiguration", undefined, "istio-sidecar-injector")["webhooks"] as Record<string, unknown>[];
        const byNamespace = injector.find((candidate) => candidate["name"] === "namespace.sidecar-injector.istio.io")!;
        expect([byNamespace["namespaceSelector"], byNamespace["objectSelector"]]).toEqual([
            { matchExpressions: [{ key: "istio-injection", operator: "In", values: ["enabled"] }] },
            { matchExpressions: [{ key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] }] },
        ]);
        const istiod = key(find("Deployment", "istio-system", "istiod"));
        const sidecarInjector = key(find("MutatingWebhookConfiguration", undefined, "istio-sidecar-injector"));
        const kubeflowDeployments = objects.filter((object) => object.kind === "Deployment" && object.metadata.namespace === "kubeflow");
        const admitted = kubeflowDeployments.filter((deployment) => {
            const template = (deployment["spec"] as { template: { metadata?: { labels?: Labels } } }).template;
            return template.metadata?.labels?.["sidecar.istio.io/inject"] !== "false";
        });
        // Opting out with the sidecar.istio.io/inject *annotation* (katib-controller, kserve-controller-manager,
        // training-operator, ...) still sends the pod to the webhook, which then declines to inject: it must be up.
        expect(admitted).toEqual(kubeflowDeployments);
        expect(admitted).toHaveLength(30);
        for (const deployment of admitted) {
            expect(plan.dependencies.get(key(deployment))).toContainEqual({
                on: istiod,
                reason: "Deployment istio-system/istiod serves MutatingWebhookConfiguration istio-sidecar-injector (webhook namespace.sidecar-injector.istio.io), which admits its pods",
            });
            expect(plan.dependencies.get(key(deployment))).toContainEqual({
                on: sidecarInjector,
                reason: "MutatingWebhookConfiguration istio-sidecar-injector must be registered first, or the API server would not call it for its pods",
            });
        }
        const countWaitingFor = (on: string) => {
            const counts = new Map<string, number>();
            for (const object of objects.filter((candidate) => plan.dependencies.get(key(candidate))!.some((dependency) => dependency.on === on))) {
                counts.set(`${object.kind} ${object.metadata.namespace}`, (counts.get(`${object.kind} ${object.metadata.namespace}`) ?? 0) + 1);
            }
            return [...counts];
        };
        expect(countWaitingFor(istiod)).toEqual([
            ["EnvoyFilter istio-system", 10],
            ["Deployment knative-serving", 8],
            ["Deployment kubeflow", 30],
            ["StatefulSet kubeflow", 1],
        ]);
        // istiod also serves ValidatingWebhookConfiguration istio-validator-istio-system, which admits the EnvoyFilters.
        expect(countWaitingFor(sidecarInjector)).toEqual([
            ["Deployment knative-serving", 8],
            ["Deployment kubeflow", 30],
            ["StatefulSet kubeflow", 1],
        ]);
        expect(countWaitingFor(key(find("ValidatingWebhookConfiguration", undefined, "istio-validator-istio-system")))).toEqual([
            ["EnvoyFilter istio-system", 10],
        ]);
    });

    it("makes the nine ClusterServingRuntimes wait for Deployment kubeflow/kserve-controller-manager and its webhook configuration, the longest chain of 3 dependencies", () => {
        const kserve = key(find("Deployment", "kubeflow", "kserve-controller-manager"));
        const runtimes = objects.filter((object) => object.kind === "ClusterServingRuntime");
        expect(runtimes).toHaveLength(9);
        expect(runtimes.map((runtime) => plan.dependencies.get(key(runtime))!.map((dependency) => dependency.on))).toEqual(
            runtimes.map(() => [
                "apiextensions.k8s.io/CustomResourceDefinition//clusterservingruntimes.serving.kserve.io",
                kserve,
                "admissionregistration.k8s.io/ValidatingWebhookConfiguration//clusterservingruntime.serving.kserve.io",
            ]),
        );
        for (const runtime of runtimes) {
            expect(plan.dependencies.get(key(runtime))![2]!.reason).toBe(
                "ValidatingWebhookConfiguration clusterservingruntime.serving.kserve.io must be registered first, or the API server would not call it for it",
            );
        }
        const depth = new Map<string, number>();
        for (const object of plan.order) {
            depth.set(key(object), Math.max(0, ...plan.dependencies.get(key(object))!.map((dependency) => depth.get(dependency.on)! + 1)));
        }
        expect(Math.max(...depth.values())).toBe(3);
        expect(objects.filter((object) => depth.get(key(object)) === 3).map(describeObject)).toEqual(runtimes.map(describeObject));
    });
});
