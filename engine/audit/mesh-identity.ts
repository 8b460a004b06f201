// The Istio half of the tenancy audit: who can reach what with which identity
// header. Kubeflow's backends and every member AuthorizationPolicy take the user
// from kubeflow-userid, which oidc-authservice sets at the ingress gateway. A
// tenant's pods can send any header they like; so a backend that trusts the
// header and admits it from a tenant pod, directly or through a gateway that
// passes it on, lets that tenant act as anyone. A VirtualService that sets the
// header makes everyone who takes its route act as that user.
import type { TenantFacts } from "../../core/facts";
import {
    ANY_IDENTITY,
    type AdmittedIdentity,
    type AuthorizationPolicy,
    type MeshRequest,
    admittedIdentities,
    authorize,
    policiesFor,
} from "../../core/istio-authorization";
import { type Mesh, type MeshPod, type MeshRoute, envoyFilterPatches, gatewayPods, principalOf } from "../../core/istio-routes";
import { matchesLabels } from "../../core/label-selectors";
import { KUBEFLOW_USER_HEADER } from "../../core/istio";
import { INGRESS_FLOWS } from "../../core/kubeflow-flows";
import type { KubernetesObject } from "../../core/objects";
import type { Network } from "../../core/network-policy/network";
import { asRecord } from "../../core/records";

export interface MeshFinding {
    id: string;
    kind: "mesh";
    message: string;
    path: string[];
}

/** Backends that read the user from the header though no gateway route leads to them: ml-pipeline-ui forwards it to the Pipelines API (Pipelines 2.0.5 frontend/server/handlers). */
const HEADER_READERS = [{ namespace: "kubeflow", labels: { app: "ml-pipeline" } }];

/** The paths oidc-authservice lets through unauthenticated, leaving the caller's own header (its SKIP_AUTH_URLS, prefixes). */
function unauthenticatedPrefixes(objects: readonly KubernetesObject[]): string[] {
    const parameters = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === "oidc-authservice-parameters");
    const value = asRecord(parameters?.["data"])["SKIP_AUTH_URLS"];
    return typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : [];
}

/** Whether an ext_authz EnvoyFilter on these gateway pods overwrites the identity header with the authenticated user (Envoy's allowed_upstream_headers). */
function authenticates(objects: readonly KubernetesObject[], gateway: MeshPod): boolean {
    return envoyFilterPatches(objects, gateway).some(
        (text) =>
            text.includes("envoy.filters.http.ext_authz") &&
            text.includes(`"allowed_upstream_headers":{"patterns":[`) &&
            text.includes(`{"exact":"${KUBEFLOW_USER_HEADER}"}`),
    );
}

interface Attacker {
    tenant: TenantFacts;
    sources: { source: MeshRequest["source"]; what: string }[];
}

function attackerOf(tenant: TenantFacts, serviceAccounts: readonly string[]): Attacker {
    return {
        tenant,
        sources: [
            ...serviceAccounts.map((name) => ({
                source: { principal: principalOf({ namespace: tenant.name, serviceAccount: name }), namespace: tenant.name },
                what: `a pod of ${tenant.name} running as ${name}`,
            })),
            { source: undefined, what: `a pod of ${tenant.name} without a sidecar (sidecar.istio.io/inject: "false"), whose plaintext carries no identity` },
        ],
    };
}

const describeIdentity = (identity: string) => (identity === ANY_IDENTITY ? "any user it names" : identity);

/** The ports the network lets the attacker's pods open to these pods, with the verdict's reasons. */
function openPorts(network: Network, tenant: string, pod: MeshPod): { port: number; because: string[] }[] {
    return pod.ports.flatMap(({ number }) => {
        const verdict = network.canConnect({ namespace: tenant }, { namespace: pod.namespace, podLabels: pod.labels }, number);
        return verdict.allowed ? [{ port: number, because: verdict.because }] : [];
    });
}

export interface MeshAuditInput {
    tenants: readonly TenantFacts[];
    objects: readonly KubernetesObject[];
    /** The plan's mesh, read once for the whole audit. */
    mesh: Mesh;
    network: Network;
    serviceAccounts: ReadonlyMap<string, readonly string[]>;
    /** Whether pods of one namespace reach some pod of a tenant's (the audit's network verdicts, computed once). */
    reaches: (from: string, tenant: string) => boolean;
}

/**
 * A pod a tenant runs (notebook, model server, artifact server): behind a sidecar, on the ports the platform calls
 * tenant pods on, trusting the header through its members' AuthorizationPolicies.
 */
const tenantPod = (tenant: string): MeshPod => ({
    namespace: tenant,
    name: "*",
    description: `a pod of tenant ${tenant}`,
    labels: {},
    serviceAccount: "default-editor",
    ports: [...new Set(INGRESS_FLOWS.flatMap((flow) => flow.ports))].map((number) => ({ number })),
    proxied: true,
});

/** The pods whose apps read the user from the header: behind a gateway that authenticates, or named in HEADER_READERS. */
function headerReaders(objects: readonly KubernetesObject[], pods: readonly MeshPod[], routes: readonly MeshRoute[]): Set<MeshPod> {
    const authenticating = new Set(
        routes.filter((route) => gatewayPods(objects, pods, route.gateway).some((pod) => authenticates(objects, pod))).map((route) => route.gateway),
    );
    return new Set([
        ...routes.filter((route) => authenticating.has(route.gateway)).map((route) => route.destination),
        ...pods.filter((pod) => HEADER_READERS.some((reader) => reader.namespace === pod.namespace && matchesLabels(reader.labels, pod.labels))),
    ]);
}

export function auditMesh(input: MeshAuditInput): MeshFinding[] {
    // Only pods behind an Envoy take part: without one, no AuthorizationPolicy decides (platform-services.ts reports those).
    const pods = input.mesh.pods.filter((pod) => pod.proxied);
    const { policies } = input.mesh;
    const routes = input.mesh.routes.filter((route) => route.destination.proxied);
    const readers = headerReaders(input.objects, pods, routes);
    const findings = routes.flatMap((route) => identitySetByRoute(route, gatewayPods(input.objects, pods, route.gateway), policies));
    for (const tenant of input.tenants) {
        const attacker = attackerOf(tenant, input.serviceAccounts.get(tenant.name) ?? ["default"]);
        const others = input.tenants.filter((other) => other.name !== tenant.name && input.reaches(tenant.name, other.name));
        const targets: Target[] = [
            ...[...readers].filter((pod) => pod.namespace !== tenant.name).map((pod) => ({ pod, trusts: "app" as const })),
            ...others.map((other) => ({ pod: tenantPod(other.name), trusts: "policy" as const })),
        ];
        findings.push(...directForgery(input, attacker, targets, policies));
        findings.push(...forgeryThroughGateways(input, attacker, pods, routes, readers, policies));
    }
    return [...new Map(findings.map((finding) => [finding.id, finding])).values()];
}

/**
 * Where the header is trusted: by the app behind the pod (any value it admits is a forged user), or only by the
 * AuthorizationPolicies (a value counts when the same request without it is refused: the header is what lets it in).
 */
interface Target {
    pod: MeshPod;
    trusts: "app" | "policy";
}

function forged(target: Target, applicable: readonly AuthorizationPolicy[], admitted: AdmittedIdentity): boolean {
    if (admitted.identity === undefined) return false;
    return target.trusts === "app" || !authorize(applicable, { ...admitted.request, headers: { [KUBEFLOW_USER_HEADER]: undefined } }).allowed;
}

/** A route that sets the header: whoever takes it acts as that user wherever its destination admits them. */
function identitySetByRoute(route: MeshRoute, gateways: readonly MeshPod[], policies: readonly AuthorizationPolicy[]): MeshFinding[] {
    if (!route.identity || !("set" in route.identity)) return [];
    const user = route.identity.set;
    const [admitted] = gateways.flatMap((gateway) =>
        admittedIdentities(
            policiesFor(policies, route.destination),
            { principal: principalOf(gateway), namespace: gateway.namespace },
            route.port,
            KUBEFLOW_USER_HEADER,
            {
                pathPrefix: route.path,
                identities: [user],
            },
        ),
    );
    const at = admitted ? [admitted.because] : [];
    return [
        {
            id: `route-sets-identity:${route.virtualService.replace("VirtualService ", "")}`,
            kind: "mesh",
            message: `${route.virtualService} sets ${KUBEFLOW_USER_HEADER}: ${user} on requests through gateway ${route.gateway}, so whoever takes the route acts as ${user} at ${route.destination.description}`,
            path: [
                `gateway ${route.gateway}`,
                `${route.virtualService} route ${route.path} sets ${KUBEFLOW_USER_HEADER}: ${user}`,
                `${route.destination.description} port ${route.port}`,
                ...at,
            ],
        },
    ];
}

function forgery(attacker: Attacker, pod: MeshPod, identity: string, path: string[]): MeshFinding {
    return {
        id: `forged-identity:${attacker.tenant.name}:${pod.namespace}/${pod.name}`,
        kind: "mesh",
        message: `Pods of tenant ${attacker.tenant.name} can call ${pod.description} as ${describeIdentity(identity)} (${KUBEFLOW_USER_HEADER}), the header it takes the user from`,
        path,
    };
}

/** A tenant pod's own request, header and all, to a pod that trusts the header. */
function directForgery(input: MeshAuditInput, attacker: Attacker, targets: readonly Target[], policies: readonly AuthorizationPolicy[]): MeshFinding[] {
    return targets.flatMap((target) => {
        const applicable = policiesFor(policies, target.pod);
        for (const { port, because } of openPorts(input.network, attacker.tenant.name, target.pod))
            for (const { source, what } of attacker.sources) {
                const admitted = admittedIdentities(applicable, source, port, KUBEFLOW_USER_HEADER).find((candidate) => forged(target, applicable, candidate));
                if (admitted)
                    return [forgery(attacker, target.pod, admitted.identity!, [what, ...because, `${target.pod.description} port ${port}`, admitted.because])];
            }
        return [];
    });
}

/** A tenant pod's request through a gateway it reaches, which passes its header on unless it authenticates the caller on that path. */
function forgeryThroughGateways(
    input: MeshAuditInput,
    attacker: Attacker,
    pods: readonly MeshPod[],
    routes: readonly MeshRoute[],
    readers: ReadonlySet<MeshPod>,
    policies: readonly AuthorizationPolicy[],
): MeshFinding[] {
    const skipped = unauthenticatedPrefixes(input.objects);
    return [...new Set(routes.map((route) => route.gateway))].flatMap((gateway) =>
        gatewayPods(input.objects, pods, gateway).flatMap((gatewayPod) => {
            const reach = openPorts(input.network, attacker.tenant.name, gatewayPod)[0];
            if (!reach) return [];
            const gatewayPolicies = policiesFor(policies, gatewayPod);
            const passing = attacker.sources.flatMap(({ source, what }) =>
                admittedIdentities(gatewayPolicies, source, reach.port, KUBEFLOW_USER_HEADER)
                    .filter((admitted) => admitted.identity !== undefined)
                    .map((admitted) => ({ ...admitted, what })),
            )[0];
            if (!passing) return [];
            const checked = authenticates(input.objects, gatewayPod);
            return routes
                .filter((route) => route.gateway === gateway && readers.has(route.destination) && route.identity === undefined)
                .filter((route) => !checked || skipped.some((prefix) => route.path.startsWith(prefix)))
                .flatMap((route) => {
                    const [admitted] = admittedIdentities(
                        policiesFor(policies, route.destination),
                        { principal: principalOf(gatewayPod), namespace: gatewayPod.namespace },
                        route.port,
                        KUBEFLOW_USER_HEADER,
                        {
                            pathPrefix: route.path,
                            identities: [passing.identity],
                        },
                    );
                    if (!admitted || route.destination.namespace === attacker.tenant.name) return [];
                    const authn = checked
                        ? `${gatewayPod.description} authenticates no request under ${skipped.join(", ")} (oidc-authservice SKIP_AUTH_URLS), so the caller's header passes`
                        : `${gatewayPod.description} does not authenticate callers, so the caller's header passes`;
                    return [
                        forgery(attacker, route.destination, passing.identity!, [
                            passing.what,
                            ...reach.because,
                            passing.because,
                            authn,
                            `${route.virtualService} routes ${route.path} through gateway ${gateway} to ${route.destination.description} port ${route.port}`,
                            admitted.because,
                        ]),
                    ];
                });
        }),
    );
}
