// Whether one pod can open a connection to another pod or to an address block, and why: isolation, the rules that
// allow it, and the ports both sides agree on (see docs/network-policy-evaluation.md).
import { type Cidr, covers, overlaps } from "../cidr";
import type { Labels } from "../label-selectors";
import type { Pod } from "./pods";
import { type Direction, type Policy, type Rule, appliedRules } from "./policy";
import { ALL_PORTS, NO_PORTS, type PortSet, intersect, isEmpty, portsPhrase, renderPorts, resolveNames, union } from "./ports";

export type Target = { pod: Pod; cidr?: undefined } | { cidr: Cidr; pod?: undefined };

export interface Outcome {
    ports: PortSet;
    because: string[];
}

/** The outcome for one representative pair: `pair` names it ("a pod of team-a with no labels → 0.0.0.0/0"). */
export interface PairOutcome extends Outcome {
    pair: string;
}

export interface ConnectionVerdict {
    allowed: boolean;
    /** "all", "none", or e.g. `TCP 8080, TCP 32000-32768, TCP "metrics", all UDP`. */
    ports: string;
    /**
     * Why: for an allowed connection, one representative pair ("a pod of team-a with no labels → …"), the first
     * that alone allows every port reported if one does, and its policy chain, egress then ingress; for a
     * denied one, every reason of every pair, once.
     */
    because: string[];
}

/** What the evaluation needs to know of the cluster. */
export interface Cluster {
    policies: readonly Policy[];
    namespaceLabels: ReadonlyMap<string, Labels>;
    /** The addresses pods get; ipBlocks overlapping them match every pod. */
    podNetwork: readonly Cidr[];
    /** The policies selecting each pod, once computed. */
    selected: Map<Pod, Record<Direction, Policy[]>>;
}

/** The policies of the pod's namespace that select it for `direction`: it is isolated when there is one. */
function selecting(cluster: Cluster, pod: Pod, direction: Direction): Policy[] {
    const cached = cluster.selected.get(pod);
    if (cached) return cached[direction];
    const of = (way: Direction) =>
        cluster.policies.filter(
            (policy) => policy.namespace === pod.namespace && appliedRules(policy, way) !== undefined && policy.podSelector.matches(pod.labels),
        );
    const both = { ingress: of("ingress"), egress: of("egress") };
    cluster.selected.set(pod, both);
    return both[direction];
}

/** The first peer of `rule` that admits `target`, as a verdict names it; undefined when none does. */
function admittingPeer(cluster: Cluster, rule: Rule, direction: Direction, target: Target): string | undefined {
    if (!rule.peers) return direction === "ingress" ? "every source" : "every destination";
    for (const peer of rule.peers) {
        if (target.pod) {
            if (peer.selects?.(target.pod, cluster.namespaceLabels.get(target.pod.namespace)!)) return peer.text;
            const pods = cluster.podNetwork.filter((cidr) => peer.addresses && overlaps(peer.addresses, cidr));
            if (pods.length > 0) return `${peer.text} (overlapping the pod network ${pods.map((cidr) => cidr.text).join(", ")})`;
        } else if (peer.addresses && overlaps(peer.addresses, target.cidr)) {
            return `${peer.text} (${covers(peer.addresses, target.cidr) ? "all" : "part"} of ${target.cidr.text})`;
        }
    }
    return undefined;
}

/** One direction: what `pod`'s policies let it send to (egress) or accept from (ingress) `target`, among the ports `only` names. */
export function side(cluster: Cluster, direction: Direction, pod: Pod, target: Target, only: PortSet = ALL_PORTS): Outcome {
    const policiesOfPod = selecting(cluster, pod, direction);
    if (policiesOfPod.length === 0) return { ports: ALL_PORTS, because: [`no NetworkPolicy selects ${pod.description} for ${direction}`] };
    const destination = direction === "ingress" ? pod.ports : (target.pod?.ports ?? "none");
    const word = direction === "ingress" ? "from" : "to";
    let ports = NO_PORTS;
    const admitting: Policy[] = [];
    const allows: string[] = [];
    for (const policy of policiesOfPod) {
        for (const rule of appliedRules(policy, direction)!) {
            const peer = admittingPeer(cluster, rule, direction, target);
            const rulePorts = peer === undefined ? NO_PORTS : intersect(resolveNames(rule.ports, destination), only);
            if (isEmpty(rulePorts)) continue;
            ports = union(ports, rulePorts);
            if (!admitting.includes(policy)) admitting.push(policy);
            allows.push(`NetworkPolicy ${policy.id} allows ${direction} ${word} ${peer} on ${portsPhrase(rulePorts)}`);
        }
    }
    const denyAll = policiesOfPod.filter((policy) => appliedRules(policy, direction)!.length === 0);
    const isolation = (denyAll.length > 0 ? denyAll : [admitting[0] ?? policiesOfPod[0]!]).map(
        (policy) => `NetworkPolicy ${policy.id} selects ${policy.scope} for ${direction}`,
    );
    if (isEmpty(ports)) {
        const targetText = target.pod ? target.pod.description : target.cidr.text;
        return { ports, because: [...isolation, `no NetworkPolicy selecting ${pod.description} allows ${direction} ${word} ${targetText}`] };
    }
    return { ports, because: [...isolation, ...allows] };
}

/** A connection needs the source's egress and the destination's ingress, on a port both allow (among those `only` names). */
export function connect(cluster: Cluster, source: Pod, destination: Pod, only: PortSet = ALL_PORTS): PairOutcome {
    const pair = `${source.description} → ${destination.description}`;
    const out = side(cluster, "egress", source, { pod: destination }, only);
    const into = side(cluster, "ingress", destination, { pod: source }, only);
    if (isEmpty(out.ports) || isEmpty(into.ports)) {
        return { pair, ports: NO_PORTS, because: [...(isEmpty(out.ports) ? out.because : []), ...(isEmpty(into.ports) ? into.because : [])] };
    }
    const ports = intersect(out.ports, into.ports);
    const because = [...out.because, ...into.because];
    if (isEmpty(ports)) because.push(`the ports allowed out (${renderPorts(out.ports)}) and in (${renderPorts(into.ports)}) have none in common`);
    return { pair, ports, because };
}

/**
 * Allowed when some pair is: the ports of every allowed pair, and the chain of the first pair that
 * alone allows all of them (else of the first allowed pair). Denied: every reason of every pair, once.
 */
export function verdict(outcomes: PairOutcome[]): ConnectionVerdict {
    const allowed = outcomes.filter((outcome) => !isEmpty(outcome.ports));
    if (allowed.length === 0) return { allowed: false, ports: "none", because: [...new Set(outcomes.flatMap((outcome) => outcome.because))] };
    const ports = renderPorts(allowed.reduce((all, outcome) => union(all, outcome.ports), NO_PORTS));
    const shown = allowed.find((outcome) => renderPorts(outcome.ports) === ports) ?? allowed[0]!;
    return { allowed: true, ports, because: [shown.pair, ...shown.because] };
}
