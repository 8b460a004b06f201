// Tenants as the policy pack sees them. A tenant is a Kubeflow Profile
// (kubeflow.org Profile, cluster-scoped): the profile controller creates a
// namespace with the Profile's name, labels it app.kubernetes.io/part-of:
// kubeflow-profile and annotates it with the owner. A Namespace carrying that
// label is a tenant namespace too, with or without its Profile in the stack.
import { kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import type { KubernetesObject as CoreObject } from "../../core/objects";
import { isRecord } from "../../core/records";

export const PROFILE_NAMESPACE_LABEL = { key: "app.kubernetes.io/part-of", value: "kubeflow-profile" } as const;
/** The annotation the profile controller puts the owner's name in. */
export const OWNER_ANNOTATION = "owner";

/** A resource of the stack, as stack policies get them. */
export interface StackResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
}

/** An RBAC subject (the owner of a Profile, or a binding's subject). */
export interface Subject {
    kind: string;
    name: string;
    namespace?: string;
}

export interface Tenant {
    /** The tenant's namespace: the Profile's name. */
    namespace: string;
    /** spec.owner of the Profile, else the namespace's `owner` annotation (a User). */
    owner?: Subject;
    /** The Profile's props when the tenant is declared by one. */
    profile?: Record<string, unknown>;
    /** `Profile "team-a"` or `Namespace "team-a"`: the object that declares the tenant. */
    what: string;
    /** Where violations about the tenant are reported: the Profile, else the Namespace. */
    urn: string;
}

/** A Kubernetes object of the stack with its kind, API group, name and namespace. */
export interface KubernetesObject {
    kind: string;
    /** "" for the core group. */
    group: string;
    name: string;
    namespace?: string;
    props: Record<string, unknown>;
    resource: StackResource;
}

/** A stack's Kubernetes resources by kind with their position in the stack, and the objects of each kind read so far. */
interface ObjectsByKind {
    resources: Map<string, [number, StackResource][]>;
    objects: Map<string, [number, KubernetesObject][]>;
}

const objectsOf = new WeakMap<readonly StackResource[], ObjectsByKind>();

function kubernetesObject(resource: StackResource): KubernetesObject {
    const kind = kubernetesKind(resource.type)!;
    const { name, namespace } = metadataOf(resource.props);
    const group = kind.apiVersion.includes("/") ? kind.apiVersion.slice(0, kind.apiVersion.lastIndexOf("/")) : "";
    return { kind: kind.kind, group, name: name ?? resource.name, ...(namespace ? { namespace } : {}), props: resource.props, resource };
}

function objectsOfKind(resources: readonly StackResource[], kind: string): [number, KubernetesObject][] {
    let stack = objectsOf.get(resources);
    if (!stack) {
        // Kinds come from the type token alone: props (which may be unknown) are read only for the kinds asked for.
        stack = { resources: new Map(), objects: new Map() };
        for (const [index, resource] of resources.entries()) {
            const found = kubernetesKind(resource.type)?.kind;
            if (!found) continue;
            const ofKind = stack.resources.get(found) ?? [];
            ofKind.push([index, resource]);
            stack.resources.set(found, ofKind);
        }
        objectsOf.set(resources, stack);
    }
    let objects = stack.objects.get(kind);
    if (!objects) {
        objects = (stack.resources.get(kind) ?? []).map(([index, resource]) => [index, kubernetesObject(resource)]);
        stack.objects.set(kind, objects);
    }
    return objects;
}

/**
 * The Kubernetes objects of the stack of `kinds`, in stack order. The policies of a stack validation ask for
 * the same kinds of the same resources many times over, so each kind is read once per resources array.
 */
export function kubernetesObjects(resources: readonly StackResource[], kinds: readonly string[]): KubernetesObject[] {
    const found = [...new Set(kinds)].flatMap((kind) => objectsOfKind(resources, kind));
    if (kinds.length > 1) found.sort(([a], [b]) => a - b);
    return found.map(([, object]) => object);
}

/**
 * The object as core/'s evaluators read it: identity from the resource, and only the inputs named in `fields`
 * (plus the labels, with `labels`), since reading an unknown input makes a policy undecided.
 */
export function coreObject(object: KubernetesObject, fields: readonly string[], labels = false): CoreObject {
    const own = labels ? metadataOf(object.props).labels : undefined;
    return {
        apiVersion: kubernetesKind(object.resource.type)!.apiVersion,
        kind: object.kind,
        metadata: { name: object.name, ...(object.namespace ? { namespace: object.namespace } : {}), ...(own ? { labels: { ...own } } : {}) },
        ...Object.fromEntries(fields.map((field) => [field, object.props[field]])),
    };
}

function ownerOf(value: unknown): Subject | undefined {
    if (!isRecord(value) || typeof value["name"] !== "string" || value["name"] === "") return undefined;
    return { kind: typeof value["kind"] === "string" ? value["kind"] : "User", name: value["name"] };
}

/** Every tenant of the stack, by namespace name; a Profile wins over a labelled Namespace of the same name. */
export function tenantsOf(resources: readonly StackResource[]): Tenant[] {
    const tenants = new Map<string, Tenant>();
    for (const object of kubernetesObjects(resources, ["Profile"])) {
        if (object.group !== "kubeflow.org") continue;
        const spec = object.props["spec"];
        const owner = ownerOf(isRecord(spec) ? spec["owner"] : undefined);
        tenants.set(object.name, {
            namespace: object.name,
            ...(owner ? { owner } : {}),
            profile: object.props,
            what: `Profile "${object.name}"`,
            urn: object.resource.urn,
        });
    }
    for (const object of kubernetesObjects(resources, ["Namespace"])) {
        const { labels, annotations } = metadataOf(object.props);
        if (tenants.has(object.name) || labels?.[PROFILE_NAMESPACE_LABEL.key] !== PROFILE_NAMESPACE_LABEL.value) continue;
        const owner = ownerOf({ kind: "User", name: annotations?.[OWNER_ANNOTATION] });
        tenants.set(object.name, { namespace: object.name, ...(owner ? { owner } : {}), what: `Namespace "${object.name}"`, urn: object.resource.urn });
    }
    return [...tenants.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/** Each stack's Namespaces by name, read once: policies ask for a namespace's labels per peer of every NetworkPolicy rule. */
const namespacesOf = new WeakMap<readonly StackResource[], Map<string, KubernetesObject>>();

/** The labels a namespace selector sees on `namespace`: its own from the stack plus kubernetes.io/metadata.name. */
export function namespaceLabels(resources: readonly StackResource[], namespace: string): Record<string, string> {
    let byName = namespacesOf.get(resources);
    if (!byName) {
        // The first Namespace of a name wins, as find() did.
        byName = new Map();
        for (const object of kubernetesObjects(resources, ["Namespace"])) if (!byName.has(object.name)) byName.set(object.name, object);
        namespacesOf.set(resources, byName);
    }
    const object = byName.get(namespace);
    return { ...(object ? metadataOf(object.props).labels : {}), "kubernetes.io/metadata.name": namespace };
}
