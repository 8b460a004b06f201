// The install order of Kubernetes objects: Namespaces and CRDs first, and
// everything an admission webhook intercepts after the workloads serving it and
// the webhook configuration declaring it.
// Hand-built minimal objects first, then the rendered Kubeflow 1.8.1 manifests.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { compileLabelSelector, type LabelSelector } from "../core/label-selectors";
import { apiGroup, describeObject, type KubernetesObject, objectKey } from "../core/objects";
import { type InstallPlan, planInstall } from "../components/manifests/ordering/plan";
import { fixturesDirectory, skipWithoutFixtures } from "./requirements";

type Labels = Record<string, string>;

const key = objectKey;

function namespace(name: string, labels?: Labels): KubernetesObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, ...(labels && { labels }) } };
}

function configMap(name: string, namespaceName?: string, labels?: Labels): KubernetesObject {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespaceName && { namespace: namespaceName }), ...(labels && { labels }) }, data: {} };
}

function podTemplate(labels: Labels) {
    return { metadata: { labels }, spec: { containers: [{ name: "main", image: "registry.example.com/app:1.0" }] } };
}

function workload(name: string, namespaceName: string, podLabels: Labels, kind = "Deployment", labels?: Labels): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace: namespaceName, ...(labels && { labels }) },
        spec: { selector: { matchLabels: podLabels }, template: podTemplate(podLabels) },
    };
}

function cronJob(name: string, namespaceName: string, podLabels: Labels): KubernetesObject {
    return { apiVersion: "batch/v1", kind: "CronJob", metadata: { name, namespace: namespaceName }, spec: { schedule: "@daily", jobTemplate: { spec: { template: podTemplate(podLabels) } } } };
}

function service(name: string, namespaceName: string, selector?: Labels): KubernetesObject {
    return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: namespaceName }, spec: { ...(selector && { selector }), ports: [{ port: 443, targetPort: 9443 }] } };
}

function crd(kind: string, plural: string, options: { group?: string; scope?: "Namespaced" | "Cluster"; versions?: { name: string; served: boolean }[] } = {}): KubernetesObject {
    const group = options.group ?? "example.com";
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.${group}` },
        spec: {
            group,
            names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
            scope: options.scope ?? "Namespaced",
            versions: (options.versions ?? [{ name: "v1", served: true }]).map((version, index) => ({ ...version, storage: index === 0, schema: { openAPIV3Schema: { type: "object" } } })),
        },
    };
}

function custom(kind: string, name: string, namespaceName?: string, apiVersion = "example.com/v1", labels?: Labels): KubernetesObject {
    return { apiVersion, kind, metadata: { name, ...(namespaceName && { namespace: namespaceName }), ...(labels && { labels }) }, spec: {} };
}

/** A webhook served by Service hooks/hook-server, intercepting creates and updates of example.com/v1 widgets unless overridden. */
function webhook(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name,
        clientConfig: { service: { namespace: "hooks", name: "hook-server", path: "/validate" } },
        rules: [rule()],
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        ...overrides,
    };
}

function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { apiGroups: ["example.com"], apiVersions: ["v1"], resources: ["widgets"], operations: ["CREATE", "UPDATE"], ...overrides };
}

function webhookConfiguration(name: string, webhooks: Record<string, unknown>[], kind = "ValidatingWebhookConfiguration"): KubernetesObject {
    return { apiVersion: "admissionregistration.k8s.io/v1", kind, metadata: { name }, webhooks };
}

// The webhook server: a Deployment and its Service in namespace hooks (whose Namespace object is left out unless a test adds it).
const hookServer = workload("hook-server", "hooks", { app: "hook-server" });
const hookService = service("hook-server", "hooks", { app: "hook-server" });
const widgets = crd("Widget", "widgets");

/** The objects that depend on `on`, as `Kind namespace/name`, in input order. */
function dependentsOf(plan: InstallPlan, on: KubernetesObject, objects: KubernetesObject[]): string[] {
    return objects.filter((object) => plan.dependencies.get(key(object))?.some((dependency) => dependency.on === key(on))).map(describeObject);
}

/** The objects the webhook(s) in `configuration` make wait for Deployment hooks/hook-server (and so for `configuration` too). */
function admittedBy(configuration: KubernetesObject, candidates: KubernetesObject[]): string[] {
    const objects = [hookServer, hookService, configuration, ...candidates];
    const plan = planInstall(objects);
    const admitted = dependentsOf(plan, hookServer, objects);
    // Every object that waits for the webhook's server also waits for the configuration that registers the webhook.
    expect(dependentsOf(plan, configuration, objects)).toEqual(admitted);
    return admitted;
}

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
        const reader: KubernetesObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader", namespace: "team" }, rules: [] };
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
            { on: key(hookServer), reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration widgets (webhook widgets.example.com), which admits it" },
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
        expect(plan.dependencies.get(key(widget))?.map((dependency) => dependency.on)).toEqual([key(widgets), key(hookServer), key(validator), key(replica), key(agent)]);
        expect(plan.dependencies.get(key(widget))?.[2]).toEqual({
            on: key(validator),
            reason: "ValidatingWebhookConfiguration widgets must be registered first, or the API server would not call it for it",
        });
    });

    it("merges every webhook one workload serves into one dependency per object, and adds one per webhook configuration", () => {
        const widget = custom("Widget", "w");
        const mutating = webhookConfiguration("widgets", [webhook("default.widgets.example.com"), webhook("labels.widgets.example.com")], "MutatingWebhookConfiguration");
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
        const candidates = [widgets, otherWidgets, custom("Widget", "a"), custom("Widget", "b", undefined, "other.io/v2"), custom("Gadget", "c"), custom("Gadget", "d", undefined, "other.io/v1")];
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
        const scaler: KubernetesObject = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "scaler", namespace: "team" }, spec: {} };
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
            { on: key(hookServer), reason: "Deployment hooks/hook-server serves MutatingWebhookConfiguration sidecar-injector (webhook namespace.sidecar-injector.example.com), which admits its pods" },
            { on: key(injector), reason: "MutatingWebhookConfiguration sidecar-injector must be registered first, or the API server would not call it for its pods" },
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
        const candidates = [widgets, crd("Gizmo", "gizmos", { scope: "Cluster" }), namespace("team"), namespace("other"), custom("Widget", "a", "team"), custom("Widget", "b", "other"), custom("Gizmo", "g")];
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
        expect(admittedBy(configuration, [widgets, namespace("team", { tier: "system" }), custom("Widget", "w", "team", "example.com/v1", { app: "w" })])).toEqual(["Widget team/w"]);
    });

    it("matches an objectSelector against the object's own labels", () => {
        const configuration = webhookConfiguration("widgets", [webhook("widgets.example.com", { objectSelector: { matchLabels: { managed: "true" } } })]);
        const candidates = [widgets, custom("Widget", "managed", undefined, "example.com/v1", { managed: "true" }), custom("Widget", "unmanaged", undefined, "example.com/v1", { managed: "false" }), custom("Widget", "bare")];
        expect(admittedBy(configuration, candidates)).toEqual(["Widget managed"]);
    });

    it("never makes a webhook configuration wait, since the API server calls no webhook for them", () => {
        const configuration = webhookConfiguration("cluster", [
            webhook("cluster.example.com", { rules: [rule({ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], scope: "Cluster" })] }),
        ]);
        const reader: KubernetesObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] };
        const candidates = [webhookConfiguration("other", [webhook("other.example.com")]), webhookConfiguration("other", [webhook("other.example.com")], "MutatingWebhookConfiguration"), reader];
        expect(admittedBy(configuration, candidates)).toEqual(["ClusterRole reader"]);
    });

    it("makes an admitted object wait for the webhook configuration too, so the API server calls the webhook for it", () => {
        // Both configurations come last in the input: the objects they admit must move after them.
        const validator = webhookConfiguration("admission", [webhook("widgets.example.com"), webhook("deployments.example.com", { rules: [rule({ apiGroups: ["apps"], resources: ["deployments"] })] })]);
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
            { on: key(hookServer), reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration admission (webhook widgets.example.com), which admits it" },
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
        expect([plan.dependencies.get(key(validator)), plan.dependencies.get(key(mutator)), plan.dependencies.get(key(settings)), plan.dependencies.get(key(hookService))]).toEqual([[], [], [], []]);
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

describe("planInstall: cycles", () => {
    it("leaves out and reports the dependency of a webhook's own Deployment on itself, and on the webhook's configuration with it", () => {
        const configuration = webhookConfiguration("deployments", [webhook("deployments.example.com", { rules: [rule({ apiGroups: ["apps"], resources: ["deployments"] })] })]);
        const web = workload("web", "team", { app: "web" });
        const plan = planInstall([hookServer, hookService, configuration, web]);
        expect(plan.dependencies.get(key(hookServer))).toEqual([]);
        expect(plan.dependencies.get(key(web))).toEqual([
            { on: key(hookServer), reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration deployments (webhook deployments.example.com), which admits it" },
            { on: key(configuration), reason: "ValidatingWebhookConfiguration deployments must be registered first, or the API server would not call it for it" },
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
        const configuration = webhookConfiguration("namespaces", [webhook("namespaces.example.com", { rules: [rule({ apiGroups: [""], resources: ["namespaces"] })] })]);
        const plan = planInstall([hooks, hookServer, hookService, configuration, team]);
        expect(plan.dependencies.get(key(team))).toEqual([
            { on: key(hookServer), reason: "Deployment hooks/hook-server serves ValidatingWebhookConfiguration namespaces (webhook namespaces.example.com), which admits it" },
            { on: key(configuration), reason: "ValidatingWebhookConfiguration namespaces must be registered first, or the API server would not call it for it" },
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
        ["matchLabels and matchExpressions that both hold", { matchLabels: { app: "web" }, matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
        ["matchLabels that holds with a matchExpression that does not", { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] }, false],
        ["matchLabels that does not hold with a matchExpression that does", { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "Exists" }] }, false],
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
        [{ key: "tier", operator: "In", values: [] }, 'Invalid label selector: objectSelector of webhook x, matchExpressions[0] (key "tier") uses In with no values; the API server requires at least one.'],
        [{ key: "tier", operator: "Exists", values: ["a"] }, 'Invalid label selector: objectSelector of webhook x, matchExpressions[0] (key "tier") uses Exists with values ["a"]; it must have none.'],
        [{ key: "tier", operator: "Equals", values: ["a"] }, 'Invalid label selector: objectSelector of webhook x, matchExpressions[0] has operator "Equals"; use one of In, NotIn, Exists, DoesNotExist.'],
    ])("rejects the invalid requirement %j", (requirement, message) => {
        expect(() => compileLabelSelector({ matchExpressions: [requirement] }, "objectSelector of webhook x")).toThrow(new Error(message));
    });
});

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
                { on: mutating, reason: "MutatingWebhookConfiguration cert-manager-webhook must be registered first, or the API server would not call it for it" },
                { on: validating, reason: "ValidatingWebhookConfiguration cert-manager-webhook must be registered first, or the API server would not call it for it" },
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
            expect(plan.dependencies.get(key(object))).toContainEqual({ on: key(definition), reason: `CustomResourceDefinition ${definition.metadata.name} defines ${object.kind}` });
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
        expect(clusterScoped.map(describeObject)).toEqual(["ClusterIssuer cert-manager/kubeflow-self-signing-issuer", "CompositeController kubeflow/kubeflow-pipelines-profile-controller"]);
        const namespaced = inNamespaces.filter((object) => !clusterScoped.includes(object));
        expect(namespaced).toHaveLength(333);
        for (const object of namespaced) {
            const namespaceName = object.metadata.namespace!;
            expect(plan.dependencies.get(key(object))).toContainEqual({ on: key(namespaces.get(namespaceName)!), reason: `Namespace ${namespaceName} must exist` });
        }
        for (const object of clusterScoped) {
            expect(plan.dependencies.get(key(object))?.filter((dependency) => dependency.reason.startsWith("Namespace "))).toEqual([]);
        }
    });

    it("orders every object after all its dependencies", () => {
        const position = new Map(plan.order.map((object, index) => [key(object), index]));
        expect(position.size).toBe(objects.length);
        const misplaced = [...plan.dependencies].flatMap(([from, dependencies]) => dependencies.filter(({ on }) => position.get(on)! >= position.get(from)!).map(({ on }) => `${from} before ${on}`));
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
        expect(countWaitingFor(key(find("ValidatingWebhookConfiguration", undefined, "istio-validator-istio-system")))).toEqual([["EnvoyFilter istio-system", 10]]);
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
