// What Prometheus scrapes of Kubeflow: a ServiceMonitor for every component
// Service the release exposes metrics on, the Envoy sidecars and gateways of
// the mesh (Istio's request metrics, e.g. for MinIO and model serving), and
// the discovery rights those namespaces need.
import { matchesLabels } from "../../core/label-selectors";
import type { KubernetesObject } from "../../core/objects";
import { MONITORING_NAMESPACE } from "./settings";
import { CustomizeError } from "../manifests/customize";

interface MetricsEndpoint {
    component: string;
    namespace: string;
    service: string;
    /** The Service's port name. */
    port: string;
    /** kube-rbac-proxy fronts these: HTTPS with the Prometheus service account's token. */
    rbacProxy?: boolean;
    /** Only these releases render the Service; without it, every release does. */
    releases?: readonly string[];
}

/**
 * Every metrics port of the Kubeflow manifests (Services with a metrics or monitoring port). Kubeflow 1.9.1 has two
 * fewer: Knative Serving 1.12 no longer has a separate domain-mapping webhook, and Pipelines 2.3.0 renders no
 * workflow-controller-metrics Service.
 */
export const KUBEFLOW_METRICS_ENDPOINTS: MetricsEndpoint[] = [
    { component: "cert-manager", namespace: "cert-manager", service: "cert-manager", port: "tcp-prometheus-servicemonitor" },
    { component: "istio", namespace: "istio-system", service: "istiod", port: "http-monitoring" },
    { component: "knative-serving", namespace: "knative-serving", service: "activator-service", port: "http-metrics" },
    { component: "knative-serving", namespace: "knative-serving", service: "autoscaler", port: "http-metrics" },
    { component: "knative-serving", namespace: "knative-serving", service: "controller", port: "http-metrics" },
    { component: "knative-serving", namespace: "knative-serving", service: "webhook", port: "http-metrics" },
    { component: "knative-serving", namespace: "knative-serving", service: "domainmapping-webhook", port: "http-metrics", releases: ["kubeflow-1.8.1"] },
    { component: "knative-serving", namespace: "knative-serving", service: "net-istio-webhook", port: "http-metrics" },
    { component: "pipelines", namespace: "kubeflow", service: "workflow-controller-metrics", port: "metrics", releases: ["kubeflow-1.8.1"] },
    { component: "katib", namespace: "kubeflow", service: "katib-controller", port: "metrics" },
    { component: "training-operator", namespace: "kubeflow", service: "training-operator", port: "monitoring-port" },
    { component: "kserve", namespace: "kubeflow", service: "kserve-controller-manager-metrics-service", port: "https", rbacProxy: true },
    { component: "pvcviewer-controller", namespace: "kubeflow", service: "pvcviewer-controller-manager-metrics-service", port: "https", rbacProxy: true },
    {
        component: "tensorboard-controller",
        namespace: "kubeflow",
        service: "tensorboard-controller-controller-manager-metrics-service",
        port: "https",
        rbacProxy: true,
    },
];

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** A ServiceMonitor selecting exactly `endpoint`'s Service; an error if the platform lacks it or the labels are ambiguous. */
function serviceMonitor(endpoint: MetricsEndpoint, platform: readonly KubernetesObject[]): KubernetesObject {
    const services = platform.filter((object) => object.kind === "Service" && object.metadata.namespace === endpoint.namespace);
    const service = services.find((object) => object.metadata.name === endpoint.service);
    const hasPort = (candidate: KubernetesObject) =>
        ((candidate["spec"] as { ports?: { name?: string }[] }).ports ?? []).some((port) => port.name === endpoint.port);
    if (!service || !hasPort(service)) {
        throw new CustomizeError(
            `kfstack scrapes ${endpoint.component} at Service ${endpoint.namespace}/${endpoint.service} port ${endpoint.port}, but the installed manifests have no such ${service ? "port" : "Service"}; update KUBEFLOW_METRICS_ENDPOINTS in components/monitoring/scrape-targets.ts.`,
        );
    }
    const selector = service.metadata.labels ?? {};
    // Only Services with the port name yield targets, so only those must be told apart.
    const matched = services
        .filter((candidate) => matchesLabels(selector, candidate.metadata.labels) && hasPort(candidate))
        .map((candidate) => candidate.metadata.name);
    if (Object.keys(selector).length === 0 || matched.length !== 1) {
        throw new CustomizeError(
            `Service ${endpoint.namespace}/${endpoint.service}'s labels select ${matched.length === 0 ? "nothing" : matched.join(", ")}; a ServiceMonitor could not scrape it alone.`,
        );
    }
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name: `kubeflow-${endpoint.service}`,
            namespace: MONITORING_NAMESPACE,
            labels: { "app.kubernetes.io/part-of": "kfstack", "kfstack.io/component": endpoint.component },
        },
        spec: {
            jobLabel: "app.kubernetes.io/name",
            namespaceSelector: { matchNames: [endpoint.namespace] },
            selector: { matchLabels: selector },
            endpoints: [
                endpoint.rbacProxy
                    ? {
                          port: endpoint.port,
                          path: "/metrics",
                          scheme: "https",
                          bearerTokenFile: SERVICE_ACCOUNT_TOKEN,
                          tlsConfig: { insecureSkipVerify: true },
                      }
                    : { port: endpoint.port, path: "/metrics" },
            ],
        },
    };
}

function podMonitor(name: string, component: string, selector: Record<string, unknown>, endpoint: { port: string; path: string }): KubernetesObject {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name, namespace: MONITORING_NAMESPACE, labels: { "app.kubernetes.io/part-of": "kfstack", "kfstack.io/component": component } },
        spec: { namespaceSelector: { any: true }, selector, podMetricsEndpoints: [endpoint] },
    };
}

const podMonitors = (): KubernetesObject[] => [
    // Envoy on every sidecar and gateway (http-envoy-prom, 15090): Istio's request metrics, e.g. of MinIO.
    podMonitor(
        "istio-envoy",
        "istio",
        { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
        { port: "http-envoy-prom", path: "/stats/prometheus" },
    ),
    // Knative's queue-proxy in every model server pod: request counts and latencies per InferenceService.
    podMonitor(
        "knative-queue-proxy",
        "kserve",
        { matchExpressions: [{ key: "serving.knative.dev/revision", operator: "Exists" }] },
        { port: "http-usermetric", path: "/metrics" },
    ),
];

/**
 * Prometheus's discovery rights across namespaces: upstream grants them only
 * in default, kube-system and monitoring; Kubeflow's and tenants' pods live elsewhere.
 */
function discoveryAccess(): KubernetesObject[] {
    const name = "kfstack-prometheus-discovery";
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name },
            rules: [
                { apiGroups: [""], resources: ["services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ kind: "ServiceAccount", name: "prometheus-k8s", namespace: MONITORING_NAMESPACE }],
        },
    ];
}

/** Envoy's Prometheus port on every sidecar and gateway (the istio-envoy PodMonitor's http-envoy-prom). */
const ENVOY_METRICS_PORT = 15090;
const PROMETHEUS_PODS = { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "k8s" };

/**
 * Where the platform isolates a scraped namespace's pods with NetworkPolicies (Kubeflow 1.9.1's kubeflow namespace lets in
 * only itself, istio-system and tenants), the one allowance scraping needs: Prometheus's pods to the scraped Services'
 * target ports and Envoy's. Upstream's policies stay; a namespace without any is left as it is.
 */
function scrapeAllowances(endpoints: readonly MetricsEndpoint[], platform: readonly KubernetesObject[]): KubernetesObject[] {
    const isolated = new Set(platform.filter((object) => object.kind === "NetworkPolicy").map((object) => object.metadata.namespace));
    const namespaces = [...new Set(endpoints.map((endpoint) => endpoint.namespace))].filter((namespace) => isolated.has(namespace));
    return namespaces.map((namespace) => {
        const targetPorts = endpoints
            .filter((endpoint) => endpoint.namespace === namespace)
            .map((endpoint) => {
                const service = platform.find(
                    (object) => object.kind === "Service" && object.metadata.namespace === namespace && object.metadata.name === endpoint.service,
                )!;
                const port = ((service["spec"] as { ports: { name?: string; port: number; targetPort?: number | string }[] }).ports ?? []).find(
                    (candidate) => candidate.name === endpoint.port,
                )!;
                return port.targetPort ?? port.port;
            });
        return {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "allow-prometheus-scrape", namespace, labels: { "app.kubernetes.io/part-of": "kfstack" } },
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MONITORING_NAMESPACE } },
                                podSelector: { matchLabels: PROMETHEUS_PODS },
                            },
                        ],
                        ports: [...new Set([...targetPorts, ENVOY_METRICS_PORT])].map((port) => ({ protocol: "TCP", port })),
                    },
                ],
            },
        };
    });
}

/** The metrics ports `release` renders. */
export function metricsEndpoints(release: string): MetricsEndpoint[] {
    return KUBEFLOW_METRICS_ENDPOINTS.filter((endpoint) => endpoint.releases?.includes(release) ?? true);
}

/** The scrape configuration of Kubeflow `release`: checked against the installed `platform` objects. */
export function kubeflowScrapeTargets(platform: readonly KubernetesObject[], release: string): KubernetesObject[] {
    const endpoints = metricsEndpoints(release);
    return [
        ...endpoints.map((endpoint) => serviceMonitor(endpoint, platform)),
        ...podMonitors(),
        ...discoveryAccess(),
        ...scrapeAllowances(endpoints, platform),
    ];
}
