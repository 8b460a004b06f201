// Fields the Kubernetes API server refuses to change on an existing object:
// an apply that changes one fails ("field is immutable", "Forbidden: updates
// to statefulset spec for fields other than …"), so the object must be
// deleted and created again, and whatever it owns (a StatefulSet's claims,
// a CRD's custom resources) goes with it unless it is kept on purpose.

/** Immutable field paths by `group/Kind`, each kind with where the API server enforces it (kubernetes/kubernetes unless said otherwise). */
export const IMMUTABLE_FIELDS: Readonly<Record<string, { paths: readonly string[]; source: string }>> = {
    "apps/Deployment": { paths: ["spec.selector"], source: "pkg/apis/apps/validation ValidateDeploymentUpdate (apps/v1: spec.selector is immutable)" },
    "apps/DaemonSet": { paths: ["spec.selector"], source: "pkg/apis/apps/validation ValidateDaemonSetUpdate (apps/v1: spec.selector is immutable)" },
    "apps/ReplicaSet": { paths: ["spec.selector"], source: "pkg/apis/apps/validation ValidateReplicaSetUpdate (apps/v1: spec.selector is immutable)" },
    "apps/StatefulSet": {
        paths: ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
        source: "pkg/apis/apps/validation ValidateStatefulSetUpdate: only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds may change",
    },
    "batch/Job": {
        paths: ["spec.selector", "spec.template", "spec.completionMode", "spec.podFailurePolicy", "spec.backoffLimitPerIndex"],
        source: "pkg/apis/batch/validation ValidateJobSpecUpdate",
    },
    "/Service": {
        paths: ["spec.clusterIP", "spec.clusterIPs"],
        source: "pkg/apis/core/validation ValidateServiceUpdate (unless the type changes to or from ExternalName)",
    },
    "/PersistentVolumeClaim": {
        paths: ["spec.storageClassName", "spec.accessModes", "spec.volumeMode", "spec.volumeName", "spec.selector", "spec.dataSource", "spec.dataSourceRef"],
        source: "pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate: spec is immutable after creation except resources.requests and volumeAttributesClassName",
    },
    "rbac.authorization.k8s.io/RoleBinding": { paths: ["roleRef"], source: "pkg/apis/rbac/validation ValidateRoleBindingUpdate: cannot change roleRef" },
    "rbac.authorization.k8s.io/ClusterRoleBinding": {
        paths: ["roleRef"],
        source: "pkg/apis/rbac/validation ValidateClusterRoleBindingUpdate: cannot change roleRef",
    },
    "storage.k8s.io/StorageClass": {
        paths: ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
        source: "pkg/apis/storage/validation ValidateStorageClassUpdate",
    },
    "apiextensions.k8s.io/CustomResourceDefinition": {
        paths: ["spec.group", "spec.names.plural", "spec.scope", "spec.names.kind"],
        source: "apiextensions-apiserver pkg/apis/apiextensions/validation ValidateCustomResourceDefinitionSpecUpdate (scope and names.kind once established)",
    },
};

/** Whether `path` is `field` or lies inside it (`spec.selector.matchLabels.app` is in `spec.selector`), or holds it whole (`spec`). */
function touches(path: string, field: string): boolean {
    const inside = (outer: string, inner: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
    return inside(field, path) || inside(path, field);
}

/** The immutable fields of a `group/Kind` that the changed field paths touch, in the table's order. */
export function immutableFieldsChanged(groupKind: string, changedPaths: readonly string[]): string[] {
    return (IMMUTABLE_FIELDS[groupKind]?.paths ?? []).filter((field) => changedPaths.some((path) => touches(path, field)));
}
