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
