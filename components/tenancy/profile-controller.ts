// What the Kubeflow profile controller creates for a Profile at run time, so
// the audit can judge access before anything runs: the namespace with the
// labels of its namespace-labels ConfigMap (plus istio-injection), the owner's
// kubeflow-admin binding, and the default-editor / default-viewer service
// accounts that notebooks and pipeline steps run as, and the owner's
// AuthorizationPolicy ns-owner-access-istio
// (kubeflow/kubeflow v1.8.0 components/profile-controller/controllers/profile_controller.go).
import type { KubernetesObject } from "../../core/objects";
import type { TenantFacts } from "../../core/facts";
import { KUBEFLOW_USER_HEADER } from "../../core/istio";
import { GATEWAY_PRINCIPALS } from "./objects";

export const PROFILE_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
    "istio-injection": "enabled",
    "katib.kubeflow.org/metrics-collector-injection": "enabled",
    "serving.kubeflow.org/inferenceservice": "enabled",
    "pipelines.kubeflow.org/enabled": "true",
    "app.kubernetes.io/part-of": "kubeflow-profile",
};

function binding(
    namespace: string,
    name: string,
    clusterRole: string,
    subject: Record<string, string>,
    annotations?: Record<string, string>,
): KubernetesObject {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
        subjects: [subject],
    };
}

/**
 * getAuthorizationPolicy of profile controller v1.8.0: the owner through the gateway or the Pipelines UI, any workload of the
 * namespace, anyone on Knative's probe paths, and the notebook controller's kernel checks.
 */
function ownerAccess(tenant: TenantFacts): KubernetesObject {
    return {
        apiVersion: "security.istio.io/v1beta1",
        kind: "AuthorizationPolicy",
        metadata: { name: "ns-owner-access-istio", namespace: tenant.name },
        spec: {
            action: "ALLOW",
            rules: [
                { when: [{ key: `request.headers[${KUBEFLOW_USER_HEADER}]`, values: [tenant.owner] }], from: [{ source: { principals: GATEWAY_PRINCIPALS } }] },
                { when: [{ key: "source.namespace", values: [tenant.name] }] },
                { to: [{ operation: { paths: ["/healthz", "/metrics", "/wait-for-drain"] } }] },
                {
                    from: [{ source: { principals: ["cluster.local/ns/kubeflow/sa/notebook-controller-service-account"] } }],
                    to: [{ operation: { methods: ["GET"], paths: ["*/api/kernels"] } }],
                },
            ],
        },
    };
}

export function profileControllerObjects(tenant: TenantFacts, labels: Record<string, string> = {}): KubernetesObject[] {
    const namespace = tenant.name;
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { ...PROFILE_NAMESPACE_LABELS, ...labels } } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default-editor", namespace } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default-viewer", namespace } },
        binding(
            namespace,
            "namespaceAdmin",
            "kubeflow-admin",
            { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: tenant.owner },
            { user: tenant.owner, role: "admin" },
        ),
        binding(namespace, "default-editor", "kubeflow-edit", { kind: "ServiceAccount", name: "default-editor", namespace }),
        binding(namespace, "default-viewer", "kubeflow-view", { kind: "ServiceAccount", name: "default-viewer", namespace }),
        ownerAccess(tenant),
    ];
}
