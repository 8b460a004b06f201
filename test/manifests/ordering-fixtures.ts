// Minimal hand-built objects for the planInstall tests: Namespaces, ConfigMaps,
// workloads, Services, CRDs, custom resources and webhook configurations, and a
// webhook server in namespace hooks.
import { expect } from "vitest";
import { describeObject, type KubernetesObject, objectKey } from "../../core/objects";
import { type InstallPlan, planInstall } from "../../components/manifests/ordering/plan";

export type Labels = Record<string, string>;

export const key = objectKey;

export function namespace(name: string, labels?: Labels): KubernetesObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, ...(labels && { labels }) } };
}

export function configMap(name: string, namespaceName?: string, labels?: Labels): KubernetesObject {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespaceName && { namespace: namespaceName }), ...(labels && { labels }) }, data: {} };
}

export function podTemplate(labels: Labels) {
    return { metadata: { labels }, spec: { containers: [{ name: "main", image: "registry.example.com/app:1.0" }] } };
}

export function workload(name: string, namespaceName: string, podLabels: Labels, kind = "Deployment", labels?: Labels): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace: namespaceName, ...(labels && { labels }) },
        spec: { selector: { matchLabels: podLabels }, template: podTemplate(podLabels) },
    };
}

export function cronJob(name: string, namespaceName: string, podLabels: Labels): KubernetesObject {
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name, namespace: namespaceName },
        spec: { schedule: "@daily", jobTemplate: { spec: { template: podTemplate(podLabels) } } },
    };
}

export function service(name: string, namespaceName: string, selector?: Labels): KubernetesObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: namespaceName },
        spec: { ...(selector && { selector }), ports: [{ port: 443, targetPort: 9443 }] },
    };
}

export function crd(
    kind: string,
    plural: string,
    options: { group?: string; scope?: "Namespaced" | "Cluster"; versions?: { name: string; served: boolean }[] } = {},
): KubernetesObject {
    const group = options.group ?? "example.com";
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.${group}` },
        spec: {
            group,
            names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
            scope: options.scope ?? "Namespaced",
            versions: (options.versions ?? [{ name: "v1", served: true }]).map((version, index) => ({
                ...version,
                storage: index === 0,
                schema: { openAPIV3Schema: { type: "object" } },
            })),
        },
    };
}

export function custom(kind: string, name: string, namespaceName?: string, apiVersion = "example.com/v1", labels?: Labels): KubernetesObject {
    return { apiVersion, kind, metadata: { name, ...(namespaceName && { namespace: namespaceName }), ...(labels && { labels }) }, spec: {} };
}

/** A webhook served by Service hooks/hook-server, intercepting creates and updates of example.com/v1 widgets unless overridden. */
export function webhook(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name,
        clientConfig: { service: { namespace: "hooks", name: "hook-server", path: "/validate" } },
        rules: [rule()],
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        ...overrides,
    };
}

export function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { apiGroups: ["example.com"], apiVersions: ["v1"], resources: ["widgets"], operations: ["CREATE", "UPDATE"], ...overrides };
}

export function webhookConfiguration(name: string, webhooks: Record<string, unknown>[], kind = "ValidatingWebhookConfiguration"): KubernetesObject {
    return { apiVersion: "admissionregistration.k8s.io/v1", kind, metadata: { name }, webhooks };
}

// The webhook server: a Deployment and its Service in namespace hooks (whose Namespace object is left out unless a test adds it).
export const hookServer = workload("hook-server", "hooks", { app: "hook-server" });
export const hookService = service("hook-server", "hooks", { app: "hook-server" });
export const widgets = crd("Widget", "widgets");

/** The objects that depend on `on`, as `Kind namespace/name`, in input order. */
export function dependentsOf(plan: InstallPlan, on: KubernetesObject, objects: KubernetesObject[]): string[] {
    return objects.filter((object) => plan.dependencies.get(key(object))?.some((dependency) => dependency.on === key(on))).map(describeObject);
}

/** The objects the webhook(s) in `configuration` make wait for Deployment hooks/hook-server (and so for `configuration` too). */
export function admittedBy(configuration: KubernetesObject, candidates: KubernetesObject[]): string[] {
    const objects = [hookServer, hookService, configuration, ...candidates];
    const plan = planInstall(objects);
    const admitted = dependentsOf(plan, hookServer, objects);
    // Every object that waits for the webhook's server also waits for the configuration that registers the webhook.
    expect(dependentsOf(plan, configuration, objects)).toEqual(admitted);
    return admitted;
}
