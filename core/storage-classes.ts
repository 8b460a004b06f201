// Which StorageClass is a cluster's default: the one whose annotation says so,
// in the GA or the beta spelling, as Kubernetes' own helper reads it
// (k8s.io/component-helpers storage/volume IsDefaultAnnotation). Claims that
// name no class get the default.

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

/** True when a StorageClass with these annotations is a default class. */
export function isDefaultStorageClass(annotations: Readonly<Record<string, unknown>> | undefined): boolean {
    return annotations?.[DEFAULT_CLASS_ANNOTATION] === "true" || annotations?.[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}
