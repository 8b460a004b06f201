// The install order of Kubernetes objects: Namespaces and CRDs first, cycles
// broken or reported, and otherwise the input order kept.
import { describe, expect, it } from "vitest";
import { compileLabelSelector, type LabelSelector } from "../../core/label-selectors";
import { describeObject, type KubernetesObject } from "../../core/objects";
import { planInstall } from "../../components/manifests/ordering/plan";
import {
    key,
    namespace,
    configMap,
    workload,
    service,
    crd,
    custom,
    webhook,
    rule,
    webhookConfiguration,
    hookServer,
    hookService,
    widgets,
} from "./ordering-fixtures";

describe("planInstall: Namespaces", () => {
    it("makes a namespaced object depend on the Namespace of its metadata.namespace", () => {
        const team = namespace("team");
        const settings = configMap("settings", "team");
        const plan = planInstall([settings, team]);
        expect(plan.dependencies).toEqual(
            new Map([
                [key(settings), [{ on: key(team), reason: "Namespace team must exist" }]],
                [key(team), []],
            ]),
        );
        expect(plan.order).toEqual([team, settings]);
        expect(plan.brokenCycles).toEqual([]);
    });

    it("adds no Namespace dependency when the Namespace is not among the objects or the object is cluster-scoped", () => {
        // kustomize's namespace transformer sets metadata.namespace on cluster-scoped kinds it does not know.
        const reader: KubernetesObject = {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "reader", namespace: "team" },
            rules: [],
        };
        const elsewhere = configMap("settings", "elsewhere");
        const plan = planInstall([namespace("team"), reader, elsewhere]);
        expect([...plan.dependencies.values()]).toEqual([[], [], []]);
    });
});

describe("planInstall: custom resources", () => {
    it("makes a custom resource depend on the CustomResourceDefinition of its group and kind", () => {
        const widget = custom("Widget", "w", "team");
        const foreignWidget = custom("Widget", "f", "team", "other.io/v1");
        const team = namespace("team");
        const plan = planInstall([widget, foreignWidget, team, widgets]);
        expect(plan.dependencies.get(key(widget))).toEqual([
            { on: key(team), reason: "Namespace team must exist" },
            { on: key(widgets), reason: "CustomResourceDefinition widgets.example.com defines Widget" },
        ]);
        expect(plan.dependencies.get(key(foreignWidget))).toEqual([{ on: key(team), reason: "Namespace team must exist" }]);
        expect(plan.dependencies.get(key(widgets))).toEqual([]);
        expect(plan.order.map(describeObject)).toEqual(["Namespace team", "Widget team/f", "CustomResourceDefinition widgets.example.com", "Widget team/w"]);
    });
});

describe("planInstall: cycles", () => {
    it("leaves out and reports the dependency of a webhook's own Deployment on itself, and on the webhook's configuration with it", () => {
        const configuration = webhookConfiguration("deployments", [
            webhook("deployments.example.com", { rules: [rule({ apiGroups: ["apps"], resources: ["deployments"] })] }),
        ]);
        const web = workload("web", "team", { app: "web" });
        const plan = planInstall([hookServer, hookService, configuration, web]);
        expect(plan.dependencies.get(key(hookServer))).toEqual([]);
        expect(plan.dependencies.get(key(web))).toEqual([
            {
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration deployments (webhook deployments.example.com), which admits it",
            },
            {
                on: key(configuration),
                reason: "ValidatingWebhookConfiguration deployments must be registered first, or the API server would not call it for it",
            },
        ]);
        expect(plan.brokenCycles).toEqual([
            {
                from: key(hookServer),
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration deployments (webhook deployments.example.com), which admits it, but Deployment hooks/hook-server cannot wait for itself",
            },
        ]);
    });

    it("breaks a cycle between two webhook servers that admit each other's pods, naming the path, and keeps the configuration dependency only on the side kept", () => {
        const serverA = workload("a", "a", { app: "a" });
        const serverB = workload("b", "b", { app: "b" });
        const podHook = (server: string, admits: string) =>
            webhook(`pods.${server}.example.com`, {
                clientConfig: { service: { namespace: server, name: server } },
                rules: [rule({ apiGroups: [""], resources: ["pods"] })],
                objectSelector: { matchLabels: { app: admits } },
            });
        const aPods = webhookConfiguration("a-pods", [podHook("a", "b")], "MutatingWebhookConfiguration");
        const bPods = webhookConfiguration("b-pods", [podHook("b", "a")], "MutatingWebhookConfiguration");
        const plan = planInstall([serverA, service("a", "a", { app: "a" }), serverB, service("b", "b", { app: "b" }), aPods, bPods]);
        expect(plan.dependencies.get(key(serverB))).toEqual([
            { on: key(serverA), reason: "Deployment a/a serves MutatingWebhookConfiguration a-pods (webhook pods.a.example.com), which admits its pods" },
            { on: key(aPods), reason: "MutatingWebhookConfiguration a-pods must be registered first, or the API server would not call it for its pods" },
        ]);
        expect(plan.dependencies.get(key(serverA))).toEqual([]);
        expect(plan.dependencies.get(key(bPods))).toEqual([]);
        expect(plan.brokenCycles).toEqual([
            {
                from: key(serverA),
                on: key(serverB),
                reason:
                    "Deployment b/b serves MutatingWebhookConfiguration b-pods (webhook pods.b.example.com), which admits its pods, " +
                    "but waiting for it would close the cycle Deployment a/a → Deployment b/b → Deployment a/a",
            },
        ]);
        // Deployment b/b now also waits for MutatingWebhookConfiguration a-pods, which comes after Service b/b in the input.
        expect(plan.order.map(describeObject)).toEqual([
            "Deployment a/a",
            "Service a/a",
            "Service b/b",
            "MutatingWebhookConfiguration a-pods",
            "Deployment b/b",
            "MutatingWebhookConfiguration b-pods",
        ]);
    });

    it("breaks the cycle of a webhook that admits the Namespace its own server lives in", () => {
        const hooks = namespace("hooks");
        const team = namespace("team");
        const configuration = webhookConfiguration("namespaces", [
            webhook("namespaces.example.com", { rules: [rule({ apiGroups: [""], resources: ["namespaces"] })] }),
        ]);
        const plan = planInstall([hooks, hookServer, hookService, configuration, team]);
        expect(plan.dependencies.get(key(team))).toEqual([
            {
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration namespaces (webhook namespaces.example.com), which admits it",
            },
            {
                on: key(configuration),
                reason: "ValidatingWebhookConfiguration namespaces must be registered first, or the API server would not call it for it",
            },
        ]);
        expect(plan.dependencies.get(key(hooks))).toEqual([]);
        expect(plan.brokenCycles).toEqual([
            {
                from: key(hooks),
                on: key(hookServer),
                reason:
                    "Deployment hooks/hook-server serves ValidatingWebhookConfiguration namespaces (webhook namespaces.example.com), which admits it, " +
                    "but waiting for it would close the cycle Namespace hooks → Deployment hooks/hook-server → Namespace hooks",
            },
        ]);
    });

    it("throws an error naming the cycle when a CustomResourceDefinition defines its own kind", () => {
        const selfDefined = crd("CustomResourceDefinition", "customresourcedefinitions", { group: "apiextensions.k8s.io" });
        const name = "CustomResourceDefinition customresourcedefinitions.apiextensions.k8s.io";
        expect(() => planInstall([widgets, selfDefined])).toThrow(
            new Error(
                `The install dependencies form a cycle, so none of these objects can be created first: ${name} → ${name} ` +
                    `(${name} needs ${name}: CustomResourceDefinition customresourcedefinitions.apiextensions.k8s.io defines CustomResourceDefinition).`,
            ),
        );
    });

    it("throws when two objects have the same identity", () => {
        expect(() => planInstall([configMap("settings", "team"), namespace("team"), configMap("settings", "team")])).toThrow(
            new Error("Objects at input positions 0 and 2 are both ConfigMap team/settings (/ConfigMap/team/settings); remove one of them."),
        );
    });
});

describe("planInstall: order", () => {
    it("puts every object after its dependencies and otherwise keeps the input order", () => {
        const objects = [
            configMap("settings", "team"),
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] },
            namespace("team"),
            custom("Widget", "w", "team"),
            widgets,
        ];
        expect(planInstall(objects).order.map(describeObject)).toEqual([
            "ClusterRole reader",
            "Namespace team",
            "ConfigMap team/settings",
            "CustomResourceDefinition widgets.example.com",
            "Widget team/w",
        ]);
    });

    it("keeps the input order exactly when nothing depends on anything", () => {
        const objects = [configMap("b"), configMap("a"), configMap("c")];
        expect(planInstall(objects).order).toEqual(objects);
    });
});

describe("compileLabelSelector", () => {
    const labels = { app: "web", tier: "frontend" };

    it.each<[string, LabelSelector, boolean]>([
        ["In with the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["backend", "frontend"] }] }, true],
        ["In without the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] }, false],
        ["In on a missing key", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
        ["NotIn with the value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] }, false],
        ["NotIn without the value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] }, true],
        ["NotIn on a missing key", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
        ["Exists on a present key", { matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
        ["Exists on a missing key", { matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
        ["DoesNotExist on a present key", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
        ["DoesNotExist on a missing key", { matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
        [
            "matchLabels and matchExpressions that both hold",
            { matchLabels: { app: "web" }, matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] },
            true,
        ],
        [
            "matchLabels that holds with a matchExpression that does not",
            { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] },
            false,
        ],
        [
            "matchLabels that does not hold with a matchExpression that does",
            { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "Exists" }] },
            false,
        ],
        ["an empty selector", {}, true],
    ])("evaluates %s against {app: web, tier: frontend} as %s", (_, selector, expected) => {
        expect(compileLabelSelector(selector, "test selector").matches(labels)).toBe(expected);
    });

    it("treats absent and empty selectors as empty ones that match everything, even objects without labels", () => {
        for (const selector of [undefined, null, {}, { matchLabels: null, matchExpressions: null }]) {
            const compiled = compileLabelSelector(selector, "test selector");
            expect([compiled.empty, compiled.matches(undefined), compiled.matches(labels)]).toEqual([true, true, true]);
        }
    });

    it.each([
        [
            { key: "tier", operator: "In", values: [] },
            'Invalid label selector: objectSelector of webhook x, matchExpressions[0] (key "tier") uses In with no values; the API server requires at least one.',
        ],
        [
            { key: "tier", operator: "Exists", values: ["a"] },
            'Invalid label selector: objectSelector of webhook x, matchExpressions[0] (key "tier") uses Exists with values ["a"]; it must have none.',
        ],
        [
            { key: "tier", operator: "Equals", values: ["a"] },
            'Invalid label selector: objectSelector of webhook x, matchExpressions[0] has operator "Equals"; use one of In, NotIn, Exists, DoesNotExist.',
        ],
    ])("rejects the invalid requirement %j", (requirement, message) => {
        expect(() => compileLabelSelector({ matchExpressions: [requirement] }, "objectSelector of webhook x")).toThrow(new Error(message));
    });
});
