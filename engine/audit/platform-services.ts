// Platform services that answer any caller and hold every tenant's data: a
// tenant pod that reaches one through the network reaches the other tenants'
// data through it. A service answers any caller when its pods run without an
// Istio sidecar (no AuthorizationPolicy applies), or when the mesh admits a
// tenant pod's request that names no user.
import { type AuthorizationPolicy, admittedIdentities, policiesFor } from "../../core/istio-authorization";
import { type Mesh, type MeshPod, principalOf } from "../../core/istio-routes";
import { matchesLabels } from "../../core/label-selectors";
import { KUBEFLOW_USER_HEADER } from "../../core/istio";
import type { KubernetesObject } from "../../core/objects";
import type { Network, PodsOf } from "../../core/network-policy/network";
import type { TenantFacts } from "../../core/facts";
import { type ServiceFinding, auditGatewayServices } from "./gateway-services";

export type { ServiceFinding };

interface PlatformService {
    id: string;
    what: string;
    holds: string;
    to: Required<PodsOf>;
    port: number;
}

/** The shared services tenant pods must reach (core/kubeflow-flows.ts) that keep every tenant's records. */
const SERVICES: readonly PlatformService[] = [
    {
        id: "unauthenticated-mlmd",
        what: "ML Metadata (metadata-grpc-service.kubeflow:8080)",
        holds: "every tenant's pipeline executions and artifacts",
        to: { namespace: "kubeflow", podLabels: { component: "metadata-grpc-server" } },
        port: 8080,
    },
    {
        id: "unauthenticated-pipelines-cache",
        what: "ml-pipeline's cache API (ml-pipeline.kubeflow:8887, TaskService)",
        holds: "every tenant's cached step results, which Pipelines 2.0.5's task_server.go reads and writes without authorization",
        to: { namespace: "kubeflow", podLabels: { app: "ml-pipeline" } },
        port: 8887,
    },
    {
        id: "unauthenticated-katib-db-manager",
        what: "katib-db-manager (katib-db-manager.kubeflow:6789)",
        holds: "every tenant's trial metrics",
        to: { namespace: "kubeflow", podLabels: { "katib.kubeflow.org/component": "db-manager" } },
        port: 6789,
    },
];

/** Why a pod of `tenant` gets an answer without naming a user (core/istio-authorization.ts), or undefined when the mesh checks the caller. */
function openBecause(pods: readonly MeshPod[], policies: readonly AuthorizationPolicy[], service: PlatformService, tenant: string): string | undefined {
    const pod = pods.find((candidate) => candidate.namespace === service.to.namespace && matchesLabels(service.to.podLabels, candidate.labels));
    if (!pod) return undefined;
    if (!pod.proxied)
        return `${pod.description} runs without an Istio sidecar (sidecar.istio.io/inject: "false"), so no AuthorizationPolicy checks its callers`;
    const source = { principal: principalOf({ namespace: tenant, serviceAccount: "default-editor" }), namespace: tenant };
    const [admitted] = admittedIdentities(policiesFor(policies, pod), source, service.port, KUBEFLOW_USER_HEADER, { identities: [undefined] });
    return admitted && `${admitted.because}, for a caller that names no user`;
}

/** For each tenant whose pods reach such a service: a path through it to the other tenants' data. */
export function auditPlatformServices(tenants: readonly TenantFacts[], objects: readonly KubernetesObject[], mesh: Mesh, network: Network): ServiceFinding[] {
    if (tenants.length < 2) return [];
    const { pods, policies } = mesh;
    const fromPods = SERVICES.flatMap((service) =>
        tenants.flatMap((tenant) => {
            const because = openBecause(pods, policies, service, tenant.name);
            if (!because) return [];
            const verdict = network.canConnect({ namespace: tenant.name }, service.to, service.port);
            if (!verdict.allowed) return [];
            const others = tenants.filter((other) => other.name !== tenant.name).map((other) => other.name);
            return [
                {
                    id: service.id,
                    kind: "service" as const,
                    message: `Pods of tenant ${tenant.name} can call ${service.what} without any check of who calls; it holds ${service.holds}, so they can read or change those of ${others.join(", ")}`,
                    path: [...verdict.because, because, `the records of ${others.map((other) => `tenant ${other}`).join(", ")}`],
                },
            ];
        }),
    );
    return [...fromPods, ...auditGatewayServices(tenants, objects, mesh)];
}
