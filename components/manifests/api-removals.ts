// Built-in API versions Kubernetes stopped serving, by release. Source: the
// Kubernetes "Deprecated API Migration Guide", section "Removed APIs by
// release" (https://kubernetes.io/docs/reference/using-api/deprecation-guide/);
// 1.33 removed none. An object using one of these cannot be applied to a
// cluster at or past that release.
import { compareKubernetesVersions } from "../../core/kubernetes-version";
import { type KubernetesObject, describeObject } from "../../core/objects";
import { CustomizeError } from "./customize";

const REMOVALS: [removedIn: string, apiVersion: string, kinds: string[]][] = [
    ["1.16", "extensions/v1beta1", ["NetworkPolicy", "DaemonSet", "Deployment", "ReplicaSet", "PodSecurityPolicy"]],
    ["1.16", "apps/v1beta1", ["Deployment", "StatefulSet", "ReplicaSet"]],
    ["1.16", "apps/v1beta2", ["DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"]],
    ["1.22", "admissionregistration.k8s.io/v1beta1", ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]],
    ["1.22", "apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"]],
    ["1.22", "apiregistration.k8s.io/v1beta1", ["APIService"]],
    ["1.22", "authentication.k8s.io/v1beta1", ["TokenReview"]],
    ["1.22", "authorization.k8s.io/v1beta1", ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectRulesReview"]],
    ["1.22", "certificates.k8s.io/v1beta1", ["CertificateSigningRequest"]],
    ["1.22", "coordination.k8s.io/v1beta1", ["Lease"]],
    ["1.22", "extensions/v1beta1", ["Ingress"]],
    ["1.22", "networking.k8s.io/v1beta1", ["Ingress", "IngressClass"]],
    ["1.22", "rbac.authorization.k8s.io/v1beta1", ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]],
    ["1.22", "scheduling.k8s.io/v1beta1", ["PriorityClass"]],
    ["1.22", "storage.k8s.io/v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"]],
    ["1.25", "batch/v1beta1", ["CronJob"]],
    ["1.25", "discovery.k8s.io/v1beta1", ["EndpointSlice"]],
    ["1.25", "events.k8s.io/v1beta1", ["Event"]],
    ["1.25", "autoscaling/v2beta1", ["HorizontalPodAutoscaler"]],
    ["1.25", "policy/v1beta1", ["PodDisruptionBudget", "PodSecurityPolicy"]],
    ["1.25", "node.k8s.io/v1beta1", ["RuntimeClass"]],
    ["1.26", "flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"]],
    ["1.26", "autoscaling/v2beta2", ["HorizontalPodAutoscaler"]],
    ["1.27", "storage.k8s.io/v1beta1", ["CSIStorageCapacity"]],
    ["1.29", "flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"]],
    ["1.32", "flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"]],
];

/** The Kubernetes release that stopped serving this object's apiVersion, if one did. */
export function removedIn(object: Pick<KubernetesObject, "apiVersion" | "kind">): string | undefined {
    return REMOVALS.find(([, apiVersion, kinds]) => apiVersion === object.apiVersion && kinds.includes(object.kind))?.[0];
}

/** True when a cluster at `kubernetesVersion` no longer serves the object's apiVersion. */
export function removedBy(object: Pick<KubernetesObject, "apiVersion" | "kind">, kubernetesVersion: string): boolean {
    const release = removedIn(object);
    return release !== undefined && compareKubernetesVersions(release, kubernetesVersion) <= 0;
}

/** Throws, naming every object, when a cluster at `kubernetesVersion` would not serve some of `objects`. */
export function assertServed(objects: KubernetesObject[], kubernetesVersion: string, release: string): void {
    const removed = objects.filter((object) => removedBy(object, kubernetesVersion));
    if (removed.length === 0) return;
    throw new CustomizeError(
        `Kubernetes ${kubernetesVersion} no longer serves the apiVersion of ${removed.map((object) => `${describeObject(object)} (${object.apiVersion})`).join(", ")}; use a release of ${release} built for it.`,
    );
}
