// The install order around admission webhooks: everything a webhook intercepts
// comes after the workloads serving it and the configuration declaring it.
import { describe, expect, it } from "vitest";
import { describeObject, type KubernetesObject } from "../../core/objects";
import { planInstall } from "../../components/manifests/ordering/plan";
import {
    key,
    namespace,
    configMap,
    workload,
    cronJob,
    service,
    crd,
    custom,
    webhook,
    rule,
    webhookConfiguration,
    hookServer,
    hookService,
    widgets,
    dependentsOf,
    admittedBy,
} from "./ordering-fixtures";

describe("planInstall: admission webhooks", () => {
    it("makes an object a webhook admits on CREATE depend on the workloads behind the webhook's Service and on its configuration, and nothing else on them", () => {
        const team = namespace("team");
        const widget = custom("Widget", "w", "team");
        const settings = configMap("settings", "team");
        const validator = webhookConfiguration("widgets", [webhook("widgets.example.com")]);
        const plan = planInstall([team, widgets, hookServer, hookService, validator, widget, settings]);
        expect(plan.dependencies.get(key(widget))).toEqual([
            { on: key(team), reason: "Namespace team must exist" },
            { on: key(widgets), reason: "CustomResourceDefinition widgets.example.com defines Widget" },
            {
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration widgets (webhook widgets.example.com), which admits it",
            },
            { on: key(validator), reason: "ValidatingWebhookConfiguration widgets must be registered first, or the API server would not call it for it" },
        ]);
        expect(plan.dependencies.get(key(validator))).toEqual([]);
        expect(plan.dependencies.get(key(settings))).toEqual([{ on: key(team), reason: "Namespace team must exist" }]);
        expect(dependentsOf(plan, validator, [team, widgets, hookServer, hookService, validator, widget, settings])).toEqual(["Widget team/w"]);
        expect(plan.order.map(describeObject)).toEqual([
            "Namespace team",
            "CustomResourceDefinition widgets.example.com",
            "Deployment hooks/hook-server",
            "Service hooks/hook-server",
            "ValidatingWebhookConfiguration widgets",
            "Widget team/w",
            "ConfigMap team/settings",
        ]);
    });

    it("counts every StatefulSet, DaemonSet and Deployment in the Service's namespace whose pod labels match its selector", () => {
        const replica = workload("hook-replica", "hooks", { app: "hook-server", shard: "b" }, "StatefulSet");
        const agent = workload("hook-agent", "hooks", { app: "hook-server" }, "DaemonSet");
        const otherLabels = workload("hook-ui", "hooks", { app: "hook-ui" });
        const otherNamespace = workload("hook-server", "elsewhere", { app: "hook-server" });
        const widget = custom("Widget", "w");
        const validator = webhookConfiguration("widgets", [webhook("widgets.example.com")]);
        const plan = planInstall([widgets, hookServer, replica, agent, otherLabels, otherNamespace, hookService, validator, widget]);
        // The configuration once, right after the first workload, however many workloads serve its webhook.
        expect(plan.dependencies.get(key(widget))?.map((dependency) => dependency.on)).toEqual([
            key(widgets),
            key(hookServer),
            key(validator),
            key(replica),
            key(agent),
        ]);
        expect(plan.dependencies.get(key(widget))?.[2]).toEqual({
            on: key(validator),
            reason: "ValidatingWebhookConfiguration widgets must be registered first, or the API server would not call it for it",
        });
    });

    it("merges every webhook one workload serves into one dependency per object, and adds one per webhook configuration", () => {
        const widget = custom("Widget", "w");
        const mutating = webhookConfiguration(
            "widgets",
            [webhook("default.widgets.example.com"), webhook("labels.widgets.example.com")],
            "MutatingWebhookConfiguration",
        );
        const validating = webhookConfiguration("widgets", [webhook("widgets.example.com")]);
        const plan = planInstall([widgets, hookServer, hookService, mutating, validating, widget]);
        expect(plan.dependencies.get(key(widget))).toEqual([
            { on: key(widgets), reason: "CustomResourceDefinition widgets.example.com defines Widget" },
            {
                on: key(hookServer),
                reason:
                    "Deployment hooks/hook-server serves MutatingWebhookConfiguration widgets (webhooks default.widgets.example.com, labels.widgets.example.com) " +
                    "and ValidatingWebhookConfiguration widgets (webhook widgets.example.com), which admit it",
            },
            { on: key(mutating), reason: "MutatingWebhookConfiguration widgets must be registered first, or the API server would not call it for it" },
            { on: key(validating), reason: "ValidatingWebhookConfiguration widgets must be registered first, or the API server would not call it for it" },
        ]);
    });

    it("matches wildcard API groups, versions and resources", () => {
        const otherWidgets = crd("Widget", "widgets", { group: "other.io", versions: [{ name: "v2", served: true }] });
        // Gadgets have no CRD here, so their resource name is unknown and only a `*` resource matches them.
        const candidates = [
            widgets,
            otherWidgets,
            custom("Widget", "a"),
            custom("Widget", "b", undefined, "other.io/v2"),
            custom("Gadget", "c"),
            custom("Gadget", "d", undefined, "other.io/v1"),
        ];
        const anyGroup = webhookConfiguration("any-group", [webhook("widgets.example.com", { rules: [rule({ apiGroups: ["*"], apiVersions: ["*"] })] })]);
        const anyResource = webhookConfiguration("any-resource", [webhook("all.example.com", { rules: [rule({ resources: ["*"] })] })]);
        expect(admittedBy(anyGroup, candidates)).toEqual(["Widget a", "Widget b"]);
        expect(admittedBy(anyResource, candidates)).toEqual(["Widget a", "Gadget c"]);
    });

    it.each([
        ["widgets", true],
        ["widgets/status", false],
        ["*/scale", false],
        // The API server splits resource/subresource and lets a `*` subresource match the main resource too.
        ["widgets/*", true],
        ["*/*", true],
        ["gadgets", false],
    ])("matches a rule for resources %j to a create of a widget: %s", (resource, admitted) => {
        const configuration = webhookConfiguration("widgets", [webhook("widgets.example.com", { rules: [rule({ resources: [resource] })] })]);
        expect(admittedBy(configuration, [widgets, custom("Widget", "w")])).toEqual(admitted ? ["Widget w"] : []);
    });

    it.each([
        [["UPDATE"], false],
        [["UPDATE", "DELETE", "CONNECT"], false],
        [["CREATE"], true],
        [["*"], true],
    ])("makes objects wait for a webhook with operations %j: %s", (operations, admitted) => {
        const configuration = webhookConfiguration("widgets", [webhook("widgets.example.com", { rules: [rule({ operations })] })]);
        expect(admittedBy(configuration, [widgets, custom("Widget", "w")])).toEqual(admitted ? ["Widget w"] : []);
    });

    it.each([
        ["Namespaced", ["Widget team/w"]],
        ["Cluster", ["Namespace team", "Gizmo g"]],
        ["*", ["Namespace team", "Widget team/w", "Gizmo g"]],
    ])("honours rule scope %s, a Namespace counting as cluster-scoped", (scope, admitted) => {
        const configuration = webhookConfiguration("scoped", [
            webhook("scoped.example.com", { rules: [rule({ apiGroups: ["", "example.com"], resources: ["widgets", "gizmos", "namespaces"], scope })] }),
        ]);
        const candidates = [widgets, crd("Gizmo", "gizmos", { scope: "Cluster" }), namespace("team"), custom("Widget", "w", "team"), custom("Gizmo", "g")];
        expect(admittedBy(configuration, candidates)).toEqual(admitted);
    });

    it.each([
        ["Equivalent", "v1", ["Widget w2", "HorizontalPodAutoscaler team/scaler"]],
        [undefined, "v1", ["Widget w2", "HorizontalPodAutoscaler team/scaler"]],
        ["Exact", "v1", []],
        // v3 of widgets is not served, so no request can be equivalent to one for it.
        ["Equivalent", "v3", []],
    ])("with matchPolicy %s, applies a rule for %s to the other versions the same resource is served at", (matchPolicy, version, admitted) => {
        const versioned = crd("Widget", "widgets", {
            versions: [
                { name: "v1", served: true },
                { name: "v2", served: true },
                { name: "v3", served: false },
            ],
        });
        const configuration = webhookConfiguration("versions", [
            webhook("versions.example.com", {
                ...(matchPolicy && { matchPolicy }),
                rules: [rule({ apiGroups: ["example.com", "autoscaling"], apiVersions: [version], resources: ["widgets", "horizontalpodautoscalers"] })],
            }),
        ]);
        // autoscaling/v1 and autoscaling/v2 both serve HorizontalPodAutoscalers.
        const scaler: KubernetesObject = {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: { name: "scaler", namespace: "team" },
            spec: {},
        };
        expect(admittedBy(configuration, [versioned, custom("Widget", "w2", undefined, "example.com/v2"), scaler])).toEqual(admitted);
    });

    it("adds no dependency when the webhook's Service selects no workload, has no selector, is not among the objects, or the webhook calls a URL", () => {
        const widget = custom("Widget", "w", "team");
        const toService = (name: string, serviceName: string) => webhook(name, { clientConfig: { service: { namespace: "hooks", name: serviceName } } });
        const plan = planInstall([
            widgets,
            hookServer,
            service("unmatched", "hooks", { app: "nothing-here" }),
            service("selectorless", "hooks"),
            webhookConfiguration("widgets", [
                toService("unmatched.example.com", "unmatched"),
                toService("selectorless.example.com", "selectorless"),
                toService("missing.example.com", "missing"),
                webhook("url.example.com", { clientConfig: { url: "https://hooks.example.com/validate" } }),
            ]),
            widget,
        ]);
        expect(plan.dependencies.get(key(widget))).toEqual([{ on: key(widgets), reason: "CustomResourceDefinition widgets.example.com defines Widget" }]);
    });

    it("makes a webhook with no rules admit nothing, as several of Knative's are rendered (their servers fill the rules in at run time)", () => {
        const configuration = webhookConfiguration("config.webhook.example.com", [webhook("config.webhook.example.com", { rules: undefined })]);
        expect(admittedBy(configuration, [configMap("settings", "team"), custom("Widget", "w")])).toEqual([]);
    });

    it("makes pod-template carriers wait for a pod webhook that selects their namespace and their pod template's labels", () => {
        const injector = webhookConfiguration(
            "sidecar-injector",
            [
                webhook("namespace.sidecar-injector.example.com", {
                    rules: [rule({ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] })],
                    namespaceSelector: { matchLabels: { "istio-injection": "enabled" } },
                    objectSelector: { matchExpressions: [{ key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] }] },
                }),
            ],
            "MutatingWebhookConfiguration",
        );
        const web = workload("web", "mesh", { app: "web" });
        const candidates = [
            namespace("mesh", { "istio-injection": "enabled" }),
            namespace("plain"),
            web,
            workload("opted-out", "mesh", { app: "opted-out", "sidecar.istio.io/inject": "false" }),
            // Only the pod template's labels reach the pods, not the Deployment's own.
            workload("labelled-outside", "mesh", { app: "labelled-outside" }, "Deployment", { "sidecar.istio.io/inject": "false" }),
            cronJob("nightly", "mesh", { app: "nightly" }),
            workload("api", "plain", { app: "api" }),
            configMap("settings", "mesh"),
        ];
        const objects = [hookServer, hookService, injector, ...candidates];
        const plan = planInstall(objects);
        expect(dependentsOf(plan, hookServer, objects)).toEqual(["Deployment mesh/web", "Deployment mesh/labelled-outside", "CronJob mesh/nightly"]);
        expect(dependentsOf(plan, injector, objects)).toEqual(["Deployment mesh/web", "Deployment mesh/labelled-outside", "CronJob mesh/nightly"]);
        expect(plan.dependencies.get(key(web))).toEqual([
            { on: key(candidates[0]!), reason: "Namespace mesh must exist" },
            {
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves MutatingWebhookConfiguration sidecar-injector (webhook namespace.sidecar-injector.example.com), which admits its pods",
            },
            {
                on: key(injector),
                reason: "MutatingWebhookConfiguration sidecar-injector must be registered first, or the API server would not call it for its pods",
            },
        ]);
    });

    it("says when a workload's webhooks admit both an object and its pods", () => {
        const inTeam = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "team" } } };
        const configuration = webhookConfiguration("workloads", [
            webhook("deployments.example.com", { ...inTeam, rules: [rule({ apiGroups: ["apps"], resources: ["deployments"] })] }),
            webhook("pods.example.com", { ...inTeam, rules: [rule({ apiGroups: [""], resources: ["pods"] })] }),
        ]);
        const web = workload("web", "team", { app: "web" });
        const plan = planInstall([namespace("team"), hookServer, hookService, configuration, web]);
        expect(plan.dependencies.get(key(web))).toEqual([
            { on: "/Namespace//team", reason: "Namespace team must exist" },
            {
                on: key(hookServer),
                reason:
                    "Deployment hooks/hook-server serves ValidatingWebhookConfiguration workloads (webhook deployments.example.com), which admits it, " +
                    "and ValidatingWebhookConfiguration workloads (webhook pods.example.com), which admits its pods",
            },
            // One dependency per configuration, naming the first of its webhooks that applies (here the one for the Deployment itself).
            { on: key(configuration), reason: "ValidatingWebhookConfiguration workloads must be registered first, or the API server would not call it for it" },
        ]);
    });

    it("matches a namespaceSelector against the labels of the object's Namespace, kubernetes.io/metadata.name included, and never against cluster-scoped objects", () => {
        const configuration = webhookConfiguration("team-only", [
            webhook("team-only.example.com", {
                rules: [rule({ apiGroups: ["", "example.com"], resources: ["widgets", "gizmos", "namespaces"] })],
                namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["team"] }] },
            }),
        ]);
        const candidates = [
            widgets,
            crd("Gizmo", "gizmos", { scope: "Cluster" }),
            namespace("team"),
            namespace("other"),
            custom("Widget", "a", "team"),
            custom("Widget", "b", "other"),
            custom("Gizmo", "g"),
        ];
        expect(admittedBy(configuration, candidates)).toEqual(["Namespace team", "Widget team/a", "Gizmo g"]);
    });

    it.each([
        [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["system"] }] }, []],
        [{ matchLabels: {} }, ["Widget ghost/w"]],
        [undefined, ["Widget ghost/w"]],
    ])("treats the labels of a namespace missing from the objects as unknown: namespaceSelector %j admits %j", (namespaceSelector, admitted) => {
        const configuration = webhookConfiguration("widgets", [webhook("widgets.example.com", { ...(namespaceSelector && { namespaceSelector }) })]);
        expect(admittedBy(configuration, [widgets, custom("Widget", "w", "ghost")])).toEqual(admitted);
    });

    it.each([
        ["absent", undefined],
        ["null", null],
        ["empty", {}],
        ["with null matchExpressions", { matchExpressions: null }],
    ])("matches an %s namespaceSelector and objectSelector to every object", (_, selector) => {
        const configuration = webhookConfiguration("widgets", [webhook("widgets.example.com", { namespaceSelector: selector, objectSelector: selector })]);
        expect(
            admittedBy(configuration, [widgets, namespace("team", { tier: "system" }), custom("Widget", "w", "team", "example.com/v1", { app: "w" })]),
        ).toEqual(["Widget team/w"]);
    });

    it("matches an objectSelector against the object's own labels", () => {
        const configuration = webhookConfiguration("widgets", [webhook("widgets.example.com", { objectSelector: { matchLabels: { managed: "true" } } })]);
        const candidates = [
            widgets,
            custom("Widget", "managed", undefined, "example.com/v1", { managed: "true" }),
            custom("Widget", "unmanaged", undefined, "example.com/v1", { managed: "false" }),
            custom("Widget", "bare"),
        ];
        expect(admittedBy(configuration, candidates)).toEqual(["Widget managed"]);
    });

    it("never makes a webhook configuration wait, since the API server calls no webhook for them", () => {
        const configuration = webhookConfiguration("cluster", [
            webhook("cluster.example.com", { rules: [rule({ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], scope: "Cluster" })] }),
        ]);
        const reader: KubernetesObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] };
        const candidates = [
            webhookConfiguration("other", [webhook("other.example.com")]),
            webhookConfiguration("other", [webhook("other.example.com")], "MutatingWebhookConfiguration"),
            reader,
        ];
        expect(admittedBy(configuration, candidates)).toEqual(["ClusterRole reader"]);
    });

    it("makes an admitted object wait for the webhook configuration too, so the API server calls the webhook for it", () => {
        // Both configurations come last in the input: the objects they admit must move after them.
        const validator = webhookConfiguration("admission", [
            webhook("widgets.example.com"),
            webhook("deployments.example.com", { rules: [rule({ apiGroups: ["apps"], resources: ["deployments"] })] }),
        ]);
        const mutator = webhookConfiguration(
            "pods",
            [webhook("pods.example.com", { rules: [rule({ apiGroups: [""], resources: ["pods"] })], objectSelector: { matchLabels: { app: "web" } } })],
            "MutatingWebhookConfiguration",
        );
        const widget = custom("Widget", "w");
        const web = workload("web", "team", { app: "web" });
        const settings = configMap("settings");
        const objects = [widgets, hookServer, hookService, widget, web, settings, validator, mutator];
        const plan = planInstall(objects);
        expect(plan.dependencies.get(key(widget))).toEqual([
            { on: key(widgets), reason: "CustomResourceDefinition widgets.example.com defines Widget" },
            {
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration admission (webhook widgets.example.com), which admits it",
            },
            { on: key(validator), reason: "ValidatingWebhookConfiguration admission must be registered first, or the API server would not call it for it" },
        ]);
        expect(plan.dependencies.get(key(web))).toEqual([
            {
                on: key(hookServer),
                reason:
                    "Deployment hooks/hook-server serves ValidatingWebhookConfiguration admission (webhook deployments.example.com), which admits it, " +
                    "and MutatingWebhookConfiguration pods (webhook pods.example.com), which admits its pods",
            },
            { on: key(validator), reason: "ValidatingWebhookConfiguration admission must be registered first, or the API server would not call it for it" },
            { on: key(mutator), reason: "MutatingWebhookConfiguration pods must be registered first, or the API server would not call it for its pods" },
        ]);
        // The webhook server's own Deployment cannot wait for itself, so it does not wait for the configuration either.
        expect(plan.dependencies.get(key(hookServer))).toEqual([]);
        expect(plan.brokenCycles).toEqual([
            {
                from: key(hookServer),
                on: key(hookServer),
                reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration admission (webhook deployments.example.com), which admits it, but Deployment hooks/hook-server cannot wait for itself",
            },
        ]);
        // Configurations wait for nothing (no webhook is called for them), and what no webhook admits waits for no configuration.
        expect([
            plan.dependencies.get(key(validator)),
            plan.dependencies.get(key(mutator)),
            plan.dependencies.get(key(settings)),
            plan.dependencies.get(key(hookService)),
        ]).toEqual([[], [], [], []]);
        expect(dependentsOf(plan, validator, objects)).toEqual(["Widget w", "Deployment team/web"]);
        expect(dependentsOf(plan, mutator, objects)).toEqual(["Deployment team/web"]);
        expect(plan.order.map(describeObject)).toEqual([
            "CustomResourceDefinition widgets.example.com",
            "Deployment hooks/hook-server",
            "Service hooks/hook-server",
            "ConfigMap settings",
            "ValidatingWebhookConfiguration admission",
            "Widget w",
            "MutatingWebhookConfiguration pods",
            "Deployment team/web",
        ]);
    });
});
