// The volumes that hold the in-cluster data plane's data: MinIO's bucket
// (Pipelines 2.0.5's minio-pvc) and the MySQL servers of Pipelines
// (mysql-pv-claim, with ML Metadata and the cache) and Katib (katib-mysql). On a
// production stack (kfstack:dataPlane.retainOnDelete) Pulumi leaves them in the cluster when it deletes them
// (`pulumi destroy`, or a change that replaces one), and their namespace with
// them: deleting a namespace deletes every claim in it.
import { objectKey } from "../../core/objects";
import type { ObjectOptions } from "../manifests/layer";

const RETAINED: readonly string[] = [
    "/Namespace//kubeflow",
    "/PersistentVolumeClaim/kubeflow/minio-pvc",
    "/PersistentVolumeClaim/kubeflow/mysql-pv-claim",
    "/PersistentVolumeClaim/kubeflow/katib-mysql",
];

export const retainDataVolumes =
    (retain: boolean): ObjectOptions =>
    (object) =>
        retain && RETAINED.includes(objectKey(object)) ? { retainOnDelete: true } : {};
