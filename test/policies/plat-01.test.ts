import { describe, expect, it } from "vitest";
import { storageClasses } from "../../policies/cloud/plat-01-storage-classes";
import { mandatoryViolation, messagesOf, record, violationsOf } from "./fixtures";
import { changed, clusterFactsRecord, eksCluster, expectAcceptedOutright, gkeCluster } from "./fixtures-cloud";
import {
    claimRecords,
    defaultStorageClass,
    existingClusterFacts,
    ebsCsiAddon,
    persistentVolumeClaim,
    prometheusWithStorage,
    statefulSetWithClaims,
} from "./fixtures-platform";

const PLAT_01 = { policy: "plat-01-storage-classes", id: "PLAT-01" };

describe("PLAT-01 Storage classes", () => {
    it("accepts claims on EKS that name kfstack's gp3 class or rely on it as the default", async () => {
        await expectAcceptedOutright(storageClasses, [eksCluster(), ebsCsiAddon(), defaultStorageClass(), ...claimRecords()]);
    });

    it("accepts claims on GKE on its own classes or its default standard-rwo, with no class planned", async () => {
        const premium = changed(persistentVolumeClaim(), ["props", "spec", "storageClassName"], "premium-rwo");
        await expectAcceptedOutright(storageClasses, [gkeCluster(), premium, prometheusWithStorage()]);
    });

    it("accepts claims on an existing cluster on a class it declares or on its declared default, with no class planned", async () => {
        const cephfs = changed(statefulSetWithClaims(), ["props", "spec", "volumeClaimTemplates", 0, "spec", "storageClassName"], "cephfs");
        await expectAcceptedOutright(storageClasses, [existingClusterFacts(), persistentVolumeClaim(), cephfs, prometheusWithStorage()]);
    });

    it("leaves alone an existing cluster whose facts record no declaration of its classes", async () => {
        await expectAcceptedOutright(storageClasses, [clusterFactsRecord({ cloud: "existing" }), persistentVolumeClaim()]);
    });

    it("rejects a PersistentVolumeClaim that names a class nothing provides", async () => {
        const claim = changed(persistentVolumeClaim(), ["props", "spec", "storageClassName"], "io2");
        expect(await violationsOf(storageClasses, [eksCluster(), ebsCsiAddon(), defaultStorageClass(), claim])).toEqual([
            mandatoryViolation(
                PLAT_01,
                claim,
                'PersistentVolumeClaim "kubeflow/minio-pvc" names StorageClass "io2", which neither the plan nor EKS cluster "kfstack-prod" provides (classes: gp3); it stays Pending. Set storageClassName to one of them, or create the class.',
            ),
        ]);
    });

    it("rejects a StatefulSet volumeClaimTemplate that names a class nothing provides", async () => {
        const statefulSet = changed(statefulSetWithClaims(), ["props", "spec", "volumeClaimTemplates", 0, "spec", "storageClassName"], "fast");
        expect(await messagesOf(storageClasses, [eksCluster(), ebsCsiAddon(), defaultStorageClass(), statefulSet])).toEqual([
            'StatefulSet "kubeflow/mysql" claim data names StorageClass "fast", which neither the plan nor EKS cluster "kfstack-prod" provides (classes: gp3); it stays Pending. Set storageClassName to one of them, or create the class.',
        ]);
    });

    it("rejects Prometheus storage that names no class on an EKS cluster where no class is the default", async () => {
        const notDefault = changed(defaultStorageClass(), ["props", "metadata", "annotations"], {});
        expect(await messagesOf(storageClasses, [eksCluster(), ebsCsiAddon(), notDefault, prometheusWithStorage()])).toEqual([
            'Prometheus "monitoring/kfstack" names no StorageClass and nothing makes one the default on EKS cluster "kfstack-prod" (classes: gp3); it stays Pending. Create a default StorageClass (annotation storageclass.kubernetes.io/is-default-class: "true") or set storageClassName to one of the classes.',
        ]);
    });

    it("rejects Alertmanager storage on GKE that names a class GKE does not create", async () => {
        const alertmanager = record("kubernetes:monitoring.coreos.com/v1:Alertmanager", {
            ...prometheusWithStorage().props,
            kind: "Alertmanager",
            metadata: { name: "kfstack", namespace: "monitoring" },
            spec: { replicas: 3, storage: { volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: "5Gi" } } } } } },
        });
        expect(await messagesOf(storageClasses, [gkeCluster(), alertmanager])).toEqual([
            'Alertmanager "monitoring/kfstack" names StorageClass "gp3", which neither the plan nor GKE cluster "kfstack-gke-prod" provides (classes: premium-rwo, standard, standard-rwo); it stays Pending. Set storageClassName to one of them, or create the class.',
        ]);
    });

    it("rejects a claim that names no class on EKS when the plan creates no class at all", async () => {
        expect(await messagesOf(storageClasses, [eksCluster(), persistentVolumeClaim()])).toEqual([
            'PersistentVolumeClaim "kubeflow/minio-pvc" names no StorageClass and nothing makes one the default on EKS cluster "kfstack-prod" (classes: none); it stays Pending. Create a default StorageClass (annotation storageclass.kubernetes.io/is-default-class: "true") or set storageClassName to one of the classes.',
        ]);
    });

    it("rejects a claim on GKE with the PD CSI driver turned off, since none of GKE's classes provisions without it", async () => {
        const withoutDriver = changed(gkeCluster(), ["props", "addonsConfig", "gcePersistentDiskCsiDriverConfig", "enabled"], false);
        expect(await messagesOf(storageClasses, [withoutDriver, persistentVolumeClaim()])).toEqual([
            'PersistentVolumeClaim "kubeflow/minio-pvc" names no StorageClass and nothing makes one the default on GKE cluster "kfstack-gke-prod" (classes: none); it stays Pending. Create a default StorageClass (annotation storageclass.kubernetes.io/is-default-class: "true") or set storageClassName to one of the classes.',
        ]);
    });

    it("rejects a claim on an existing cluster that names a class the stack does not declare", async () => {
        const claim = changed(persistentVolumeClaim(), ["props", "spec", "storageClassName"], "local-path");
        expect(await violationsOf(storageClasses, [existingClusterFacts(), claim])).toEqual([
            mandatoryViolation(
                PLAT_01,
                claim,
                'PersistentVolumeClaim "kubeflow/minio-pvc" names StorageClass "local-path", which neither the plan nor existing cluster "kfstack-onprem" (kfstack:existing.provides.storageClasses) provides (classes: ceph-rbd, cephfs); it stays Pending. Set storageClassName to one of them, or create the class.',
            ),
        ]);
    });

    it("rejects a claim that names no class on an existing cluster that declares no default", async () => {
        const noDefault = existingClusterFacts({ storageClasses: [{ name: "cephfs", default: false }] });
        expect(await messagesOf(storageClasses, [noDefault, persistentVolumeClaim()])).toEqual([
            'PersistentVolumeClaim "kubeflow/minio-pvc" names no StorageClass and nothing makes one the default on existing cluster "kfstack-onprem" (kfstack:existing.provides.storageClasses) (classes: cephfs); it stays Pending. Create a default StorageClass (annotation storageclass.kubernetes.io/is-default-class: "true") or set storageClassName to one of the classes.',
        ]);
    });

    it("rejects Prometheus storage on an existing cluster that declares no storage at all", async () => {
        expect(await messagesOf(storageClasses, [existingClusterFacts({ storageClasses: [] }), prometheusWithStorage()])).toEqual([
            'Prometheus "monitoring/kfstack" names no StorageClass and nothing makes one the default on existing cluster "kfstack-onprem" (kfstack:existing.provides.storageClasses) (classes: none); it stays Pending. Create a default StorageClass (annotation storageclass.kubernetes.io/is-default-class: "true") or set storageClassName to one of the classes.',
        ]);
    });

    it("rejects an EBS class on EKS when the plan installs no EBS CSI driver add-on to provision it", async () => {
        const storageClass = defaultStorageClass();
        expect(await violationsOf(storageClasses, [eksCluster(), storageClass, ...claimRecords()])).toEqual([
            mandatoryViolation(
                PLAT_01,
                storageClass,
                'StorageClass "gp3" is provisioned by ebs.csi.aws.com, but the plan installs no aws-ebs-csi-driver add-on on the EKS cluster: its claims stay Pending. Install the aws-ebs-csi-driver add-on (with its Pod Identity role).',
            ),
        ]);
    });
});
