// Platform services that hold every tenant's data and answer any signed-in user
// through the ingress gateway: a member of one tenant reaches the others' data
// with nothing but a login. Found from the plan's routes (a VirtualService bound
// to a gateway leading to the service's pods) and from what the pods' sidecar
// admits from the gateway, or their lack of one.
import type { TenantFacts } from "../../core/facts";
import { ANY_IDENTITY, type AuthorizationPolicy, admittedIdentities, policiesFor } from "../../core/istio-authorization";
import { type Mesh, type MeshPod, type MeshRoute, envoyFilterPatches, gatewayPods, principalOf } from "../../core/istio-routes";
import { matchesLabels } from "../../core/label-selectors";
import { KUBEFLOW_USER_HEADER } from "../../core/istio";
import type { KubernetesObject } from "../../core/objects";
import { ARTIFACTS_NEED_NAMESPACE_LUA } from "../../components/kubeflow/mesh-isolation";

/** A platform service through which one tenant reaches every other tenant's records. */
export interface ServiceFinding {
    id: string;
    kind: "service";
    message: string;
    path: string[];
}

interface GatewayService {
    id: string;
    what: string;
    holds: string;
    /** The pods the route leads to. */
    labels: Readonly<Record<string, string>>;
    namespace: string;
    /** What closes it besides the mesh: a guard kfstack plans in front of it, found by its exact shape. */
    guarded?: (objects: readonly KubernetesObject[], pod: MeshPod) => boolean;
}

/** An EnvoyFilter on these pods whose Lua is kfstack's artifact guard, as components/kubeflow/mesh-isolation.ts writes it. */
function hasArtifactGuard(objects: readonly KubernetesObject[], pod: MeshPod): boolean {
    return envoyFilterPatches(objects, pod).some((text) => text.includes(JSON.stringify(ARTIFACTS_NEED_NAMESPACE_LUA)));
}

const SERVICES: readonly GatewayService[] = [
    {
        id: "unauthenticated-mlmd",
        what: "ML Metadata's web endpoint (metadata-envoy, which the Pipelines UI calls from the browser)",
        holds: "every tenant's pipeline executions and artifact locations",
        namespace: "kubeflow",
        labels: { component: "metadata-envoy" },
    },
    {
        id: "pipelines-ui-artifacts",
        what: "the Pipelines UI's artifact endpoints (artifacts/get and artifacts/<source>/<bucket>/<key>)",
        holds: "every tenant's artifacts, which Pipelines 2.0.5's UI reads from the object store with its own key for a request that names no namespace (frontend/server/handlers/artifacts.ts)",
        namespace: "kubeflow",
        labels: { app: "ml-pipeline-ui" },
        guarded: hasArtifactGuard,
    },
];

const selects = (service: GatewayService, pod: MeshPod) => pod.namespace === service.namespace && matchesLabels(service.labels, pod.labels);

/** Why the route's destination answers any signed-in user, or undefined when something checks the caller. */
function openBecause(
    objects: readonly KubernetesObject[],
    pods: readonly MeshPod[],
    policies: readonly AuthorizationPolicy[],
    route: MeshRoute,
): string | undefined {
    const pod = route.destination;
    if (!pod.proxied)
        return `${pod.description} runs without an Istio sidecar (sidecar.istio.io/inject: "false"), so no AuthorizationPolicy checks who the gateway carries`;
    const [admitted] = gatewayPods(objects, pods, route.gateway).flatMap((gateway) =>
        admittedIdentities(policiesFor(policies, pod), { principal: principalOf(gateway), namespace: gateway.namespace }, route.port, KUBEFLOW_USER_HEADER, {
            pathPrefix: route.path,
            identities: [ANY_IDENTITY],
        }),
    );
    return admitted && `${admitted.because}, for any user the gateway signed in`;
}

/** For each tenant: its people reach the other tenants' data through each such route. */
export function auditGatewayServices(
    tenants: readonly TenantFacts[],
    objects: readonly KubernetesObject[],
    { pods, policies, routes }: Mesh,
): ServiceFinding[] {
    if (tenants.length < 2) return [];
    return SERVICES.flatMap((service) => {
        const route = routes.find((candidate) => selects(service, candidate.destination));
        if (!route || service.guarded?.(objects, route.destination)) return [];
        const because = openBecause(objects, pods, policies, route);
        if (!because) return [];
        return tenants.map((tenant) => {
            const others = tenants.filter((other) => other.name !== tenant.name).map((other) => other.name);
            return {
                id: service.id,
                kind: "service" as const,
                message: `People of tenant ${tenant.name} can reach ${service.what} through gateway ${route.gateway} with nothing but their login; it holds ${service.holds}, so they can read those of ${others.join(", ")}`,
                path: [
                    `gateway ${route.gateway} (any signed-in user)`,
                    `${route.virtualService} routes ${route.path} to ${route.destination.description} port ${route.port}`,
                    because,
                    `the records of ${others.map((other) => `tenant ${other}`).join(", ")}`,
                ],
            };
        });
    });
}
