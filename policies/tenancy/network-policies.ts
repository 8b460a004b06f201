// NetworkPolicies (networking.k8s.io/v1) as NET-01 and NET-02 read them.
import { type KubernetesObject, type StackResource, kubernetesObjects, namespaceLabels } from "../lib/tenants";
import { isEmptySelector, selects } from "./selectors";
import { isRecord } from "../../core/records";

export function networkPoliciesIn(resources: readonly StackResource[], namespace: string): KubernetesObject[] {
    return kubernetesObjects(resources, ["NetworkPolicy"]).filter((policy) => policy.group === "networking.k8s.io" && policy.namespace === namespace);
}

function specOf(policy: KubernetesObject): Record<string, unknown> {
    return isRecord(policy.props["spec"]) ? policy.props["spec"] : {};
}

/** A missing podSelector is the empty selector: the API server defaults it. */
export function podSelectorOf(policy: KubernetesObject): unknown {
    return specOf(policy)["podSelector"] ?? {};
}

export function selectsAllPods(policy: KubernetesObject): boolean {
    return isEmptySelector(podSelectorOf(policy));
}

export function rulesOf(policy: KubernetesObject, direction: "ingress" | "egress"): Record<string, unknown>[] {
    const rules = specOf(policy)[direction];
    return Array.isArray(rules) ? rules.filter(isRecord) : [];
}

/** policyTypes, or when unset what the API server infers: Ingress, plus Egress when there are egress rules. */
export function policyTypesOf(policy: KubernetesObject): string[] {
    const types = specOf(policy)["policyTypes"];
    if (Array.isArray(types)) return types.filter((type): type is string => typeof type === "string");
    return ["Ingress", ...(specOf(policy)["egress"] !== undefined ? ["Egress"] : [])];
}

/** Somewhere traffic must be allowed to: pods of a namespace, or an IPv4 range. */
export interface Destination {
    namespace?: string;
    podLabels?: Record<string, string>;
    cidr?: string;
}

function ipv4(address: string): number | undefined {
    const parts = address.split(".").map(Number);
    if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
    return parts.reduce((value, part) => value * 256 + part, 0);
}

function range(cidr: string): { first: number; last: number } | undefined {
    const [address = "", bits = ""] = cidr.split("/");
    const start = ipv4(address);
    const prefix = Number(bits);
    if (start === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    const first = Math.floor(start / size) * size;
    return { first, last: first + size - 1 };
}

/** Whether an ipBlock covers all of `cidr`: it contains it and none of its exceptions overlaps it. */
function ipBlockCovers(ipBlock: Record<string, unknown>, cidr: string): boolean {
    const wanted = range(cidr);
    const block = range(String(ipBlock["cidr"] ?? ""));
    if (!wanted || !block || block.first > wanted.first || block.last < wanted.last) return false;
    const except = Array.isArray(ipBlock["except"]) ? (ipBlock["except"] as unknown[]) : [];
    return except.every((entry) => {
        const hole = range(String(entry));
        return hole !== undefined && (hole.last < wanted.first || hole.first > wanted.last);
    });
}

/** Whether one `to` peer of an egress rule in `namespace` reaches all of `destination`. */
function peerReaches(resources: readonly StackResource[], namespace: string, peer: Record<string, unknown>, destination: Destination): boolean {
    if (destination.cidr !== undefined) return isRecord(peer["ipBlock"]) && ipBlockCovers(peer["ipBlock"], destination.cidr);
    if (destination.namespace === undefined || peer["ipBlock"] !== undefined) return false;
    const inNamespace =
        peer["namespaceSelector"] === undefined ? destination.namespace === namespace : selects(peer["namespaceSelector"], namespaceLabels(resources, destination.namespace));
    return inNamespace && (peer["podSelector"] === undefined || selects(peer["podSelector"], destination.podLabels ?? {}));
}

/** Whether one entry of a rule's ports opens `port` over `protocol` (TCP when unset; every port when port is unset). */
function portOpens(entry: Record<string, unknown>, protocol: string, port: number): boolean {
    if (String(entry["protocol"] ?? "TCP") !== protocol) return false;
    if (entry["port"] === undefined) return true;
    const first = Number(entry["port"]);
    const last = entry["endPort"] === undefined ? first : Number(entry["endPort"]);
    return Number.isInteger(first) && port >= first && port <= last;
}

/** Whether an egress rule of a policy in `namespace` allows `protocol`/`port` to `destination`. */
export function egressAllows(
    resources: readonly StackResource[],
    namespace: string,
    rule: Record<string, unknown>,
    destination: Destination,
    protocol: string,
    port: number,
): boolean {
    const ports = Array.isArray(rule["ports"]) ? (rule["ports"] as unknown[]).filter(isRecord) : [];
    const peers = Array.isArray(rule["to"]) ? (rule["to"] as unknown[]).filter(isRecord) : [];
    const portOk = ports.length === 0 || ports.some((entry) => portOpens(entry, protocol, port));
    const peerOk = peers.length === 0 || peers.some((peer) => peerReaches(resources, namespace, peer, destination));
    return portOk && peerOk;
}
