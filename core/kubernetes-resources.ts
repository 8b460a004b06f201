// Kubernetes resources as a policy sees them: a Pulumi type token and props.
import { type Container, type PodTemplate, podTemplates } from "./pod-templates";

export interface KubernetesKind {
    apiVersion: string;
    kind: string;
}

/** apiVersion and kind of a `kubernetes:<group>/<version>:<Kind>` type token; undefined for other types. */
export function kubernetesKind(type: string): KubernetesKind | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!match || match[1]!.startsWith("providers")) return undefined;
    return { apiVersion: match[1]!.replace(/^core\//, ""), kind: match[2]! };
}

interface Metadata {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export function metadataOf(props: Record<string, unknown>): Metadata {
    const metadata = props["metadata"];
    return typeof metadata === "object" && metadata !== null ? metadata : {};
}

/** `Deployment "kubeflow/katib-controller"`: how messages name an object. */
export function describeResource(kind: string, props: Record<string, unknown>, fallbackName: string): string {
    const { name, namespace } = metadataOf(props);
    return `${kind} "${namespace ? `${namespace}/` : ""}${name ?? fallbackName}"`;
}

export interface ContainerInPod {
    container: Container;
    /** "container" or "init container", for messages. */
    role: "container" | "init container";
    template: PodTemplate;
}

/** The pod templates a resource of `kind` carries in its props (none for kinds that carry no pods). */
export function podTemplatesOf(kind: string, props: Record<string, unknown>): PodTemplate[] {
    return podTemplates({ kind, spec: props["spec"], metadata: props["metadata"] });
}

/** Every container and init container of every pod template the resource carries. */
export function containersOf(kind: string, props: Record<string, unknown>): ContainerInPod[] {
    return podTemplatesOf(kind, props).flatMap((template) => [
        ...template.spec.containers.map((container) => ({ container, role: "container" as const, template })),
        ...(template.spec.initContainers ?? []).map((container) => ({ container, role: "init container" as const, template })),
    ]);
}
