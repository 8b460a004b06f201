// What Kubernetes knows about the built-in kinds kfstack meets: their
// resource name (plural), their scope, and the versions they are served at.
// Custom kinds take the same facts from their CustomResourceDefinition.
import type { KubernetesObject } from "./objects";
import { apiGroup } from "./objects";

export interface ResourceInfo {
    resource: string;
    namespaced: boolean;
    /** Every version the resource is served at, when more than the object's own (for matchPolicy Equivalent). */
    versions?: string[];
}

/** Built-in kinds by `group/Kind`: their resource (plural) and scope, as served by Kubernetes 1.33. */
export const BUILT_IN_KINDS: Record<string, ResourceInfo> = {
    "/Pod": { resource: "pods", namespaced: true },
    "/Service": { resource: "services", namespaced: true },
    "/ConfigMap": { resource: "configmaps", namespaced: true },
    "/Secret": { resource: "secrets", namespaced: true },
    "/ServiceAccount": { resource: "serviceaccounts", namespaced: true },
    "/PersistentVolumeClaim": { resource: "persistentvolumeclaims", namespaced: true },
    "/Endpoints": { resource: "endpoints", namespaced: true },
    "/ResourceQuota": { resource: "resourcequotas", namespaced: true },
    "/LimitRange": { resource: "limitranges", namespaced: true },
    "/ReplicationController": { resource: "replicationcontrollers", namespaced: true },
    "/Namespace": { resource: "namespaces", namespaced: false },
    "/PersistentVolume": { resource: "persistentvolumes", namespaced: false },
    "apps/Deployment": { resource: "deployments", namespaced: true },
    "apps/StatefulSet": { resource: "statefulsets", namespaced: true },
    "apps/DaemonSet": { resource: "daemonsets", namespaced: true },
    "apps/ReplicaSet": { resource: "replicasets", namespaced: true },
    "batch/Job": { resource: "jobs", namespaced: true },
    "batch/CronJob": { resource: "cronjobs", namespaced: true },
    // autoscaling/v1 and v2 serve the same objects: a rule for either catches both under matchPolicy Equivalent.
    "autoscaling/HorizontalPodAutoscaler": { resource: "horizontalpodautoscalers", namespaced: true, versions: ["v1", "v2"] },
    "policy/PodDisruptionBudget": { resource: "poddisruptionbudgets", namespaced: true },
    "networking.k8s.io/NetworkPolicy": { resource: "networkpolicies", namespaced: true },
    "networking.k8s.io/Ingress": { resource: "ingresses", namespaced: true },
    "networking.k8s.io/IngressClass": { resource: "ingressclasses", namespaced: false },
    "discovery.k8s.io/EndpointSlice": { resource: "endpointslices", namespaced: true },
    "coordination.k8s.io/Lease": { resource: "leases", namespaced: true },
    "rbac.authorization.k8s.io/Role": { resource: "roles", namespaced: true },
    "rbac.authorization.k8s.io/RoleBinding": { resource: "rolebindings", namespaced: true },
    "rbac.authorization.k8s.io/ClusterRole": { resource: "clusterroles", namespaced: false },
    "rbac.authorization.k8s.io/ClusterRoleBinding": { resource: "clusterrolebindings", namespaced: false },
    "apiextensions.k8s.io/CustomResourceDefinition": { resource: "customresourcedefinitions", namespaced: false },
    "apiregistration.k8s.io/APIService": { resource: "apiservices", namespaced: false },
    "admissionregistration.k8s.io/MutatingWebhookConfiguration": { resource: "mutatingwebhookconfigurations", namespaced: false },
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration": { resource: "validatingwebhookconfigurations", namespaced: false },
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy": { resource: "validatingadmissionpolicies", namespaced: false },
    "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": { resource: "validatingadmissionpolicybindings", namespaced: false },
    "scheduling.k8s.io/PriorityClass": { resource: "priorityclasses", namespaced: false },
    "storage.k8s.io/StorageClass": { resource: "storageclasses", namespaced: false },
    "storage.k8s.io/CSIDriver": { resource: "csidrivers", namespaced: false },
    "node.k8s.io/RuntimeClass": { resource: "runtimeclasses", namespaced: false },
    "certificates.k8s.io/CertificateSigningRequest": { resource: "certificatesigningrequests", namespaced: false },
};

/**
 * Kustomize sometimes stamps metadata.namespace on cluster-scoped objects (a
 * ClusterIssuer, a CompositeController). The API server ignores it; kfstack
 * drops it, so an object's identity and Pulumi name are its real ones.
 */
export function clearClusterScopedNamespaces(objects: KubernetesObject[]): void {
    const clusterScopedCustomKinds = new Set(
        objects
            .filter((object) => object.kind === "CustomResourceDefinition" && apiGroup(object.apiVersion) === "apiextensions.k8s.io")
            .map((crd) => crd["spec"] as { group?: string; scope?: string; names?: { kind?: string } })
            .filter((spec) => spec.scope === "Cluster")
            .map((spec) => `${spec.group}/${spec.names?.kind}`),
    );
    for (const object of objects) {
        const groupKind = `${apiGroup(object.apiVersion)}/${object.kind}`;
        if (object.metadata.namespace !== undefined && (BUILT_IN_KINDS[groupKind]?.namespaced === false || clusterScopedCustomKinds.has(groupKind))) {
            delete object.metadata.namespace;
        }
    }
}
