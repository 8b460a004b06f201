// The objects to order, indexed the ways the ordering rules look them up:
// by key, Namespace, CRD, Service, workload, and the admission requests their
// creation makes.
import { BUILT_IN_KINDS, type ResourceInfo } from "../../../core/kinds";
import type { Labels } from "../../../core/label-selectors";
import { podTemplates } from "../../../core/pod-templates";
import { apiGroup, describeObject, type KubernetesObject, objectKey } from "../../../core/objects";
import { push } from "./multimap";
import { asRecord } from "../../../core/records";
import { parseWebhooks, type Webhook } from "./webhook-configurations";

/** Webhooks are never called for these kinds (IsExemptAdmissionConfigurationResource in the API server). */
const EXEMPT_FROM_WEBHOOKS = new Set(
    [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
    ].map((kind) => `admissionregistration.k8s.io/${kind}`),
);
const WORKLOAD_KINDS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet"]);
/** Set on every Namespace by the API server (defaulting, GA in 1.22), so namespaceSelectors can use it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export type Target = "it" | "its pods";

/** One thing the API server would admit on CREATE: the object itself, or the pods of one of its pod templates. */
export interface Request {
    node: Node;
    target: Target;
    group: string;
    version: string;
    /** Plural resource name; unknown for kinds neither built in nor defined by a CRD among the objects. */
    resource: string | undefined;
    /** Versions a matchPolicy Equivalent rule may name instead of `version`. */
    versions: string[];
    namespaced: boolean;
    labels: Labels;
}

export interface Node {
    index: number;
    object: KubernetesObject;
    key: string;
    groupKind: string;
    /** The namespace it lives in; undefined for cluster-scoped objects, or namespaced ones without metadata.namespace. */
    namespace: string | undefined;
}

export class ObjectIndex {
    readonly nodes: Node[] = [];
    readonly byKey = new Map<string, Node>();
    readonly namespaces = new Map<string, Node>();
    /** CRDs by the `group/Kind` they define. */
    readonly crds = new Map<string, Node>();
    readonly services = new Map<string, Node>();
    readonly workloadsByNamespace = new Map<string, Node[]>();
    /** Admission requests by API group, in input order. */
    readonly requestsByGroup = new Map<string, Request[]>();
    readonly allRequests: Request[] = [];
    readonly webhooks: Webhook[] = [];
    private readonly customKinds = new Map<string, ResourceInfo>();

    constructor(objects: KubernetesObject[]) {
        for (const [position, object] of objects.entries()) {
            const group = apiGroup(object.apiVersion);
            const groupKind = `${group}/${object.kind}`;
            const key = objectKey(object);
            const node: Node = { index: position, object, key, groupKind, namespace: undefined };
            const existing = this.byKey.get(key);
            if (existing) {
                throw new Error(
                    `Objects at input positions ${existing.index} and ${position} are both ${describeObject(object)} (${key}); remove one of them.`,
                );
            }
            this.byKey.set(key, node);
            this.nodes.push(node);
            if (groupKind === "/Namespace") this.namespaces.set(object.metadata.name, node);
            if (groupKind === "apiextensions.k8s.io/CustomResourceDefinition") this.indexCrd(node);
        }
        for (const node of this.nodes) {
            const info = this.resourceInfo(node);
            // A cluster-scoped object's metadata.namespace is ignored by the API server.
            node.namespace = info?.namespaced === false ? undefined : node.object.metadata.namespace;
            if (node.groupKind === "/Service" && node.namespace) this.services.set(`${node.namespace}/${node.object.metadata.name}`, node);
            if (WORKLOAD_KINDS.has(node.groupKind) && node.namespace) push(this.workloadsByNamespace, node.namespace, node);
            if (
                node.groupKind === "admissionregistration.k8s.io/MutatingWebhookConfiguration" ||
                node.groupKind === "admissionregistration.k8s.io/ValidatingWebhookConfiguration"
            ) {
                this.webhooks.push(...parseWebhooks(node.object));
            }
            if (!EXEMPT_FROM_WEBHOOKS.has(node.groupKind)) this.indexRequests(node, info);
        }
    }

    /** Labels of a namespace for namespaceSelector matching; undefined when the Namespace is not among the objects. */
    namespaceLabels(name: string): Labels | undefined {
        const namespace = this.namespaces.get(name);
        return namespace && { ...namespace.object.metadata.labels, [NAMESPACE_NAME_LABEL]: name };
    }

    private indexCrd(node: Node): void {
        const spec = asRecord(node.object["spec"]);
        const names = asRecord(spec["names"]);
        if (typeof spec["group"] !== "string" || typeof names["kind"] !== "string" || typeof names["plural"] !== "string") return;
        const groupKind = `${spec["group"]}/${names["kind"]}`;
        this.crds.set(groupKind, node);
        const versions = Array.isArray(spec["versions"]) ? spec["versions"].map(asRecord).filter((version) => version["served"] !== false) : [];
        this.customKinds.set(groupKind, {
            resource: names["plural"],
            namespaced: spec["scope"] !== "Cluster",
            versions: versions.map((version) => String(version["name"])),
        });
    }

    private resourceInfo(node: Node): ResourceInfo | undefined {
        return this.customKinds.get(node.groupKind) ?? BUILT_IN_KINDS[node.groupKind];
    }

    private indexRequests(node: Node, info: ResourceInfo | undefined): void {
        const { apiVersion, metadata } = node.object;
        const group = apiGroup(apiVersion);
        const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
        const self: Request = {
            node,
            target: "it",
            group,
            version,
            resource: info?.resource,
            versions: info?.versions ?? [version],
            // Kinds of unknown scope: namespaced exactly when they name a namespace.
            namespaced: info?.namespaced ?? metadata.namespace !== undefined,
            labels: metadata.labels ?? {},
        };
        const requests = [self];
        if (node.groupKind !== "/Pod") {
            // The pods a controller creates carry the pod template's labels (plus pod-template-hash and the
            // like, which no selector here can know the values of) and live in the carrier's namespace.
            for (const template of podTemplates(node.object)) {
                requests.push({
                    node,
                    target: "its pods",
                    group: "",
                    version: "v1",
                    resource: "pods",
                    versions: ["v1"],
                    namespaced: true,
                    labels: template.metadata?.labels ?? {},
                });
            }
        }
        for (const request of requests) {
            push(this.requestsByGroup, request.group, request);
            this.allRequests.push(request);
        }
    }
}
