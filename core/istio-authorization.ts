// Istio AuthorizationPolicy, evaluated offline for one request, and the requests
// an attacker can send: the one reading of the mesh's access rules that the
// tenancy audit uses. Semantics of Istio 1.17 (security/v1beta1
// authorization_policy.proto): policies of the root namespace and of the
// workload's namespace whose selector matches apply; any matching DENY rule
// denies; with no ALLOW policy everything else is allowed; with some, only what
// one of their rules matches (a policy without rules matches nothing).
import { type Labels, matchesLabels } from "./label-selectors";
import type { KubernetesObject } from "./objects";
import { asRecord, asStrings, isRecord } from "./records";

/** Istio's default meshConfig.rootNamespace: its policies apply to every workload of the mesh. */
export const ROOT_NAMESPACE = "istio-system";

export interface MeshRequest {
    /** The caller's mTLS identity; absent for plaintext (a pod without a sidecar), which no principal or namespace rule matches. */
    source?: { principal: string; namespace: string };
    port: number;
    path: string;
    method: string;
    /** Headers the request carries; any header not named here the caller may set freely (matched as the attacker likes). */
    headers: Readonly<Record<string, string | undefined>>;
}

export interface MeshWorkload {
    namespace: string;
    labels: Labels;
}

interface Rule {
    from?: Record<string, unknown>[];
    to?: Record<string, unknown>[];
    when?: { key: string; values?: string[]; notValues?: string[] }[];
}

export interface AuthorizationPolicy {
    namespace: string;
    name: string;
    action: string;
    selector?: Labels;
    rules: Rule[];
}

export interface AuthorizationVerdict {
    allowed: boolean;
    because: string;
}

export function authorizationPolicies(objects: readonly KubernetesObject[]): AuthorizationPolicy[] {
    return objects
        .filter((object) => object.kind === "AuthorizationPolicy" && object.apiVersion.startsWith("security.istio.io/"))
        .map((object) => {
            const spec = asRecord(object["spec"]);
            const selector = isRecord(spec["selector"]) ? (asRecord(spec["selector"]["matchLabels"]) as Record<string, string>) : undefined;
            return {
                namespace: object.metadata.namespace ?? "default",
                name: object.metadata.name,
                action: typeof spec["action"] === "string" ? spec["action"] : "ALLOW",
                ...(selector ? { selector } : {}),
                rules: Array.isArray(spec["rules"]) ? (spec["rules"] as Rule[]) : [],
            };
        });
}

/** Istio's string match: exact, "prefix*", "*suffix", or "*" for any non-empty value. */
export function istioMatch(pattern: string, value: string | undefined): boolean {
    if (value === undefined) return false;
    if (pattern === "*") return value !== "";
    if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
    if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
    return pattern === value;
}

/** A positive and a negative list over one attribute: both hold when set. `value` undefined: the attribute is absent. */
function field(spec: Record<string, unknown>, name: string, value: string | undefined): boolean {
    const capital = name[0]!.toUpperCase() + name.slice(1);
    const positive = spec[name] === undefined ? undefined : asStrings(spec[name]);
    const negative = spec[`not${capital}`] === undefined ? undefined : asStrings(spec[`not${capital}`]);
    return (!positive || positive.some((pattern) => istioMatch(pattern, value))) && (!negative || !negative.some((pattern) => istioMatch(pattern, value)));
}

/** Attributes the caller chooses (hosts, IPs, JWTs it does not hold, headers it is free to set) hold for ALLOW and fail for DENY: the attacker picks. */
const ATTACKER_CHOSEN_SOURCE = ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"];

function sourceMatches(source: Record<string, unknown>, request: MeshRequest, chosen: boolean): boolean {
    if (ATTACKER_CHOSEN_SOURCE.some((name) => source[name] !== undefined) && !chosen) return false;
    return (
        field(source, "principals", request.source?.principal) &&
        field(source, "namespaces", request.source?.namespace) &&
        // No request carries a JWT the attacker does not own; kfstack plans no RequestAuthentication for tenants.
        field(source, "requestPrincipals", undefined)
    );
}

function operationMatches(operation: Record<string, unknown>, request: MeshRequest, chosen: boolean): boolean {
    if ((operation["hosts"] !== undefined || operation["notHosts"] !== undefined) && !chosen) return false;
    return field(operation, "ports", String(request.port)) && field(operation, "methods", request.method) && field(operation, "paths", request.path);
}

const HEADER_KEY = /^request\.headers\[(.+)\]$/;

function conditionMatches(condition: { key: string; values?: string[]; notValues?: string[] }, request: MeshRequest, chosen: boolean): boolean {
    const header = HEADER_KEY.exec(condition.key)?.[1]?.toLowerCase();
    const known: Record<string, string | undefined> = {
        "source.namespace": request.source?.namespace,
        "source.principal": request.source?.principal,
        "destination.port": String(request.port),
    };
    if (header !== undefined && !(header in request.headers)) return chosen;
    if (header === undefined && !(condition.key in known) && !condition.key.startsWith("request.auth.")) return chosen;
    const value = header !== undefined ? request.headers[header] : known[condition.key];
    return (
        (!condition.values || condition.values.some((pattern) => istioMatch(pattern, value))) &&
        (!condition.notValues || !condition.notValues.some((pattern) => istioMatch(pattern, value)))
    );
}

function ruleMatches(rule: Rule, request: MeshRequest, chosen: boolean): boolean {
    return (
        (!rule.from || rule.from.some((from) => sourceMatches(asRecord(from["source"]), request, chosen))) &&
        (!rule.to || rule.to.some((to) => operationMatches(asRecord(to["operation"]), request, chosen))) &&
        (rule.when ?? []).every((condition) => conditionMatches(condition, request, chosen))
    );
}

/** The policies that apply to a workload: its namespace's and the root namespace's, selector matching. */
export function policiesFor(policies: readonly AuthorizationPolicy[], workload: MeshWorkload): AuthorizationPolicy[] {
    return policies.filter(
        (policy) => (policy.namespace === workload.namespace || policy.namespace === ROOT_NAMESPACE) && matchesLabels(policy.selector ?? {}, workload.labels),
    );
}

const describePolicy = (policy: AuthorizationPolicy) => `AuthorizationPolicy ${policy.namespace}/${policy.name}`;

/** Whether the workload's sidecar admits the request (`applicable` from policiesFor), and the policy and rule that decide it. */
export function authorize(applicable: readonly AuthorizationPolicy[], request: MeshRequest): AuthorizationVerdict {
    for (const policy of applicable.filter((candidate) => candidate.action === "DENY")) {
        const index = policy.rules.findIndex((rule) => ruleMatches(rule, request, false));
        if (index >= 0) return { allowed: false, because: `${describePolicy(policy)} denies it (rule ${index + 1})` };
    }
    const allows = applicable.filter((policy) => policy.action === "ALLOW");
    if (allows.length === 0) return { allowed: true, because: "no ALLOW AuthorizationPolicy selects the workload, so its sidecar admits every request" };
    for (const policy of allows) {
        const index = policy.rules.findIndex((rule) => ruleMatches(rule, request, true));
        if (index >= 0) return { allowed: true, because: `${describePolicy(policy)} admits it by rule ${index + 1}: ${JSON.stringify(policy.rules[index])}` };
    }
    return { allowed: false, because: `no rule of ${allows.map(describePolicy).join(", ")} matches it` };
}

/** A concrete value each pattern matches, so the attacker's candidate requests reach every rule a policy writes. */
function witnesses(patterns: readonly string[], fresh: string): string[] {
    const values = patterns.map((pattern) =>
        pattern === "*" ? fresh : pattern.endsWith("*") ? `${pattern.slice(0, -1)}kfstack` : pattern.startsWith("*") ? `/kfstack${pattern.slice(1)}` : pattern,
    );
    return [...new Set([fresh, ...values])];
}

const operations = (policies: readonly AuthorizationPolicy[]) =>
    policies.flatMap((policy) => policy.rules.flatMap((rule) => (rule.to ?? []).map((to) => asRecord(to["operation"]))));

/** The identity header's values the policies name, each as a concrete witness. */
function headerValues(policies: readonly AuthorizationPolicy[], header: string): string[] {
    return policies.flatMap((policy) =>
        policy.rules.flatMap((rule) =>
            (rule.when ?? [])
                .filter((condition) => HEADER_KEY.exec(condition.key)?.[1]?.toLowerCase() === header)
                .flatMap((c) => [...(c.values ?? []), ...(c.notValues ?? [])]),
        ),
    );
}

/** A value no policy names: standing for "any identity the caller likes". */
export const ANY_IDENTITY = "anyone@kfstack.invalid";

export interface AdmittedIdentity {
    /** The identity header's value the request carried, undefined when it carried none. */
    identity: string | undefined;
    request: MeshRequest;
    because: string;
}

/** What the attacker cannot choose on this hop: the path's prefix a route matched, the identity header a gateway or route fixed. */
export interface AttackerLimits {
    pathPrefix?: string;
    identities?: readonly (string | undefined)[];
}

/**
 * The values of `header` (none included) with which a caller of this identity gets some request admitted on this port,
 * trying every path, method and header value the applicable policies name, within `limits`.
 */
export function admittedIdentities(
    applicable: readonly AuthorizationPolicy[],
    source: MeshRequest["source"],
    port: number,
    header: string,
    limits: AttackerLimits = {},
): AdmittedIdentity[] {
    const named = operations(applicable);
    const prefix = limits.pathPrefix ?? "/";
    const paths = witnesses(
        named.flatMap((operation) => [...asStrings(operation["paths"]), ...asStrings(operation["notPaths"])]),
        prefix,
    ).filter((path) => path.startsWith(prefix));
    const methods = witnesses(
        named.flatMap((operation) => [...asStrings(operation["methods"]), ...asStrings(operation["notMethods"])]),
        "POST",
    );
    const identities = limits.identities ?? [undefined, ...witnesses(headerValues(applicable, header), ANY_IDENTITY)];
    return identities.flatMap((identity) => {
        for (const path of paths)
            for (const method of methods) {
                const request: MeshRequest = { ...(source ? { source } : {}), port, path, method, headers: { [header]: identity } };
                const verdict = authorize(applicable, request);
                if (verdict.allowed) return [{ identity, request, because: verdict.because }];
            }
        return [];
    });
}
