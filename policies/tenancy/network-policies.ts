// NetworkPolicies (networking.k8s.io/v1) as NET-01 and NET-02 read them, through the evaluator the audit uses
// (core/network-policy), read leniently: a policy judges any stack without crashing.
import { covers, parseCidr } from "../../core/cidr";
import { type Peer, type Policy, type Rule, compilePolicy } from "../../core/network-policy/policy";
import { opens } from "../../core/network-policy/ports";
import { recordAt } from "../../core/records";
import { type KubernetesObject, type StackResource, coreObject, kubernetesObjects, namespaceLabels } from "../lib/tenants";

/** A NetworkPolicy of the stack and what the evaluator reads in it. */
export interface StackNetworkPolicy {
    object: KubernetesObject;
    readonly policy: Policy;
}

/** The NetworkPolicies of a namespace, each read when first asked for: a policy that stops at the first fitting one reads no unknown input beyond it. */
export function networkPoliciesIn(resources: readonly StackResource[], namespace: string): StackNetworkPolicy[] {
    return kubernetesObjects(resources, ["NetworkPolicy"])
        .filter((object) => object.group === "networking.k8s.io" && object.namespace === namespace)
        .map((object) => {
            let policy: Policy | undefined;
            return {
                object,
                get policy() {
                    return (policy ??= compilePolicy(coreObject(object, ["spec"]), { lenient: true }));
                },
            };
        });
}

/** `{"matchLabels":{"app":"x"}}`: the pod selector as messages show it (absent is `{}`, as the API server defaults it). */
export function describePodSelector(policy: KubernetesObject): string {
    return JSON.stringify(recordAt(policy.props, "spec")["podSelector"] ?? {});
}

/** Somewhere traffic must be allowed to: pods of a namespace, or an IPv4 range. */
export interface Destination {
    namespace?: string;
    podLabels?: Record<string, string>;
    cidr?: string;
}

/**
 * Whether one `to` peer of an egress rule reaches all of `destination`: an ipBlock covering the range, or a selector
 * selecting the pods. An ipBlock never counts for pods, even over the pod network the audit counts it for: a required
 * flow must work under every enforcing plugin, and Cilium matches ipBlocks only outside the cluster (cilium/cilium#9209).
 */
function peerReaches(resources: readonly StackResource[], peer: Peer, destination: Destination): boolean {
    if (destination.cidr !== undefined) {
        const wanted = parseCidr(destination.cidr);
        return !!peer.addresses && !!wanted && !wanted.v6 && covers(peer.addresses, wanted);
    }
    if (destination.namespace === undefined || !peer.selects) return false;
    return peer.selects({ namespace: destination.namespace, labels: destination.podLabels ?? {} }, namespaceLabels(resources, destination.namespace));
}

/** Whether an egress rule allows `protocol`/`port` to `destination`; a named port opens nothing, as the destination's container ports are unknown. */
export function egressAllows(resources: readonly StackResource[], rule: Rule, destination: Destination, protocol: string, port: number): boolean {
    return opens(rule.ports, protocol, port) && (!rule.peers || rule.peers.some((peer) => peerReaches(resources, peer, destination)));
}
