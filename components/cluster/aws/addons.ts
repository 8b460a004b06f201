// The EKS managed add-ons kfstack relies on, and the default StorageClass the
// EBS CSI driver serves: the VPC CNI with its network policy agent on (without
// it every NetworkPolicy kfstack plans is inert), CoreDNS, kube-proxy, the Pod
// Identity agent, and the EBS CSI driver with its own role through Pod Identity
// (never the node role).
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type EksAddonName, type NodeAddonName, addonVersionsFor } from "./addon-versions";
import type { AwsPartition } from "./partition";
import { podIdentity } from "./pod-identity";

/** The VPC CNI configuration that turns on its network policy agent, so NetworkPolicies are enforced. */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

/** The default StorageClass kfstack creates on EKS. */
export const EKS_DEFAULT_STORAGE_CLASS = "gp3";

/** The cluster an add-on is installed in. */
export interface AddonTarget {
    readonly clusterName: pulumi.Input<string>;
    readonly kubernetesVersion: string;
    readonly partition: AwsPartition;
}

export interface WorkloadAddonsArgs extends AddonTarget {
    /** The key the default StorageClass encrypts volumes with; the CSI driver's role may use it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The node groups: CoreDNS and the CSI controller are Deployments that need nodes. */
    readonly nodeGroups: pulumi.Resource[];
}

/** The EBS CSI controller's role, assumed through EKS Pod Identity by kube-system/ebs-csi-controller-sa. */
function ebsCsiIdentity(parent: pulumi.Resource, name: string, args: WorkloadAddonsArgs): Aws.eks.PodIdentityAssociation {
    return podIdentity(parent, `${name}-ebs-csi`, {
        clusterName: args.clusterName,
        partition: args.partition,
        namespace: "kube-system",
        serviceAccount: "ebs-csi-controller-sa",
        managedPolicy: "service-role/AmazonEBSCSIDriverPolicy",
        // AmazonEBSCSIDriverPolicy covers only AWS-managed keys; volumes encrypted with the cluster's key need these too.
        inlinePolicies: {
            kms: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                        Resource: args.kmsKeyArn,
                        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
                    },
                    {
                        Effect: "Allow",
                        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        Resource: args.kmsKeyArn,
                    },
                ],
            }),
        },
    });
}

/** One managed add-on, at the version pinned for the cluster's Kubernetes minor. */
function addon(
    parent: pulumi.Resource,
    name: string,
    args: AddonTarget,
    addonName: EksAddonName,
    extra: Partial<Aws.eks.AddonArgs>,
    dependsOn: pulumi.Input<pulumi.Resource>[],
) {
    return new aws.eks.Addon(
        `${name}-${addonName}`,
        {
            clusterName: args.clusterName,
            addonName,
            addonVersion: addonVersionsFor(args.kubernetesVersion).versions[addonName],
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            ...extra,
        },
        { parent, dependsOn },
    );
}

/**
 * The add-ons a node needs to turn Ready, created before any node group: the VPC CNI (with its
 * own Pod Identity role, so AmazonEKS_CNI_Policy is off the node role), kube-proxy, and the Pod
 * Identity agent the CNI's credentials come through. DaemonSets, they are healthy with no node yet.
 */
export function nodeAddons(parent: pulumi.Resource, name: string, args: AddonTarget): Record<NodeAddonName, Aws.eks.Addon> {
    const cniIdentity = podIdentity(parent, `${name}-vpc-cni`, {
        clusterName: args.clusterName,
        partition: args.partition,
        namespace: "kube-system",
        serviceAccount: "aws-node",
        managedPolicy: "AmazonEKS_CNI_Policy",
    });
    return {
        "vpc-cni": addon(parent, name, args, "vpc-cni", { configurationValues: VPC_CNI_CONFIGURATION }, [cniIdentity]),
        "kube-proxy": addon(parent, name, args, "kube-proxy", {}, []),
        "eks-pod-identity-agent": addon(parent, name, args, "eks-pod-identity-agent", {}, []),
    };
}

/** The add-ons that run Deployments and so need nodes: CoreDNS, and the EBS CSI driver with its Pod Identity role. */
export function workloadAddons(parent: pulumi.Resource, name: string, args: WorkloadAddonsArgs): Record<Exclude<EksAddonName, NodeAddonName>, Aws.eks.Addon> {
    const ebsIdentity = ebsCsiIdentity(parent, name, args);
    return {
        coredns: addon(parent, name, args, "coredns", {}, args.nodeGroups),
        "aws-ebs-csi-driver": addon(parent, name, args, "aws-ebs-csi-driver", {}, [...args.nodeGroups, ebsIdentity]),
    };
}

/** The default StorageClass: encrypted gp3 with the cluster's KMS key, bound where the pod lands; after the CSI driver exists. */
export function defaultStorageClass(
    parent: pulumi.Resource,
    name: string,
    kmsKeyArn: pulumi.Input<string>,
    csiDriver: Aws.eks.Addon,
    provider: k8s.Provider,
): k8s.storage.v1.StorageClass {
    return new k8s.storage.v1.StorageClass(
        `${name}-${EKS_DEFAULT_STORAGE_CLASS}`,
        {
            metadata: { name: EKS_DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", kmsKeyId: kmsKeyArn },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Delete",
        },
        { parent, provider, dependsOn: [csiDriver] },
    );
}
