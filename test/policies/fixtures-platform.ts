// Fixture factories for the platform-readiness policies (PLAT-01, PLAT-02):
// the add-on, StorageClass, claims and NetworkPolicy kfstack plans on its prod
// (EKS) stack. Each is compliant; a failing fixture changes one field.
import type { ClusterCapabilities } from "../../core/facts";
import type { PolicyRecord } from "../../engine/policy-check";
import { Unknown } from "../../engine/values";
import { record } from "./fixtures";
import { clusterFactsRecord } from "./fixtures-cloud";

const unknown = Unknown.instance;

/** The VPC CNI add-on with its network policy agent on. */
export function vpcCniAddon(): PolicyRecord {
    return record(
        "aws:eks/addon:Addon",
        { addonName: "vpc-cni", addonVersion: "v1.19.5-eksbuild.1", clusterName: "kfstack-prod", configurationValues: '{"enableNetworkPolicy":"true"}' },
        "kfstack-prod-vpc-cni",
    );
}

/** The EBS CSI driver add-on, which provisions the gp3 class's volumes. */
export function ebsCsiAddon(): PolicyRecord {
    return record(
        "aws:eks/addon:Addon",
        { addonName: "aws-ebs-csi-driver", addonVersion: "v1.44.0-eksbuild.1", clusterName: "kfstack-prod" },
        "kfstack-prod-aws-ebs-csi-driver",
    );
}

/** kfstack's default gp3 class on EKS. */
export function defaultStorageClass(): PolicyRecord {
    return record(
        "kubernetes:storage.k8s.io/v1:StorageClass",
        {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", kmsKeyId: unknown },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        },
        "kfstack-prod-gp3",
    );
}

const claimSpec = (storageClassName?: string) => ({
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "20Gi" } },
    ...(storageClassName ? { storageClassName } : {}),
});

/** MinIO's claim, on the default class. */
export function persistentVolumeClaim(): PolicyRecord {
    return record("kubernetes:core/v1:PersistentVolumeClaim", {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "minio-pvc", namespace: "kubeflow" },
        spec: claimSpec(),
    });
}

/** A StatefulSet whose volumeClaimTemplate names gp3. */
export function statefulSetWithClaims(): PolicyRecord {
    return record("kubernetes:apps/v1:StatefulSet", {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "mysql", namespace: "kubeflow" },
        spec: { replicas: 1, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: claimSpec("gp3") }] },
    });
}

/** The Prometheus custom resource with its storage on the default class. */
export function prometheusWithStorage(): PolicyRecord {
    return record("kubernetes:monitoring.coreos.com/v1:Prometheus", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: "kfstack", namespace: "monitoring" },
        spec: { replicas: 2, storage: { volumeClaimTemplate: { spec: claimSpec() } } },
    });
}

/** The claims PLAT-01 looks at on the prod stack. */
export function claimRecords(): PolicyRecord[] {
    return [persistentVolumeClaim(), statefulSetWithClaims(), prometheusWithStorage()];
}

/** A tenant's default-deny NetworkPolicy. */
export function networkPolicy(): PolicyRecord {
    return record("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "default-deny", namespace: "team-a" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
}

/** The onprem stack's existing cluster as its facts record it: a default Ceph RBD class and CephFS, Calico enforcing NetworkPolicy on its default pool. */
export function existingClusterFacts(provides: Partial<ClusterCapabilities> = {}): PolicyRecord {
    return clusterFactsRecord(
        {
            cloud: "existing",
            podCidrs: ["192.168.0.0/16"],
            provides: {
                storageClasses: [
                    { name: "ceph-rbd", default: true },
                    { name: "cephfs", default: false },
                ],
                networkPolicy: { enforced: true, by: "calico" },
                loadBalancer: "metallb",
                autoscaling: false,
                ...provides,
            },
        },
        "kfstack-onprem",
    );
}
