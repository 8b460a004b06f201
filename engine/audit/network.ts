// Kubernetes NetworkPolicy evaluation for the offline isolation audit: which
// namespaces' pods can open connections to which, on which ports, and why.
//
// Semantics, as "Network Policies" in the Kubernetes docs states them
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
// - "The two sorts of pod isolation": a pod is isolated for ingress (egress)
//   only if some NetworkPolicy of its own namespace selects it (spec.podSelector;
//   {} selects every pod of that namespace) and lists Ingress (Egress) in
//   policyTypes. An isolated pod accepts (opens) only what the union of the
//   rules of those policies allows; a pod that is not isolated, everything.
//   A connection needs both the source's egress and the destination's ingress.
// - "The NetworkPolicy resource": policyTypes defaults to Ingress, plus Egress
//   when spec.egress has rules; with policyTypes [Egress], ingress rules are
//   ignored. A rule with no from/to, or an empty list, matches every peer; a
//   rule with no ports matches every port of every protocol (both as the API
//   reference, NetworkPolicyIngressRule and NetworkPolicyEgressRule, says).
// - "Behavior of to and from selectors": podSelector alone selects pods of the
//   policy's namespace; namespaceSelector alone, every pod of the matching
//   namespaces; both in ONE peer, the matching pods of the matching namespaces
//   (AND), while as two peers they are alternatives (OR); ipBlock selects a
//   CIDR minus its except blocks. A peer needs at least one of the three, and
//   an ipBlock peer nothing else. Namespaces match on their labels, including
//   kubernetes.io/metadata.name, which the API server sets to the name
//   ("Targeting a Namespace by its name").
// - Ports: protocol TCP (the default), UDP or SCTP; a number, optionally with
//   endPort ("Targeting a range of ports"), or the name of a container port of
//   the destination pod; no port means every port of that protocol.
// Not modelled: hostNetwork pods (undefined, "NetworkPolicy and hostNetwork
// pods"), traffic from a pod's own node (always allowed), Service IP rewriting
// before or after policy ("Behavior of to and from selectors"), anything from
// "What you can't do with network policies", and CNI-specific or admin policies.
//
// Approximations, because a plan holds no Pods of tenant namespaces (notebooks,
// pipeline steps and training pods are created at run time):
// - Each namespace is represented by the pod templates of its planned workloads
//   plus symbolic pods a user could create: one with no labels, one per label
//   set that any NetworkPolicy's podSelector names for that namespace
//   (matchLabels, one value of each `In`, `Exists` as an empty value), and one
//   per compatible pair of those sets, so a pod that satisfies an egress allow
//   of its own namespace and an ingress allow of another is considered too.
//   Selectors that exclude (NotIn, DoesNotExist) add no pod. canReach asks
//   whether SOME representative source can reach SOME representative
//   destination: the worst case for isolation.
// - A symbolic pod declares whatever container ports its creator chooses, so a
//   named port stays symbolic (TCP "metrics"); workload pods resolve names
//   through their containers' ports. Outside the cluster no name resolves.
// - Pod IPs are unknown. The docs say ipBlock should name cluster-external
//   addresses; some network plugins also apply it to pods. Pass the pod network
//   (podCidrs; on EKS the VPC, whose addresses the VPC CNI gives pods) and an
//   ipBlock that overlaps it matches every pod; without it, no pod.
// - egressToCidr asks whether SOME address of the block is reachable: the lines
//   of the verdict say whether a rule covers all of it or only part.
import { type CompiledSelector, type LabelSelector, type Labels, compileLabelSelector } from "../../core/label-selectors";
import { type KubernetesObject, apiGroup, describeObject } from "../../core/objects";
import { type PodTemplate, podTemplates } from "../../core/pod-templates";
import { isRecord } from "../../core/records";

export interface NamespaceInfo {
    name: string;
    labels: Record<string, string>;
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

export interface RepresentativePod {
    namespace: string;
    /** "pods of Deployment kube-system/coredns", "a pod of team-a with no labels", "a pod of team-a labelled role=client". */
    description: string;
    labels: Record<string, string>;
    /** True for a pod a user could create, false for the pods of a planned workload. */
    symbolic: boolean;
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
    /** canReach for every ordered pair of `namespaces`, a namespace with itself included. */
    matrix(namespaces: string[]): { from: string; to: string; verdict: ConnectionVerdict }[];
    /** Whether some representative pod of `fromNamespace` can open a connection to some address of `cidr`, outside the cluster. */
    egressToCidr(fromNamespace: string, cidr: string): ConnectionVerdict;
}

const NAME_LABEL = "kubernetes.io/metadata.name";
type Direction = "ingress" | "egress";

// ---- Port sets -------------------------------------------------------------

type Protocol = "TCP" | "UDP" | "SCTP";
const PROTOCOLS: readonly string[] = ["TCP", "UDP", "SCTP"];
const MAX_PORT = 65535;

interface PortRange {
    protocol: Protocol;
    from: number;
    to: number;
}

interface NamedPort {
    protocol: Protocol;
    name: string;
}

/** `all`: every port of every protocol (a rule without ports); else ranges and container-port names. */
interface PortSet {
    all: boolean;
    ranges: PortRange[];
    names: NamedPort[];
}

const ALL_PORTS: PortSet = { all: true, ranges: [], names: [] };
const NO_PORTS: PortSet = { all: false, ranges: [], names: [] };

const order = (protocol: Protocol) => PROTOCOLS.indexOf(protocol);

function portSet(all: boolean, ranges: PortRange[], names: NamedPort[]): PortSet {
    if (all) return ALL_PORTS;
    const merged: PortRange[] = [];
    for (const range of [...ranges].sort((a, b) => order(a.protocol) - order(b.protocol) || a.from - b.from)) {
        const last = merged.at(-1);
        if (last && last.protocol === range.protocol && range.from <= last.to + 1) last.to = Math.max(last.to, range.to);
        else merged.push({ ...range });
    }
    const whole = new Set(merged.filter((range) => range.from === 1 && range.to === MAX_PORT).map((range) => range.protocol));
    const named = new Map(names.filter((name) => !whole.has(name.protocol)).map((name) => [`${name.protocol}/${name.name}`, name]));
    return { all: false, ranges: merged, names: [...named.values()].sort((a, b) => order(a.protocol) - order(b.protocol) || a.name.localeCompare(b.name)) };
}

const isEmpty = (set: PortSet) => !set.all && set.ranges.length === 0 && set.names.length === 0;
const union = (a: PortSet, b: PortSet) => portSet(a.all || b.all, [...a.ranges, ...b.ranges], [...a.names, ...b.names]);

/** Ports both sets allow. A name meets any port of its protocol: whoever names the port picks its number. */
function intersect(a: PortSet, b: PortSet): PortSet {
    if (a.all) return b;
    if (b.all) return a;
    const ranges = a.ranges.flatMap((x) =>
        b.ranges.filter((y) => y.protocol === x.protocol && y.from <= x.to && x.from <= y.to).map((y) => ({ protocol: x.protocol, from: Math.max(x.from, y.from), to: Math.min(x.to, y.to) })),
    );
    const meets = (set: PortSet, name: NamedPort) => set.ranges.some((range) => range.protocol === name.protocol) || set.names.some((other) => other.protocol === name.protocol && other.name === name.name);
    return portSet(false, ranges, [...a.names.filter((name) => meets(b, name)), ...b.names.filter((name) => meets(a, name))]);
}

function renderPorts(set: PortSet): string {
    if (set.all) return "all";
    const parts = PROTOCOLS.flatMap((protocol) => [
        ...set.ranges
            .filter((range) => range.protocol === protocol)
            .map((range) => (range.from === 1 && range.to === MAX_PORT ? `all ${protocol}` : range.from === range.to ? `${protocol} ${range.from}` : `${protocol} ${range.from}-${range.to}`)),
        ...set.names.filter((name) => name.protocol === protocol).map((name) => `${protocol} "${name.name}"`),
    ]);
    return parts.length > 0 ? parts.join(", ") : "none";
}

const portsPhrase = (set: PortSet) => (set.all ? "all ports" : renderPorts(set));

/** How a destination resolves port names: its containers' declared ports, whatever its creator chooses, or (outside the cluster) none. */
type DestinationPorts = ReadonlyMap<string, number[]> | "chosen" | "none";

function resolveNames(set: PortSet, destination: DestinationPorts): PortSet {
    if (destination === "chosen" || set.names.length === 0) return set;
    const resolved = destination === "none" ? [] : set.names.flatMap((name) => (destination.get(`${name.protocol}/${name.name}`) ?? []).map((port) => ({ protocol: name.protocol, from: port, to: port })));
    return portSet(set.all, [...set.ranges, ...resolved], []);
}

// ---- Addresses -------------------------------------------------------------

interface AddressRange {
    v6: boolean;
    start: bigint;
    end: bigint;
}

interface Cidr extends AddressRange {
    text: string;
    prefix: number;
}

function parseAddress(text: string): { v6: boolean; value: bigint } | undefined {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
        const octets = text.split(".").map(Number);
        return octets.every((octet) => octet <= 255) ? { v6: false, value: octets.reduce((value, octet) => value * 256n + BigInt(octet), 0n) } : undefined;
    }
    const halves = text.split("::");
    if (!text.includes(":") || halves.length > 2) return undefined;
    const groups = halves.map((half) => (half === "" ? [] : half.split(":")));
    const count = groups.flat().length;
    if (groups.flat().some((group) => !/^[0-9a-f]{1,4}$/i.test(group)) || (halves.length === 1 ? count !== 8 : count > 7)) return undefined;
    const all = halves.length === 1 ? groups.flat() : [...groups[0]!, ...Array<string>(8 - count).fill("0"), ...groups[1]!];
    return { v6: true, value: all.reduce((value, group) => value * 65536n + BigInt(parseInt(group, 16)), 0n) };
}

/** An IPv4 or IPv6 CIDR block (host bits ignored, as the API server's parser does), or undefined. */
function parseCidr(text: unknown): Cidr | undefined {
    const match = typeof text === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(text) : null;
    const address = match ? parseAddress(match[1]!) : undefined;
    const prefix = Number(match?.[2]);
    if (!match || !address || prefix > (address.v6 ? 128 : 32)) return undefined;
    const size = 1n << BigInt((address.v6 ? 128 : 32) - prefix);
    const start = address.value - (address.value % size);
    return { v6: address.v6, start, end: start + size - 1n, prefix, text: match[0] };
}

function subtract(ranges: AddressRange[], cuts: AddressRange[]): AddressRange[] {
    return cuts.reduce(
        (left, cut) =>
            left.flatMap((range) => {
                if (range.v6 !== cut.v6 || cut.end < range.start || cut.start > range.end) return [range];
                return [
                    ...(cut.start > range.start ? [{ v6: range.v6, start: range.start, end: cut.start - 1n }] : []),
                    ...(cut.end < range.end ? [{ v6: range.v6, start: cut.end + 1n, end: range.end }] : []),
                ];
            }),
        ranges,
    );
}

const overlaps = (a: AddressRange[], b: AddressRange) => a.some((x) => x.v6 === b.v6 && x.start <= b.end && b.start <= x.end);

// ---- Policies --------------------------------------------------------------

interface Pod {
    namespace: string;
    labels: Labels;
    ports: DestinationPorts;
    description: string;
    symbolic: boolean;
}

interface Peer {
    /** How verdicts name it: "every pod of team-b", "namespaces matching team=a", "ipBlock 10.0.0.0/8 except 10.1.0.0/16". */
    text: string;
    /** An ipBlock's addresses: its cidr minus its except blocks. */
    addresses?: AddressRange[];
    /** A selector peer: whether it selects `pod`, in a namespace labelled `namespaceLabels`. */
    selects?: (pod: Pod, namespaceLabels: Labels) => boolean;
}

interface Rule {
    /** undefined: the rule names no peer, so it matches every one. */
    peers: Peer[] | undefined;
    ports: PortSet;
}

interface Policy {
    id: string;
    namespace: string;
    podSelector: CompiledSelector;
    /** "every pod of team-b" or "pods of team-b matching app=web". */
    scope: string;
    rules: Record<Direction, Rule[] | undefined>; // undefined: the policy does not apply in that direction
    /** Pod selectors the policy names, for the symbolic pods; `namespaces` undefined means the policy's own namespace. */
    named: { selector: LabelSelector; namespaces?: CompiledSelector }[];
}

const present = (value: unknown) => value !== undefined && value !== null;

function selectorText(selector: LabelSelector): string {
    return [
        ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
        ...(selector.matchExpressions ?? []).map(({ key, operator, values }) =>
            operator === "In" ? `${key} in (${(values ?? []).join(",")})` : operator === "NotIn" ? `${key} notin (${(values ?? []).join(",")})` : operator === "Exists" ? key : `!${key}`,
        ),
    ].join(", ");
}

const labelsText = (labels: Labels) =>
    Object.keys(labels)
        .sort()
        .map((key) => `${key}=${labels[key] === "" ? '""' : labels[key]}`)
        .join(", ");

function compilePolicy(object: KubernetesObject): Policy {
    const namespace = object.metadata.namespace ?? "default";
    const id = `${namespace}/${object.metadata.name}`;
    const fail = (path: string, problem: string): never => {
        throw new Error(`NetworkPolicy ${id}: ${path} ${problem}`);
    };
    const spec = isRecord(object["spec"]) ? object["spec"] : {};
    const list = (path: string, value: unknown): unknown[] => (!present(value) ? [] : Array.isArray(value) ? value : fail(path, `is ${JSON.stringify(value)}; it must be a list.`));
    const selector = (path: string, value: unknown): [LabelSelector, CompiledSelector] => {
        if (!isRecord(value)) fail(path, `is ${JSON.stringify(value)}; a label selector is an object with matchLabels and/or matchExpressions.`);
        return [value as LabelSelector, compileLabelSelector(value as LabelSelector, `NetworkPolicy ${id} ${path}`)];
    };
    const named: Policy["named"] = [];

    const [podSelectorSpec, podSelector] = selector("spec.podSelector", spec["podSelector"] ?? {});
    named.push({ selector: podSelectorSpec });

    const compilePeer = (path: string, value: unknown): Peer => {
        if (!isRecord(value)) return fail(path, `is ${JSON.stringify(value)}; a peer is an object.`);
        if (present(value["ipBlock"])) {
            const other = ["podSelector", "namespaceSelector"].find((key) => present(value[key]));
            if (other) fail(path, `sets ipBlock together with ${other}; an ipBlock peer may set nothing else, so make them two peers.`);
            const block = isRecord(value["ipBlock"]) ? value["ipBlock"] : {};
            const cidr = parseCidr(block["cidr"]) ?? fail(`${path}.ipBlock.cidr`, `is ${JSON.stringify(block["cidr"])}; use a CIDR block such as 10.0.0.0/8 or 2001:db8::/64.`);
            const excepts = list(`${path}.ipBlock.except`, block["except"]).map((text, index) => {
                const where = `${path}.ipBlock.except[${index}]`;
                const cut = parseCidr(text) ?? fail(where, `is ${JSON.stringify(text)}; use a CIDR block such as 10.1.0.0/16.`);
                if (cut.v6 !== cidr.v6 || cut.start < cidr.start || cut.end > cidr.end || cut.prefix <= cidr.prefix) {
                    fail(where, `${cut.text} is not strictly inside cidr ${cidr.text}; every except block must be a smaller block within cidr.`);
                }
                return cut;
            });
            return { text: `ipBlock ${cidr.text}${excepts.length > 0 ? ` except ${excepts.map((cut) => cut.text).join(", ")}` : ""}`, addresses: subtract([cidr], excepts) };
        }
        if (!present(value["podSelector"]) && !present(value["namespaceSelector"])) {
            fail(path, "names no peer; set podSelector, namespaceSelector or ipBlock (namespaceSelector: {} admits every namespace).");
        }
        const [podSpec, pods] = present(value["podSelector"]) ? selector(`${path}.podSelector`, value["podSelector"]) : [undefined, undefined];
        const [namespaceSpec, namespaces] = present(value["namespaceSelector"]) ? selector(`${path}.namespaceSelector`, value["namespaceSelector"]) : [undefined, undefined];
        if (podSpec) named.push({ selector: podSpec, namespaces });
        const podsText = pods && !pods.empty ? `pods matching ${selectorText(podSpec!)}` : "every pod";
        const namespacesText = namespaces && !namespaces.empty ? `namespaces matching ${selectorText(namespaceSpec!)}` : "every namespace";
        return {
            text: !namespaces ? (pods!.empty ? `every pod of ${namespace}` : `pods of ${namespace} matching ${selectorText(podSpec!)}`) : !pods ? namespacesText : `${podsText} in ${namespacesText}`,
            selects: (pod, namespaceLabels) => (namespaces ? namespaces.matches(namespaceLabels) : pod.namespace === namespace) && (pods?.matches(pod.labels) ?? true),
        };
    };

    const compileRules = (direction: Direction): Rule[] => {
        const peerKey = direction === "ingress" ? "from" : "to";
        return list(`spec.${direction}`, spec[direction]).map((rule, index) => {
            const path = `spec.${direction}[${index}]`;
            if (!isRecord(rule)) return fail(path, `is ${JSON.stringify(rule)}; a rule is an object with ${peerKey} and ports.`);
            const peers = list(`${path}.${peerKey}`, rule[peerKey]).map((peer, at) => compilePeer(`${path}.${peerKey}[${at}]`, peer));
            return { peers: peers.length > 0 ? peers : undefined, ports: compilePorts(list(`${path}.ports`, rule["ports"]), `${path}.ports`, fail) };
        });
    };

    const types = list("spec.policyTypes", spec["policyTypes"]).map((type, index) =>
        type === "Ingress" || type === "Egress" ? type : fail(`spec.policyTypes[${index}]`, `is ${JSON.stringify(type)}; use "Ingress" or "Egress".`),
    );
    const ingress = compileRules("ingress");
    const egress = compileRules("egress");
    const applies = types.length > 0 ? new Set(types) : new Set(egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]);
    return {
        id,
        namespace,
        podSelector,
        scope: podSelector.empty ? `every pod of ${namespace}` : `pods of ${namespace} matching ${selectorText(podSelectorSpec)}`,
        rules: { ingress: applies.has("Ingress") ? ingress : undefined, egress: applies.has("Egress") ? egress : undefined },
        named,
    };
}

function compilePorts(ports: unknown[], path: string, fail: (path: string, problem: string) => never): PortSet {
    if (ports.length === 0) return ALL_PORTS;
    const ranges: PortRange[] = [];
    const names: NamedPort[] = [];
    ports.forEach((entry, index) => {
        const where = `${path}[${index}]`;
        const { protocol = "TCP", port, endPort } = isRecord(entry) ? entry : fail(where, `is ${JSON.stringify(entry)}; a port is an object with protocol, port and endPort.`);
        if (typeof protocol !== "string" || !PROTOCOLS.includes(protocol)) fail(`${where}.protocol`, `is ${JSON.stringify(protocol)}; use TCP, UDP or SCTP.`);
        const validPort = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_PORT;
        if (present(endPort) && typeof port !== "number") fail(`${where}.endPort`, `is set but port is ${JSON.stringify(port)}; endPort needs a numeric port.`);
        if (!present(port)) ranges.push({ protocol: protocol as Protocol, from: 1, to: MAX_PORT });
        else if (typeof port === "string") {
            if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port) || !/[a-z]/.test(port) || port.includes("--")) {
                fail(`${where}.port`, `is ${JSON.stringify(port)}; use a number from 1 to 65535 or a container port's name (at most 15 lowercase letters, digits and '-', with a letter).`);
            }
            names.push({ protocol: protocol as Protocol, name: port });
        } else {
            if (!validPort(port)) fail(`${where}.port`, `is ${JSON.stringify(port)}; use a number from 1 to 65535 or a container port's name.`);
            const end = endPort ?? port;
            if (!validPort(end) || (end as number) < (port as number)) fail(`${where}.endPort`, `is ${JSON.stringify(end)}; it must be a port from ${port} (the port) to 65535.`);
            ranges.push({ protocol: protocol as Protocol, from: port as number, to: end as number });
        }
    });
    return portSet(false, ranges, names);
}

// ---- Representative pods ----------------------------------------------------

function declaredPorts(template: PodTemplate): Map<string, number[]> {
    const ports = new Map<string, number[]>();
    for (const container of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
        for (const port of Array.isArray(container["ports"]) ? (container["ports"] as unknown[]) : []) {
            if (!isRecord(port) || typeof port["name"] !== "string" || typeof port["containerPort"] !== "number") continue;
            const key = `${typeof port["protocol"] === "string" ? port["protocol"] : "TCP"}/${port["name"]}`;
            ports.set(key, [...(ports.get(key) ?? []), port["containerPort"]]);
        }
    }
    return ports;
}

/** Label sets that satisfy a selector: matchLabels, each combination of `In` values, `Exists` keys with an empty value. */
function labelSetsOf(selector: LabelSelector): Record<string, string>[] {
    let sets: Record<string, string>[] = [{ ...(selector.matchLabels ?? {}) }];
    const expressions = selector.matchExpressions ?? [];
    for (const { key, values } of expressions.filter((expression) => expression.operator === "In")) {
        sets = sets.flatMap((set) => {
            const fitting = (values ?? []).filter((value) => !Object.hasOwn(set, key) || set[key] === value);
            return fitting.length > 0 ? fitting.map((value) => ({ ...set, [key]: value })) : [set];
        });
    }
    for (const { key } of expressions.filter((expression) => expression.operator === "Exists")) {
        sets = sets.map((set) => (Object.hasOwn(set, key) ? set : { ...set, [key]: "" }));
    }
    return sets;
}

const labelsKey = (labels: Labels) => JSON.stringify(Object.keys(labels).sort().map((key) => [key, labels[key]]));

function symbolicLabelSets(named: Record<string, string>[]): Record<string, string>[] {
    const sets = new Map<string, Record<string, string>>([[labelsKey({}), {}]]);
    for (const labels of named) sets.set(labelsKey(labels), labels);
    const singles = [...sets.values()];
    for (const [index, a] of singles.entries()) {
        for (const b of singles.slice(index + 1)) {
            if (Object.keys(b).every((key) => !Object.hasOwn(a, key) || a[key] === b[key])) {
                const merged = { ...a, ...b };
                if (!sets.has(labelsKey(merged))) sets.set(labelsKey(merged), merged);
            }
        }
    }
    return [...sets.values()];
}

// ---- The network -------------------------------------------------------------

type Target = { pod: Pod; cidr?: undefined } | { cidr: Cidr; pod?: undefined };

interface Outcome {
    ports: PortSet;
    because: string[];
}

/** The outcome for one representative pair: `pair` names it ("a pod of team-a with no labels → 0.0.0.0/0"). */
interface PairOutcome extends Outcome {
    pair: string;
}

/**
 * The network a plan describes: its NetworkPolicies, namespaces and workloads.
 * `extraNamespaces` adds namespaces the plan has no Namespace object for (tenant
 * namespaces the Kubeflow profile controller creates) or labels a controller adds
 * at run time; its labels win over a Namespace object's.
 */
export function buildNetwork(objects: KubernetesObject[], extraNamespaces: NamespaceInfo[] = [], options: NetworkOptions = {}): Network {
    const podNetwork = (options.podCidrs ?? []).map(
        (text, index) =>
            parseCidr(text) ??
            (() => {
                throw new Error(`podCidrs[${index}] is ${JSON.stringify(text)}; use the CIDR block pods take their addresses from, such as 10.0.0.0/16.`);
            })(),
    );
    const namespaceLabels = new Map<string, Record<string, string>>();
    const know = (name: string) => namespaceLabels.get(name) ?? namespaceLabels.set(name, {}).get(name)!;
    const isKind = (object: KubernetesObject, group: string, kind: string) => object.kind === kind && apiGroup(object.apiVersion) === group;

    for (const object of objects) {
        if (isKind(object, "", "Namespace")) Object.assign(know(object.metadata.name), object.metadata.labels ?? {});
        else if (object.metadata.namespace) know(object.metadata.namespace);
    }
    for (const { name, labels } of extraNamespaces) Object.assign(know(name), labels);
    const policies = objects.filter((object) => isKind(object, "networking.k8s.io", "NetworkPolicy")).map(compilePolicy);
    const workloads = objects.flatMap((object) => {
        const templates = podTemplates(object);
        return templates.map((template, index): Pod => {
            const namespace = object.metadata.namespace ?? "default";
            know(namespace);
            const which = templates.length > 1 ? ` (template ${index + 1} of ${templates.length})` : "";
            return { namespace, labels: template.metadata?.labels ?? {}, ports: declaredPorts(template), description: `pods of ${describeObject(object)}${which}`, symbolic: false };
        });
    });
    for (const policy of policies) know(policy.namespace);
    for (const [name, labels] of namespaceLabels) labels[NAME_LABEL] = name;

    const podsByNamespace = new Map<string, Pod[]>();
    const podsOf = (namespace: string): Pod[] => {
        if (!namespaceLabels.has(namespace)) {
            throw new Error(
                `Namespace "${namespace}" is not in the plan: no Namespace object, object or NetworkPolicy names it. Pass it in extraNamespaces with its labels (tenant namespaces are created by the Kubeflow profile controller at run time).`,
            );
        }
        const cached = podsByNamespace.get(namespace);
        if (cached) return cached;
        const labels = namespaceLabels.get(namespace)!;
        const named = policies.flatMap((policy) =>
            policy.named.filter(({ namespaces }) => (namespaces ? namespaces.matches(labels) : policy.namespace === namespace)).flatMap(({ selector }) => labelSetsOf(selector)),
        );
        const pods = [
            ...workloads.filter((pod) => pod.namespace === namespace),
            ...symbolicLabelSets(named).map(
                (set): Pod => ({
                    namespace,
                    labels: set,
                    ports: "chosen",
                    description: Object.keys(set).length === 0 ? `a pod of ${namespace} with no labels` : `a pod of ${namespace} labelled ${labelsText(set)}`,
                    symbolic: true,
                }),
            ),
        ];
        podsByNamespace.set(namespace, pods);
        return pods;
    };

    const selected = new Map<Pod, Record<Direction, Policy[]>>();
    const selecting = (pod: Pod, direction: Direction): Policy[] => {
        const cached = selected.get(pod);
        if (cached) return cached[direction];
        const of = (way: Direction) => policies.filter((policy) => policy.namespace === pod.namespace && policy.rules[way] !== undefined && policy.podSelector.matches(pod.labels));
        const both = { ingress: of("ingress"), egress: of("egress") };
        selected.set(pod, both);
        return both[direction];
    };

    /** The first peer of `rule` that admits `target`, as a verdict names it; undefined when none does. */
    const admittingPeer = (rule: Rule, direction: Direction, target: Target): string | undefined => {
        if (!rule.peers) return direction === "ingress" ? "every source" : "every destination";
        for (const peer of rule.peers) {
            if (target.pod) {
                if (peer.selects?.(target.pod, namespaceLabels.get(target.pod.namespace)!)) return peer.text;
                const pods = podNetwork.filter((cidr) => peer.addresses && overlaps(peer.addresses, cidr));
                if (pods.length > 0) return `${peer.text} (overlapping the pod network ${pods.map((cidr) => cidr.text).join(", ")})`;
            } else if (peer.addresses && overlaps(peer.addresses, target.cidr)) {
                const whole = subtract([target.cidr], peer.addresses).length === 0;
                return `${peer.text} (${whole ? "all" : "part"} of ${target.cidr.text})`;
            }
        }
        return undefined;
    };

    /** One direction: what `pod`'s policies let it send to (egress) or accept from (ingress) `target`. */
    const side = (direction: Direction, pod: Pod, target: Target): Outcome => {
        const policiesOfPod = selecting(pod, direction);
        if (policiesOfPod.length === 0) return { ports: ALL_PORTS, because: [`no NetworkPolicy selects ${pod.description} for ${direction}`] };
        const destination = direction === "ingress" ? pod.ports : (target.pod?.ports ?? "none");
        const word = direction === "ingress" ? "from" : "to";
        let ports = NO_PORTS;
        const admitting: Policy[] = [];
        const allows: string[] = [];
        for (const policy of policiesOfPod) {
            for (const rule of policy.rules[direction]!) {
                const peer = admittingPeer(rule, direction, target);
                const rulePorts = peer === undefined ? NO_PORTS : resolveNames(rule.ports, destination);
                if (isEmpty(rulePorts)) continue;
                ports = union(ports, rulePorts);
                if (!admitting.includes(policy)) admitting.push(policy);
                allows.push(`NetworkPolicy ${policy.id} allows ${direction} ${word} ${peer} on ${portsPhrase(rulePorts)}`);
            }
        }
        const denyAll = policiesOfPod.filter((policy) => policy.rules[direction]!.length === 0);
        const isolation = (denyAll.length > 0 ? denyAll : [admitting[0] ?? policiesOfPod[0]!]).map((policy) => `NetworkPolicy ${policy.id} selects ${policy.scope} for ${direction}`);
        if (isEmpty(ports)) {
            const targetText = target.pod ? target.pod.description : target.cidr.text;
            return { ports, because: [...isolation, `no NetworkPolicy selecting ${pod.description} allows ${direction} ${word} ${targetText}`] };
        }
        return { ports, because: [...isolation, ...allows] };
    };

    /** A connection needs the source's egress and the destination's ingress, on a port both allow. */
    const connect = (source: Pod, destination: Pod): PairOutcome => {
        const pair = `${source.description} → ${destination.description}`;
        const out = side("egress", source, { pod: destination });
        const into = side("ingress", destination, { pod: source });
        if (isEmpty(out.ports) || isEmpty(into.ports)) {
            return { pair, ports: NO_PORTS, because: [...(isEmpty(out.ports) ? out.because : []), ...(isEmpty(into.ports) ? into.because : [])] };
        }
        const ports = intersect(out.ports, into.ports);
        const because = [...out.because, ...into.because];
        if (isEmpty(ports)) because.push(`the ports allowed out (${renderPorts(out.ports)}) and in (${renderPorts(into.ports)}) have none in common`);
        return { pair, ports, because };
    };

    /**
     * Allowed when some pair is: the ports of every allowed pair, and the chain of the first pair that
     * alone allows all of them (else of the first allowed pair). Denied: every reason of every pair, once.
     */
    const verdict = (outcomes: PairOutcome[]): ConnectionVerdict => {
        const allowed = outcomes.filter((outcome) => !isEmpty(outcome.ports));
        if (allowed.length === 0) return { allowed: false, ports: "none", because: [...new Set(outcomes.flatMap((outcome) => outcome.because))] };
        const ports = renderPorts(allowed.reduce((all, outcome) => union(all, outcome.ports), NO_PORTS));
        const shown = allowed.find((outcome) => renderPorts(outcome.ports) === ports) ?? allowed[0]!;
        return { allowed: true, ports, because: [shown.pair, ...shown.because] };
    };

    const canReach = (fromNamespace: string, toNamespace: string): ConnectionVerdict => {
        const destinations = podsOf(toNamespace);
        return verdict(podsOf(fromNamespace).flatMap((source) => destinations.map((destination) => connect(source, destination))));
    };

    return {
        namespaces: () => [...namespaceLabels.keys()].sort(),
        pods: (namespace) => podsOf(namespace).map(({ namespace: at, description, labels, symbolic }) => ({ namespace: at, description, labels: { ...labels }, symbolic })),
        canReach,
        matrix: (namespaces) => namespaces.flatMap((from) => namespaces.map((to) => ({ from, to, verdict: canReach(from, to) }))),
        egressToCidr: (fromNamespace, cidr) => {
            const block = parseCidr(cidr);
            if (!block) throw new Error(`egressToCidr: ${JSON.stringify(cidr)} is not a CIDR block; use one such as 0.0.0.0/0, 52.216.0.0/15 or 2001:db8::/64.`);
            return verdict(podsOf(fromNamespace).map((pod) => ({ pair: `${pod.description} → ${block.text}`, ...side("egress", pod, { cidr: block }) })));
        },
    };
}
