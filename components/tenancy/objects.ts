// The Kubernetes objects of one tenant, as pure data: a Kubeflow Profile, the
// member access KFAM would record, a LimitRange, and NetworkPolicies that deny
// everything but what the platform needs. The audit reads the same objects.
import type { TenantConfig } from "../config/schema";
import type { KubernetesObject } from "../../core/objects";
import type { DataPlaneEgress } from "../data-plane/managed";
import { KUBEFLOW_USER_HEADER } from "../../core/istio";
import { EGRESS_FLOWS, INGRESS_FLOWS, flowsFor } from "../../core/kubeflow-flows";
import { containerLimits, resourceQuotaHard } from "./quota";

/** What every tenant's network rules refer to. */
export interface TenancySettings {
    /** Where the Kubernetes API is reached from pods. */
    apiServerCidrs: string[];
    /** Whether KServe (Knative) serves models into tenant namespaces. */
    kserve: boolean;
    /** Whether Prometheus scrapes the model servers' queue-proxy (kfstack:monitoring). */
    monitoring: boolean;
    /** The cloud identity endpoint and object store of a managed data plane (allow-data-plane); empty without one. */
    dataPlaneEgress: DataPlaneEgress;
}

/** Knative's queue-proxy serves request metrics on this port (http-usermetric). */
export const QUEUE_PROXY_METRICS_PORT = 9091;

/**
 * Members' AuthorizationPolicies make the mesh deny everything else, and
 * Prometheus has no sidecar (so no identity to allow): allow exactly GET
 * /metrics on the queue-proxy port. The NetworkPolicies still admit only
 * the platform's namespaces.
 */
function metricsScrapeAccess(namespace: string): KubernetesObject {
    return {
        apiVersion: "security.istio.io/v1beta1",
        kind: "AuthorizationPolicy",
        metadata: { name: "allow-metrics-scrape", namespace },
        spec: { action: "ALLOW", rules: [{ to: [{ operation: { ports: [String(QUEUE_PROXY_METRICS_PORT)], methods: ["GET"], paths: ["/metrics"] } }] }] },
    };
}

const NAMESPACE_NAME = "kubernetes.io/metadata.name";

/**
 * KFAM's name for a member's RoleBinding and AuthorizationPolicy: kind, user,
 * role kind and role name, lower-cased, with every run of other characters as
 * '-' (kubeflow/kubeflow components/access-management/kfam/bindings.go).
 */
export function kfamBindingName(email: string, clusterRole: string): string {
    return `User-${email}-ClusterRole-${clusterRole}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

/** The principals the central dashboard and Pipelines UI call tenant namespaces as (KFAM's AuthorizationPolicy sources). */
export const GATEWAY_PRINCIPALS = ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account", "cluster.local/ns/kubeflow/sa/ml-pipeline-ui"];

/**
 * What a reader may reach through the gateway: anything but notebooks, whose Jupyter has no token, so opening one is running
 * code as the tenant's default-editor. The notebook controller (v1.8.0) routes /notebook/<ns>/<name>/ to port 8888
 * unless the Notebook names another port, and may rewrite the path (RStudio, code-server): either clause denies.
 */
export const READER_REACH = { notPorts: ["8888"], notPaths: ["/notebook/*"] };

function memberAccess(namespace: string, email: string, role: "edit" | "view"): KubernetesObject[] {
    const clusterRole = `kubeflow-${role}`;
    const name = kfamBindingName(email, clusterRole);
    const annotations = { user: email, role };
    const fromGateway = {
        from: [{ source: { principals: GATEWAY_PRINCIPALS } }],
        when: [{ key: `request.headers[${KUBEFLOW_USER_HEADER}]`, values: [email] }],
    };
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name, namespace, annotations },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: email }],
        },
        {
            apiVersion: "security.istio.io/v1beta1",
            kind: "AuthorizationPolicy",
            metadata: { name, namespace, annotations },
            spec: {
                action: "ALLOW",
                rules: [role === "view" ? { ...fromGateway, to: [{ operation: READER_REACH }] } : fromGateway],
            },
        },
    ];
}

const inNamespaces = (...names: string[]) => ({ namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME, operator: "In", values: names }] } });

const cidrs = (list: readonly string[]) => list.map((cidr) => ({ ipBlock: { cidr } }));

function networkPolicy(namespace: string, name: string, spec: Record<string, unknown>): KubernetesObject {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

/** What every tenant pod may reach: the Kubernetes API, and each platform service of the flows table (core/kubeflow-flows.ts). */
function platformServiceEgress(settings: TenancySettings): Record<string, unknown>[] {
    return [
        // The Kubernetes API (service accounts of notebooks and pipeline steps talk to it).
        ...(settings.apiServerCidrs.length
            ? [
                  {
                      to: cidrs(settings.apiServerCidrs),
                      ports: [
                          { protocol: "TCP", port: 443 },
                          { protocol: "TCP", port: 6443 },
                      ],
                  },
              ]
            : []),
        // One rule per flow, so each destination opens only its own ports.
        ...flowsFor(EGRESS_FLOWS, settings).map(({ to }) => ({
            to: [{ ...inNamespaces(to.namespace), podSelector: { matchLabels: { ...to.podLabels } } }],
            ports: to.ports.map((port) => ({ protocol: "TCP", port })),
        })),
    ];
}

/** Default deny, then exactly what a Kubeflow tenant needs. */
function networkPolicies(tenant: TenantConfig, settings: TenancySettings): KubernetesObject[] {
    const namespace = tenant.name;
    const allPods = {};
    const platformIngress = [...new Set(flowsFor(INGRESS_FLOWS, settings).map((flow) => flow.from.namespace))];
    return [
        networkPolicy(namespace, "default-deny", { podSelector: allPods, policyTypes: ["Ingress", "Egress"] }),
        networkPolicy(namespace, "allow-same-namespace", {
            podSelector: allPods,
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: allPods }] }],
            egress: [{ to: [{ podSelector: allPods }] }],
        }),
        networkPolicy(namespace, "allow-from-platform", {
            podSelector: allPods,
            policyTypes: ["Ingress"],
            ingress: [{ from: [inNamespaces(...platformIngress)] }],
        }),
        networkPolicy(namespace, "allow-dns", {
            podSelector: allPods,
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ ...inNamespaces("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        }),
        networkPolicy(namespace, "allow-platform-services", {
            podSelector: allPods,
            policyTypes: ["Egress"],
            egress: platformServiceEgress(settings),
        }),
        ...(tenant.egress.objectStorageCidrs.length
            ? [
                  networkPolicy(namespace, "allow-object-storage", {
                      podSelector: allPods,
                      policyTypes: ["Egress"],
                      egress: [{ to: cidrs(tenant.egress.objectStorageCidrs), ports: [{ protocol: "TCP", port: 443 }] }],
                  }),
              ]
            : []),
        // Pipeline steps, the artifact server and model servers reach the managed object store as the tenant's cloud identity.
        ...(settings.dataPlaneEgress.length
            ? [
                  networkPolicy(namespace, "allow-data-plane", {
                      podSelector: allPods,
                      policyTypes: ["Egress"],
                      egress: settings.dataPlaneEgress.map(({ cidrs: blocks, port }) => ({ to: cidrs(blocks), ports: [{ protocol: "TCP", port }] })),
                  }),
              ]
            : []),
        ...(tenant.egress.cidrs.length
            ? [networkPolicy(namespace, "allow-extra-egress", { podSelector: allPods, policyTypes: ["Egress"], egress: [{ to: cidrs(tenant.egress.cidrs) }] })]
            : []),
    ];
}

export interface TenantObjects {
    profile: KubernetesObject;
    /** Objects in the tenant's namespace, and view access in the namespaces it reads from. */
    namespaced: KubernetesObject[];
}

export function tenantObjects(tenant: TenantConfig, settings: TenancySettings): TenantObjects {
    const namespace = tenant.name;
    const profile: KubernetesObject = {
        apiVersion: "kubeflow.org/v1",
        kind: "Profile",
        metadata: { name: namespace, labels: tenant.labels },
        spec: {
            owner: { kind: "User", name: tenant.owner },
            resourceQuotaSpec: { hard: resourceQuotaHard(tenant) },
        },
    };
    const limitRange: KubernetesObject = {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: "tenant-container-defaults", namespace },
        spec: { limits: [containerLimits(tenant)] },
    };
    const people = [tenant.owner, ...tenant.members.map((member) => member.email)];
    const reads = tenant.readsFrom.flatMap((other) => people.map((email) => memberAccess(other, email, "view")).flat());
    return {
        profile,
        namespaced: [
            ...tenant.members.flatMap((member) => memberAccess(namespace, member.email, member.role)),
            ...(settings.kserve && settings.monitoring ? [metricsScrapeAccess(namespace)] : []),
            limitRange,
            ...networkPolicies(tenant, settings),
            ...reads,
        ],
    };
}
