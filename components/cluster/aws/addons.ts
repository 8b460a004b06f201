// The EKS managed add-ons kfstack relies on, and the default StorageClass the
// EBS CSI driver serves: the VPC CNI with its network policy agent on (without
// it every NetworkPolicy kfstack plans is inert), CoreDNS, kube-proxy, the Pod
// Identity agent, and the EBS CSI driver with its own role through Pod Identity
// (never the node role).
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type EksAddonName, EKS_ADDONS, addonVersionsFor } from "./addon-versions";
import type { AwsPartition } from "./partition";
import { podIdentity } from "./pod-identity";

/** The VPC CNI configuration that turns on its network policy agent, so NetworkPolicies are enforced. */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

/** The default StorageClass kfstack creates on EKS. */
export const EKS_DEFAULT_STORAGE_CLASS = "gp3";

export interface EksAddonsArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly kubernetesVersion: string;
    readonly partition: AwsPartition;
    /** The key the default StorageClass encrypts volumes with; the CSI driver's role may use it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Resources the add-ons wait for (the node groups: CoreDNS and the CSI controller need nodes). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The EBS CSI controller's role, assumed through EKS Pod Identity by kube-system/ebs-csi-controller-sa. */
function ebsCsiIdentity(parent: pulumi.Resource, name: string, args: EksAddonsArgs): aws.eks.PodIdentityAssociation {
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

/** One managed add-on per name, at the version pinned for the cluster's Kubernetes minor. */
export function eksAddons(parent: pulumi.Resource, name: string, args: EksAddonsArgs): Record<EksAddonName, aws.eks.Addon> {
    const { versions } = addonVersionsFor(args.kubernetesVersion);
    const addon = (addonName: EksAddonName, extra: Partial<aws.eks.AddonArgs>, dependsOn: pulumi.Input<pulumi.Resource>[]) =>
        new aws.eks.Addon(
            `${name}-${addonName}`,
            {
                clusterName: args.clusterName,
                addonName,
                addonVersion: versions[addonName],
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                ...extra,
            },
            { parent, dependsOn },
        );
    const podIdentityAgent = addon("eks-pod-identity-agent", {}, args.dependsOn);
    const ebsIdentity = ebsCsiIdentity(parent, name, args);
    const built = {
        "vpc-cni": addon("vpc-cni", { configurationValues: VPC_CNI_CONFIGURATION }, []),
        coredns: addon("coredns", {}, args.dependsOn),
        "kube-proxy": addon("kube-proxy", {}, []),
        "eks-pod-identity-agent": podIdentityAgent,
        "aws-ebs-csi-driver": addon("aws-ebs-csi-driver", {}, [...args.dependsOn, podIdentityAgent, ebsIdentity]),
    };
    return Object.fromEntries(EKS_ADDONS.map((addonName) => [addonName, built[addonName]])) as Record<EksAddonName, aws.eks.Addon>;
}

/** The default StorageClass: encrypted gp3 with the cluster's KMS key, bound where the pod lands; after the CSI driver exists. */
export function defaultStorageClass(
    parent: pulumi.Resource,
    name: string,
    kmsKeyArn: pulumi.Input<string>,
    csiDriver: aws.eks.Addon,
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
