// Platform services that answer any caller and hold every tenant's data: a
// tenant pod that reaches one through the network reaches the other tenants'
// data through it. A service answers any caller when its pods run without an
// Istio sidecar (no AuthorizationPolicy applies), or when an ALLOW
// AuthorizationPolicy selecting them has a rule with no `from` (any source).
import type { KubernetesObject } from "../../core/objects";
import type { Network, PodsOf } from "../../core/network-policy/network";
import type { TenantFacts } from "../../core/facts";

export interface ServiceFinding {
    id: string;
    kind: "service";
    message: string;
    path: string[];
}

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

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
    Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);

interface PodTemplateMetadata {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

interface AuthorizationPolicySpec {
    action?: string;
    selector?: { matchLabels?: Record<string, string> };
    rules?: { from?: unknown[]; to?: { operation?: { paths?: string[] } }[] }[];
}

/** The policy's first rule that admits any source. */
const openRule = (spec: AuthorizationPolicySpec | undefined) => (spec?.rules ?? []).find((rule) => !rule.from);

/** Why any caller gets an answer from the service's pods, or undefined when a policy checks the caller. */
function openBecause(objects: readonly KubernetesObject[], service: PlatformService): string | undefined {
    const workload = objects.find((object) => {
        const template = (object["spec"] as { template?: { metadata?: PodTemplateMetadata } } | undefined)?.template?.metadata;
        return object.kind === "Deployment" && object.metadata.namespace === service.to.namespace && matches(service.to.podLabels, template?.labels ?? {});
    });
    if (!workload) return undefined;
    const template = (workload["spec"] as { template: { metadata: PodTemplateMetadata } }).template.metadata;
    if (template.annotations?.["sidecar.istio.io/inject"] === "false" || template.labels?.["sidecar.istio.io/inject"] === "false")
        return `Deployment ${service.to.namespace}/${workload.metadata.name} runs without an Istio sidecar (sidecar.istio.io/inject: "false"), so no AuthorizationPolicy checks its callers`;
    const open = objects.find((object) => {
        if (object.kind !== "AuthorizationPolicy" || object.metadata.namespace !== service.to.namespace) return false;
        const spec = object["spec"] as AuthorizationPolicySpec | undefined;
        return (spec?.action ?? "ALLOW") === "ALLOW" && matches(spec?.selector?.matchLabels, template.labels ?? {}) && openRule(spec) !== undefined;
    });
    if (!open) return undefined;
    const operations = openRule(open["spec"] as AuthorizationPolicySpec)?.to?.flatMap((to) => to.operation?.paths ?? []) ?? [];
    return `AuthorizationPolicy ${service.to.namespace}/${open.metadata.name} allows any source (a rule without from)${operations.length ? ` to ${operations.join(", ")}` : ""}`;
}

/** For each tenant whose pods reach such a service: a path through it to the other tenants' data. */
export function auditPlatformServices(tenants: readonly TenantFacts[], objects: readonly KubernetesObject[], network: Network): ServiceFinding[] {
    if (tenants.length < 2) return [];
    return SERVICES.flatMap((service) => {
        const because = openBecause(objects, service);
        if (!because) return [];
        return tenants.flatMap((tenant) => {
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
        });
    });
}
