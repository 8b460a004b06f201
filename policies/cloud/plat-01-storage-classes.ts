// PLAT-01: every claim the plan makes binds: a PersistentVolumeClaim, a
// StatefulSet's volumeClaimTemplates and the Prometheus Operator's storage
// (core/volume-claims.ts, the claims the cost estimate counts) name a
// StorageClass the plan creates, the cloud provides or an existing cluster
// declares (kfstack:existing.provides.storageClasses), and a claim that names
// none finds a default class.
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { describeResource, kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { recordAt } from "../../core/records";
import { DEFAULT_CLASS_ANNOTATION, isDefaultStorageClass } from "../../core/storage-classes";
import { volumeClaimsOf } from "../../core/volume-claims";
import { stackPolicy } from "../lib/policy";
import { EKS_ADDON, EKS_CLUSTER, GKE_CLUSTER, describeCloudResource } from "./resources";
import { clusterFactsOf } from "../lib/facts";

const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";

/** The classes GKE creates in every cluster with the Compute Engine PD CSI driver (on by default); standard-rwo is the default. */
export const GKE_STORAGE_CLASSES = { names: ["standard-rwo", "premium-rwo", "standard"], default: "standard-rwo" };

interface Classes {
    /** Who provides classes beyond the plan's own, as a message names it. */
    where: string;
    names: Set<string>;
    defaults: string[];
}

/**
 * The classes claims can bind to: the planned ones, on a planned GKE cluster GKE's own, on an
 * existing cluster the declared ones. Undefined where nothing says which classes the cluster has.
 */
function classesOf(args: Pick<StackValidationArgs, "resources" | "notApplicable">): Classes | undefined {
    const resources = args.resources;
    const planned = resources.filter((resource) => resource.type === STORAGE_CLASS);
    const nameOf = (resource: PolicyResource) => metadataOf(resource.props).name ?? resource.name;
    const names = new Set(planned.map(nameOf));
    const defaults = planned.filter((resource) => isDefaultStorageClass(recordAt(recordAt(resource.props, "metadata"), "annotations"))).map(nameOf);
    const facts = clusterFactsOf(args);
    if (facts?.facts.cloud === "existing") {
        const declared = facts.facts.provides?.storageClasses;
        if (!declared) return undefined;
        declared.forEach((storageClass) => names.add(storageClass.name));
        const holder = resources.find((resource) => resource.urn === facts.urn)!;
        const where = `existing cluster "${holder.name}" (kfstack:existing.provides.storageClasses)`;
        return { where, names, defaults: [...defaults, ...declared.filter((storageClass) => storageClass.default).map((storageClass) => storageClass.name)] };
    }
    const cluster = resources.find((resource) => resource.type === EKS_CLUSTER || resource.type === GKE_CLUSTER);
    if (!cluster) return undefined;
    const where = describeCloudResource(cluster.type, cluster.name);
    // GKE's classes are the PD CSI driver's: with the driver turned off, none of them provisions.
    const pdCsiDriver = recordAt(recordAt(cluster.props, "addonsConfig"), "gcePersistentDiskCsiDriverConfig")["enabled"] !== false;
    if (cluster.type !== GKE_CLUSTER || !pdCsiDriver) return { where, names, defaults };
    GKE_STORAGE_CLASSES.names.forEach((name) => names.add(name));
    return { where, names, defaults: [...defaults, GKE_STORAGE_CLASSES.default] };
}

/** The CSI driver an EKS cluster runs only as the managed add-on kfstack installs. */
const EBS_CSI = { provisioner: "ebs.csi.aws.com", addon: "aws-ebs-csi-driver" };

/** Planned EBS classes on an EKS cluster that has no EBS CSI driver add-on: nothing provisions their volumes. */
function ebsClassesWithoutDriver(resources: readonly PolicyResource[]): PolicyResource[] {
    if (!resources.some((resource) => resource.type === EKS_CLUSTER)) return [];
    if (resources.some((resource) => resource.type === EKS_ADDON && resource.props["addonName"] === EBS_CSI.addon)) return [];
    return resources.filter((resource) => resource.type === STORAGE_CLASS && resource.props["provisioner"] === EBS_CSI.provisioner);
}

function known(classes: Classes): string {
    return classes.names.size ? [...classes.names].sort().join(", ") : "none";
}

export const storageClasses = stackPolicy({
    id: "PLAT-01",
    slug: "storage-classes",
    description:
        "Every PersistentVolumeClaim, StatefulSet volumeClaimTemplate and Prometheus/Alertmanager/ThanosRuler storage template names a StorageClass the plan creates, the cloud provides (GKE with its PD CSI driver on: standard-rwo, premium-rwo, standard) or an existing cluster declares (kfstack:existing.provides.storageClasses), and a claim that names none finds a default class; on EKS, a planned class provisioned by ebs.csi.aws.com comes with the aws-ebs-csi-driver add-on.",
    reason: "A claim whose class does not exist, or that relies on a default class nobody created (EKS has none without the EBS CSI driver and kfstack's gp3 class), stays Pending, and so does every pod that mounts it: MinIO, MySQL, Katib and Prometheus never start.",
    remediation:
        "Let kfstack create the default gp3 StorageClass on EKS, set storageClassName only to a class the plan creates, the cloud provides or the existing cluster declares, or create the class the claim names; on an existing cluster, declare its default class (default: true).",
    validateStack: (args, reportViolation) => {
        for (const storageClass of ebsClassesWithoutDriver(args.resources)) {
            reportViolation(
                `StorageClass "${metadataOf(storageClass.props).name ?? storageClass.name}" is provisioned by ${EBS_CSI.provisioner}, but the plan installs no ${EBS_CSI.addon} add-on on the EKS cluster: its claims stay Pending. Install the ${EBS_CSI.addon} add-on (with its Pod Identity role).`,
                storageClass.urn,
            );
        }
        const classes = classesOf(args);
        if (!classes) return;
        for (const resource of args.resources) {
            const kind = kubernetesKind(resource.type)?.kind;
            if (!kind) continue;
            const described = describeResource(kind, resource.props, resource.name);
            for (const claim of volumeClaimsOf(kind, resource.props, described.slice(kind.length + 1))) {
                if (claim.storageClassName === undefined) {
                    if (classes.defaults.length) continue;
                    reportViolation(
                        `${claim.template} names no StorageClass and nothing makes one the default on ${classes.where} (classes: ${known(classes)}); it stays Pending. Create a default StorageClass (annotation ${DEFAULT_CLASS_ANNOTATION}: "true") or set storageClassName to one of the classes.`,
                        resource.urn,
                    );
                } else if (!classes.names.has(claim.storageClassName)) {
                    reportViolation(
                        `${claim.template} names StorageClass "${claim.storageClassName}", which neither the plan nor ${classes.where} provides (classes: ${known(classes)}); it stays Pending. Set storageClassName to one of them, or create the class.`,
                        resource.urn,
                    );
                }
            }
        }
    },
});
