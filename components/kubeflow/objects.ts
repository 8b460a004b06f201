// Kubernetes objects as the rendered manifests hold them, and the few ways
// kfstack needs to look at them: identity, scope, and the pod templates inside.

export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
}

export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    [key: string]: unknown;
}

export interface Container {
    name: string;
    image?: string;
    resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
    [key: string]: unknown;
}

export interface PodSpec {
    containers: Container[];
    initContainers?: Container[];
    [key: string]: unknown;
}

export interface PodTemplate {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: PodSpec;
}

/** The API group of an apiVersion: "" for the core group. */
export function apiGroup(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** Identity of an object in a cluster: `<group>/<Kind>/<namespace>/<name>` (namespace empty when cluster-scoped). */
export function objectKey(object: KubernetesObject): string {
    return `${apiGroup(object.apiVersion)}/${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

/** A short human name: `Kind namespace/name` or `Kind name`. */
export function describeObject(object: KubernetesObject): string {
    const { namespace, name } = object.metadata;
    return `${object.kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asTemplate(value: unknown): PodTemplate | undefined {
    return isRecord(value) && isRecord(value["spec"]) && Array.isArray(value["spec"]["containers"]) ? (value as unknown as PodTemplate) : undefined;
}

/**
 * Every pod template an object carries: Pod itself, the apps/batch workloads,
 * CronJob's job template, and the replica specs of Kubeflow training jobs.
 */
export function podTemplates(object: KubernetesObject): PodTemplate[] {
    const spec = object["spec"];
    if (!isRecord(spec)) return [];
    if (object.kind === "Pod") {
        const self = asTemplate({ metadata: object.metadata, spec });
        return self ? [self] : [];
    }
    const direct = asTemplate(spec["template"]);
    if (direct) return [direct];
    const jobTemplate = spec["jobTemplate"];
    if (isRecord(jobTemplate) && isRecord(jobTemplate["spec"])) {
        const template = asTemplate(jobTemplate["spec"]["template"]);
        return template ? [template] : [];
    }
    return Object.entries(spec)
        .filter(([key, value]) => key.endsWith("ReplicaSpecs") && isRecord(value))
        .flatMap(([, replicaSpecs]) => Object.values(replicaSpecs as Record<string, unknown>))
        .flatMap((replica) => (isRecord(replica) ? [asTemplate(replica["template"])] : []))
        .filter((template): template is PodTemplate => template !== undefined);
}
