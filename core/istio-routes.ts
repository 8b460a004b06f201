// Where the mesh sends a request: the workloads with an Envoy in front of them
// (a sidecar or a gateway), the gateways and the VirtualServices bound to them,
// and the workload and port a route's destination host resolves to. Istio 1.17
// semantics: a VirtualService's `gateways` entry is "namespace/name" or a name in
// its own namespace; a destination host is a Service name (in the
// VirtualService's namespace), "name.namespace" or a cluster-local FQDN.
import { type AuthorizationPolicy, ROOT_NAMESPACE, authorizationPolicies } from "./istio-authorization";
import { matchesLabels } from "./label-selectors";
import type { KubernetesObject } from "./objects";
import { podTemplates } from "./pod-templates";
import { asRecord, asStrings, isRecord } from "./records";

export interface MeshPod {
    namespace: string;
    /** The workload's name ("*" for any pod of a namespace). */
    name: string;
    /** "Deployment kubeflow/ml-pipeline". */
    description: string;
    labels: Record<string, string>;
    serviceAccount: string;
    /** Container ports by name, and every port number the pod listens on. */
    ports: { name?: string; number: number }[];
    /** Whether an Envoy fronts it (an injected sidecar, or the gateway's own), so AuthorizationPolicies apply. */
    proxied: boolean;
}

export interface MeshRoute {
    /** "VirtualService team-a/notebook". */
    virtualService: string;
    gateway: string;
    /** A path the route matches. */
    path: string;
    /** What the route does to the identity header: set to a value, removed, or left as it came. */
    identity: { set: string } | { removed: true } | undefined;
    destination: MeshPod;
    port: number;
}

const INJECT = "sidecar.istio.io/inject";

export const principalOf = (pod: Pick<MeshPod, "namespace" | "serviceAccount">) => `cluster.local/ns/${pod.namespace}/sa/${pod.serviceAccount}`;

/** The pods of every planned workload, with whether Istio's injector gives them a sidecar (namespace label istio-injection=enabled, unless the pod opts out). */
export function meshPods(objects: readonly KubernetesObject[]): MeshPod[] {
    const injected = new Set(
        objects
            .filter((object) => object.kind === "Namespace" && object.metadata.labels?.["istio-injection"] === "enabled")
            .map((object) => object.metadata.name),
    );
    const gatewaySelectors = objects.filter((object) => object.kind === "Gateway").map((object) => asRecord(asRecord(object["spec"])["selector"]));
    return objects.flatMap((object) =>
        podTemplates(object).map((template) => {
            const namespace = object.metadata.namespace ?? "default";
            const labels = template.metadata?.labels ?? {};
            const optOut = template.metadata?.annotations?.[INJECT] ?? labels[INJECT];
            const gateway = gatewaySelectors.some((selector) => Object.keys(selector).length > 0 && matchesLabels(selector, labels));
            const ports = template.spec.containers.flatMap((container) =>
                (Array.isArray(container["ports"]) ? (container["ports"] as unknown[]) : []).filter(isRecord).map((port) => ({
                    ...(typeof port["name"] === "string" ? { name: port["name"] } : {}),
                    number: Number(port["containerPort"]),
                })),
            );
            return {
                namespace,
                name: object.metadata.name,
                description: `${object.kind} ${namespace}/${object.metadata.name}`,
                labels,
                serviceAccount: typeof template.spec["serviceAccountName"] === "string" ? template.spec["serviceAccountName"] : "default",
                ports,
                proxied: gateway || (optOut !== "false" && (injected.has(namespace) || optOut === "true")),
            };
        }),
    );
}

/** The Service a destination host names, resolved to its pods and the target port of `port`. */
function resolve(objects: readonly KubernetesObject[], pods: readonly MeshPod[], host: string, from: string, port: number | undefined) {
    const [name, namespace = from] = host.replace(/\.svc(\.cluster\.local)?$/, "").split(".");
    const service = objects.find((object) => object.kind === "Service" && object.metadata.name === name && object.metadata.namespace === namespace);
    if (!service) return [];
    const spec = asRecord(service["spec"]);
    const selector = asRecord(spec["selector"]);
    const servicePorts = (Array.isArray(spec["ports"]) ? (spec["ports"] as unknown[]) : []).filter(isRecord);
    const servicePort = servicePorts.find((candidate) => port === undefined || candidate["port"] === port) ?? servicePorts[0];
    if (!servicePort || Object.keys(selector).length === 0) return [];
    const target = servicePort["targetPort"] ?? servicePort["port"];
    return pods
        .filter((pod) => pod.namespace === namespace && matchesLabels(selector, pod.labels))
        .flatMap((pod) => {
            const number = typeof target === "number" ? target : pod.ports.find((candidate) => candidate.name === target)?.number;
            return number === undefined ? [] : [{ destination: pod, port: number }];
        });
}

/** A path the match admits: its exact or prefix URI, or "/" when it matches every path. */
function pathOf(match: unknown): string {
    const uri = asRecord(asRecord(match)["uri"]);
    return typeof uri["exact"] === "string" ? uri["exact"] : typeof uri["prefix"] === "string" ? uri["prefix"] : "/";
}

export interface HeaderEdit {
    operation: "set" | "add" | "remove";
    value?: string;
}

/** The edits an HTTP route of a VirtualService makes to a request header, on the route and on each destination (header names have no case). */
export function headerEdits(route: unknown, header: string): HeaderEdit[] {
    const requests = [
        asRecord(route)["headers"],
        ...(Array.isArray(asRecord(route)["route"]) ? (asRecord(route)["route"] as unknown[]) : []).map((entry) => asRecord(entry)["headers"]),
    ].map((headers) => asRecord(asRecord(headers)["request"]));
    const named = (name: string) => name.toLowerCase() === header;
    return requests.flatMap((request) => [
        ...(["set", "add"] as const).flatMap((operation) =>
            Object.entries(asRecord(request[operation]))
                .filter(([name]) => named(name))
                .map(([, value]) => ({ operation, value: String(value) })),
        ),
        ...(asStrings(request["remove"]).some(named) ? [{ operation: "remove" as const }] : []),
    ]);
}

/** What a route does to the identity header: a value it sets or adds wins over a removal. */
function identityChange(route: Record<string, unknown>, header: string): MeshRoute["identity"] {
    const edits = headerEdits(route, header);
    const written = edits.find((edit) => edit.operation !== "remove");
    if (written) return { set: written.value! };
    return edits.length ? { removed: true } : undefined;
}

/** Every HTTP route of every VirtualService bound to a gateway, as "namespace/name" of the Gateway, with where it leads. */
export function gatewayRoutes(objects: readonly KubernetesObject[], pods: readonly MeshPod[], header: string): MeshRoute[] {
    return objects
        .filter((object) => object.kind === "VirtualService")
        .flatMap((service) => {
            const namespace = service.metadata.namespace ?? "default";
            const spec = asRecord(service["spec"]);
            const gateways = asStrings(spec["gateways"])
                .filter((gateway) => gateway !== "mesh")
                .map((gateway) => (gateway.includes("/") ? gateway : `${namespace}/${gateway}`));
            const http = (Array.isArray(spec["http"]) ? (spec["http"] as unknown[]) : []).filter(isRecord);
            return gateways.flatMap((gateway) =>
                http.flatMap((route) => {
                    const matches = Array.isArray(route["match"]) && route["match"].length > 0 ? (route["match"] as unknown[]) : [{}];
                    const destinations = (Array.isArray(route["route"]) ? (route["route"] as unknown[]) : []).map((entry) =>
                        asRecord(asRecord(entry)["destination"]),
                    );
                    return destinations.flatMap((destination) => {
                        const port = asRecord(destination["port"])["number"];
                        return resolve(objects, pods, String(destination["host"]), namespace, typeof port === "number" ? port : undefined).flatMap((target) =>
                            matches.map((match) => ({
                                virtualService: `VirtualService ${namespace}/${service.metadata.name}`,
                                gateway,
                                path: pathOf(match),
                                identity: identityChange(route, header),
                                ...target,
                            })),
                        );
                    });
                }),
            );
        });
}

/** The pods a Gateway ("namespace/name") runs on: its selector's, in any namespace (Istio matches gateway pods by labels alone). */
export function gatewayPods(objects: readonly KubernetesObject[], pods: readonly MeshPod[], gateway: string): MeshPod[] {
    const [namespace, name] = gateway.split("/");
    const object = objects.find((candidate) => candidate.kind === "Gateway" && candidate.metadata.namespace === namespace && candidate.metadata.name === name);
    const selector = asRecord(asRecord(object?.["spec"])["selector"]);
    return object && Object.keys(selector).length > 0 ? pods.filter((pod) => matchesLabels(selector, pod.labels)) : [];
}

/** The config patches, as JSON text, of every EnvoyFilter whose workloadSelector selects these pods (in their namespace or the root's). */
export function envoyFilterPatches(objects: readonly KubernetesObject[], pod: MeshPod): string[] {
    return objects.flatMap((object) => {
        if (object.kind !== "EnvoyFilter" || (object.metadata.namespace !== pod.namespace && object.metadata.namespace !== ROOT_NAMESPACE)) return [];
        const spec = asRecord(object["spec"]);
        return matchesLabels(asRecord(asRecord(spec["workloadSelector"])["labels"]), pod.labels) ? [JSON.stringify(spec["configPatches"] ?? [])] : [];
    });
}

/** The mesh a plan describes, read once: every workload's pods, the AuthorizationPolicies and the gateways' routes. */
export interface Mesh {
    pods: MeshPod[];
    policies: AuthorizationPolicy[];
    routes: MeshRoute[];
}

export function buildMesh(objects: readonly KubernetesObject[], header: string): Mesh {
    const pods = meshPods(objects);
    return { pods, policies: authorizationPolicies(objects), routes: gatewayRoutes(objects, pods, header) };
}
