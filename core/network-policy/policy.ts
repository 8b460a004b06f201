// A NetworkPolicy read and checked as the API server would: its pod selector, policyTypes (defaulted), and rules
// with their peers and ports (see docs/network-policy-evaluation.md).
import { type AddressRange, parseCidr, subtract } from "../cidr";
import { type CompiledSelector, type LabelSelector, type Labels, compileLabelSelector } from "../label-selectors";
import type { KubernetesObject } from "../objects";
import { isRecord } from "../records";
import { type PortSet, compilePorts } from "./ports";

export type Direction = "ingress" | "egress";
export type PolicyType = "Ingress" | "Egress";

/** A pod as peers see it. */
export interface PodIdentity {
    namespace: string;
    labels: Labels;
}

export interface Peer {
    /** How verdicts name it: "every pod of team-b", "namespaces matching team=a", "ipBlock 10.0.0.0/8 except 10.1.0.0/16". */
    text: string;
    /** An ipBlock's addresses: its cidr minus its except blocks. */
    addresses?: AddressRange[];
    /** A selector peer: whether it selects `pod`, in a namespace labelled `namespaceLabels`. */
    selects?: (pod: PodIdentity, namespaceLabels: Labels) => boolean;
}

export interface Rule {
    /** undefined: the rule names no peer, so it matches every one. */
    peers: Peer[] | undefined;
    ports: PortSet;
}

export interface Policy {
    id: string;
    namespace: string;
    podSelector: CompiledSelector;
    /** "every pod of team-b" or "pods of team-b matching app=web". */
    scope: string;
    /** policyTypes as written, or as the API server defaults them. */
    types: ReadonlySet<PolicyType>;
    /** The rules as written, also for a direction the policy does not apply to. */
    written: Record<Direction, Rule[]>;
    /** Pod selectors the policy names, for the symbolic pods; `namespaces` undefined means the policy's own namespace. */
    named: { selector: LabelSelector; namespaces?: CompiledSelector }[];
}

export interface PolicyOptions {
    /** Skip what the API server would reject instead of throwing; an invalid selector then selects nothing. */
    lenient?: boolean;
}

const TYPE_OF: Record<Direction, PolicyType> = { ingress: "Ingress", egress: "Egress" };
const SELECTS_NOTHING: CompiledSelector = { empty: false, matches: () => false };
const present = (value: unknown) => value !== undefined && value !== null;

/** The rules a policy applies in a direction; undefined when policyTypes leave that direction alone. */
export const appliedRules = (policy: Policy, direction: Direction): Rule[] | undefined =>
    policy.types.has(TYPE_OF[direction]) ? policy.written[direction] : undefined;

export function selectorText(selector: LabelSelector): string {
    return [
        ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
        ...(selector.matchExpressions ?? []).map(({ key, operator, values }) =>
            operator === "In"
                ? `${key} in (${(values ?? []).join(",")})`
                : operator === "NotIn"
                  ? `${key} notin (${(values ?? []).join(",")})`
                  : operator === "Exists"
                    ? key
                    : `!${key}`,
        ),
    ].join(", ");
}

/** Reading one policy: where a problem throws (strict) or is skipped (lenient). */
class Reader {
    constructor(
        readonly id: string,
        readonly namespace: string,
        private readonly lenient: boolean,
    ) {}

    readonly named: Policy["named"] = [];

    fail = (path: string, problem: string): undefined => {
        if (this.lenient) return undefined;
        throw new Error(`NetworkPolicy ${this.id}: ${path} ${problem}`);
    };

    list(path: string, value: unknown): unknown[] {
        if (!present(value)) return [];
        if (Array.isArray(value)) return value;
        return this.fail(path, `is ${JSON.stringify(value)}; it must be a list.`) ?? [];
    }

    /** A list of objects (rules, peers, ports); leniently, its other entries are left out. */
    records(path: string, value: unknown): unknown[] {
        const entries = this.list(path, value);
        return this.lenient ? entries.filter(isRecord) : entries;
    }

    selector(path: string, value: unknown): [LabelSelector, CompiledSelector] {
        if (!isRecord(value)) {
            this.fail(path, `is ${JSON.stringify(value)}; a label selector is an object with matchLabels and/or matchExpressions.`);
            return [{}, SELECTS_NOTHING];
        }
        try {
            return [value, compileLabelSelector(value, `NetworkPolicy ${this.id} ${path}`)];
        } catch (error) {
            if (this.lenient) return [value, SELECTS_NOTHING];
            throw error;
        }
    }
}

export function compilePolicy(object: KubernetesObject, options: PolicyOptions = {}): Policy {
    const namespace = object.metadata.namespace ?? "default";
    const reader = new Reader(`${namespace}/${object.metadata.name}`, namespace, options.lenient ?? false);
    const spec = isRecord(object["spec"]) ? object["spec"] : {};
    const [podSelectorSpec, podSelector] = reader.selector("spec.podSelector", spec["podSelector"] ?? {});
    reader.named.push({ selector: podSelectorSpec });
    const types = writtenTypes(reader, spec["policyTypes"]);
    const written = { ingress: compileRules(reader, spec, "ingress"), egress: compileRules(reader, spec, "egress") };
    return {
        id: reader.id,
        namespace,
        podSelector,
        scope: podSelector.empty ? `every pod of ${namespace}` : `pods of ${namespace} matching ${selectorText(podSelectorSpec)}`,
        // The API server's default when no policyType is given: Ingress, plus Egress when spec.egress has rules.
        types: types ?? new Set(written.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]),
        written,
        named: reader.named,
    };
}

/** The policyTypes written; undefined when none is (leniently, an unknown type counts as written but applies nowhere). */
function writtenTypes(reader: Reader, value: unknown): Set<PolicyType> | undefined {
    const types = reader.list("spec.policyTypes", value);
    if (types.length === 0) return undefined;
    return new Set(
        types.flatMap((type, index) =>
            type === "Ingress" || type === "Egress"
                ? [type]
                : (reader.fail(`spec.policyTypes[${index}]`, `is ${JSON.stringify(type)}; use "Ingress" or "Egress".`) ?? []),
        ),
    );
}

function compileRules(reader: Reader, spec: Record<string, unknown>, direction: Direction): Rule[] {
    const peerKey = direction === "ingress" ? "from" : "to";
    return reader.records(`spec.${direction}`, spec[direction]).flatMap((rule, index) => {
        const path = `spec.${direction}[${index}]`;
        if (!isRecord(rule)) return reader.fail(path, `is ${JSON.stringify(rule)}; a rule is an object with ${peerKey} and ports.`) ?? [];
        const peers = reader.records(`${path}.${peerKey}`, rule[peerKey]).flatMap((peer, at) => compilePeer(reader, `${path}.${peerKey}[${at}]`, peer) ?? []);
        return [
            { peers: peers.length > 0 ? peers : undefined, ports: compilePorts(reader.records(`${path}.ports`, rule["ports"]), `${path}.ports`, reader.fail) },
        ];
    });
}

function compilePeer(reader: Reader, path: string, value: unknown): Peer | undefined {
    if (!isRecord(value)) return reader.fail(path, `is ${JSON.stringify(value)}; a peer is an object.`);
    if (present(value["ipBlock"])) return compileIpBlock(reader, path, value);
    if (!present(value["podSelector"]) && !present(value["namespaceSelector"])) {
        reader.fail(path, "names no peer; set podSelector, namespaceSelector or ipBlock (namespaceSelector: {} admits every namespace).");
    }
    const { namespace } = reader;
    const [podSpec, pods] = present(value["podSelector"]) ? reader.selector(`${path}.podSelector`, value["podSelector"]) : [undefined, undefined];
    const [namespaceSpec, namespaces] = present(value["namespaceSelector"])
        ? reader.selector(`${path}.namespaceSelector`, value["namespaceSelector"])
        : [undefined, undefined];
    if (podSpec) reader.named.push({ selector: podSpec, namespaces });
    const podsText = pods && !pods.empty ? `pods matching ${selectorText(podSpec)}` : "every pod";
    const namespacesText = namespaces && !namespaces.empty ? `namespaces matching ${selectorText(namespaceSpec)}` : "every namespace";
    const ownText = !pods || pods.empty ? `every pod of ${namespace}` : `pods of ${namespace} matching ${selectorText(podSpec)}`;
    return {
        text: !namespaces ? ownText : !pods ? namespacesText : `${podsText} in ${namespacesText}`,
        selects: (pod, namespaceLabels) =>
            (namespaces ? namespaces.matches(namespaceLabels) : pod.namespace === namespace) && (pods?.matches(pod.labels) ?? true),
    };
}

/** An ipBlock peer: its cidr minus its except blocks; leniently, a block it cannot read covers no address. */
function compileIpBlock(reader: Reader, path: string, value: Record<string, unknown>): Peer | undefined {
    const other = ["podSelector", "namespaceSelector"].find((key) => present(value[key]));
    if (other) reader.fail(path, `sets ipBlock together with ${other}; an ipBlock peer may set nothing else, so make them two peers.`);
    const block = isRecord(value["ipBlock"]) ? value["ipBlock"] : {};
    const cidr = parseCidr(block["cidr"]);
    if (!cidr)
        return (
            reader.fail(`${path}.ipBlock.cidr`, `is ${JSON.stringify(block["cidr"])}; use a CIDR block such as 10.0.0.0/8 or 2001:db8::/64.`) ?? {
                text: "ipBlock",
                addresses: [],
            }
        );
    const excepts = [];
    for (const [index, text] of reader.list(`${path}.ipBlock.except`, block["except"]).entries()) {
        const where = `${path}.ipBlock.except[${index}]`;
        const cut = parseCidr(text);
        if (!cut)
            return reader.fail(where, `is ${JSON.stringify(text)}; use a CIDR block such as 10.1.0.0/16.`) ?? { text: `ipBlock ${cidr.text}`, addresses: [] };
        if (cut.v6 !== cidr.v6 || cut.start < cidr.start || cut.end > cidr.end || cut.prefix <= cidr.prefix) {
            reader.fail(where, `${cut.text} is not strictly inside cidr ${cidr.text}; every except block must be a smaller block within cidr.`);
        }
        excepts.push(cut);
    }
    return {
        text: `ipBlock ${cidr.text}${excepts.length > 0 ? ` except ${excepts.map((cut) => cut.text).join(", ")}` : ""}`,
        addresses: subtract([cidr], excepts),
    };
}
