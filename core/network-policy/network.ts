// The network a plan describes, evaluated offline: see docs/network-policy-evaluation.md.
import { parseCidr } from "../cidr";
import { type KubernetesObject, apiGroup } from "../objects";
import { type Cluster, type ConnectionVerdict, connect, side, verdict } from "./connections";
import { matchesLabels } from "../label-selectors";
import { type Pod, labelSetsOf, symbolicPods, workloadPods } from "./pods";
import { type Policy, compilePolicy } from "./policy";
import { isEmpty, renderPorts, tcpPort } from "./ports";

export interface NamespaceInfo {
    name: string;
    labels: Record<string, string>;
}

export interface RepresentativePod {
    namespace: string;
    /** "pods of Deployment kube-system/coredns", "a pod of team-a with no labels", "a pod of team-a labelled role=client". */
    description: string;
    labels: Record<string, string>;
    /** True for a pod a user could create, false for the pods of a planned workload. */
    symbolic: boolean;
}

/** The representative pods of a namespace that carry these labels (all of them with none). */
export interface PodsOf {
    namespace: string;
    podLabels?: Readonly<Record<string, string>>;
}

export interface NetworkOptions {
    /** The addresses pods get (on EKS the VPC CIDR); ipBlocks overlapping them match every pod. */
    podCidrs?: string[];
}

export interface Network {
    /** Every namespace the network knows: from Namespace objects, object namespaces and extraNamespaces. */
    namespaces(): string[];
    /** The representative pods of a namespace, workloads first. */
    pods(namespace: string): RepresentativePod[];
    /** Whether some representative pod of `fromNamespace` can open a connection to some representative pod of `toNamespace`. */
    canReach(fromNamespace: string, toNamespace: string): ConnectionVerdict;
    /**
     * Whether some representative pod of `from` can open a connection on one TCP port to some representative pod
     * of `to`, each side narrowed to the pods that carry every label given: one flow, as a table of required flows names it.
     */
    canConnect(from: PodsOf, to: PodsOf, port: number): ConnectionVerdict;
    /** canReach for every ordered pair of `namespaces`, a namespace with itself included. */
    matrix(namespaces: string[]): { from: string; to: string; verdict: ConnectionVerdict }[];
    /** Whether some representative pod of `fromNamespace` can open a connection to some address of `cidr`, outside the cluster. */
    egressToCidr(fromNamespace: string, cidr: string): ConnectionVerdict;
}

const NAME_LABEL = "kubernetes.io/metadata.name";
const isKind = (object: KubernetesObject, group: string, kind: string) => object.kind === kind && apiGroup(object.apiVersion) === group;

/**
 * The labels of every namespace the objects name: from Namespace objects, the namespaces of objects, workloads and
 * policies, and `extraNamespaces`, whose labels win; each also gets kubernetes.io/metadata.name.
 */
function namespaceLabelsOf(
    objects: readonly KubernetesObject[],
    extraNamespaces: NamespaceInfo[],
    workloads: Pod[],
    policies: Policy[],
): Map<string, Record<string, string>> {
    const labels = new Map<string, Record<string, string>>();
    const know = (name: string) => labels.get(name) ?? labels.set(name, {}).get(name)!;
    for (const object of objects) {
        if (isKind(object, "", "Namespace")) Object.assign(know(object.metadata.name), object.metadata.labels ?? {});
        else if (object.metadata.namespace) know(object.metadata.namespace);
    }
    for (const { name, labels: extra } of extraNamespaces) Object.assign(know(name), extra);
    for (const { namespace } of [...workloads, ...policies]) know(namespace);
    for (const [name, own] of labels) own[NAME_LABEL] = name;
    return labels;
}

function podNetworkOf(options: NetworkOptions): Cluster["podNetwork"] {
    return (options.podCidrs ?? []).map((text, index) => {
        const cidr = parseCidr(text);
        if (!cidr) throw new Error(`podCidrs[${index}] is ${JSON.stringify(text)}; use the CIDR block pods take their addresses from, such as 10.0.0.0/16.`);
        return cidr;
    });
}

/**
 * The network a plan describes: its NetworkPolicies, namespaces and workloads.
 * `extraNamespaces` adds namespaces the plan has no Namespace object for (tenant
 * namespaces the Kubeflow profile controller creates) or labels a controller adds
 * at run time; its labels win over a Namespace object's.
 */
export function buildNetwork(objects: KubernetesObject[], extraNamespaces: NamespaceInfo[] = [], options: NetworkOptions = {}): Network {
    const podNetwork = podNetworkOf(options);
    const policies = objects.filter((object) => isKind(object, "networking.k8s.io", "NetworkPolicy")).map((object) => compilePolicy(object));
    const workloads = workloadPods(objects);
    const namespaceLabels = namespaceLabelsOf(objects, extraNamespaces, workloads, policies);
    const cluster: Cluster = { policies, namespaceLabels, podNetwork, selected: new Map() };

    const podsByNamespace = new Map<string, Pod[]>();
    const podsOf = (namespace: string): Pod[] => {
        const labels = namespaceLabels.get(namespace);
        if (!labels) {
            throw new Error(
                `Namespace "${namespace}" is not in the plan: no Namespace object, object or NetworkPolicy names it. Pass it in extraNamespaces with its labels (tenant namespaces are created by the Kubeflow profile controller at run time).`,
            );
        }
        const cached = podsByNamespace.get(namespace);
        if (cached) return cached;
        const named = policies.flatMap((policy) =>
            policy.named
                .filter(({ namespaces }) => (namespaces ? namespaces.matches(labels) : policy.namespace === namespace))
                .flatMap(({ selector }) => labelSetsOf(selector)),
        );
        const pods = [...workloads.filter((pod) => pod.namespace === namespace), ...symbolicPods(namespace, named)];
        podsByNamespace.set(namespace, pods);
        return pods;
    };

    const canReach = (fromNamespace: string, toNamespace: string): ConnectionVerdict => {
        const destinations = podsOf(toNamespace);
        return verdict(podsOf(fromNamespace).flatMap((source) => destinations.map((destination) => connect(cluster, source, destination))));
    };

    const podsWith = ({ namespace, podLabels = {} }: PodsOf) => podsOf(namespace).filter((pod) => matchesLabels(podLabels, pod.labels));
    const canConnect = (from: PodsOf, to: PodsOf, port: number): ConnectionVerdict => {
        const destinations = podsWith(to);
        const wanted = tcpPort(port);
        return verdict(
            podsWith(from).flatMap((source) =>
                destinations.map((destination) => {
                    // Only the rules that open the port, so the chain names what allows this flow and nothing else.
                    const outcome = connect(cluster, source, destination, wanted);
                    if (!isEmpty(outcome.ports)) return outcome;
                    const any = connect(cluster, source, destination);
                    const closed = isEmpty(any.ports) ? [] : [`TCP ${port} is not among the ports allowed (${renderPorts(any.ports)})`];
                    return { ...any, ports: outcome.ports, because: [...any.because, ...closed] };
                }),
            ),
        );
    };

    return {
        namespaces: () => [...namespaceLabels.keys()].sort(),
        pods: (namespace) =>
            podsOf(namespace).map(({ namespace: at, description, labels, symbolic }) => ({ namespace: at, description, labels: { ...labels }, symbolic })),
        canReach,
        canConnect,
        matrix: (namespaces) => namespaces.flatMap((from) => namespaces.map((to) => ({ from, to, verdict: canReach(from, to) }))),
        egressToCidr: (fromNamespace, cidr) => {
            const block = parseCidr(cidr);
            if (!block)
                throw new Error(`egressToCidr: ${JSON.stringify(cidr)} is not a CIDR block; use one such as 0.0.0.0/0, 52.216.0.0/15 or 2001:db8::/64.`);
            return verdict(
                podsOf(fromNamespace).map((pod) => ({ pair: `${pod.description} → ${block.text}`, ...side(cluster, "egress", pod, { cidr: block }) })),
            );
        },
    };
}
