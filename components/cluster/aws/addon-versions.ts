// The EKS managed add-on versions kfstack pins, per Kubernetes minor: the one
// table of them, so an upgrade of the control plane is a new row here and a
// reviewer sees every add-on version that changes with it.

export interface AddonVersions {
    /** Where the versions were read. */
    source: string;
    /** When they were read. */
    date: string;
    versions: Readonly<Record<EksAddonName, string>>;
}

export const EKS_ADDONS = ["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];
/** The add-ons a node needs before it turns Ready, so they are installed before any node group. */
export type NodeAddonName = Extract<EksAddonName, "vpc-cni" | "kube-proxy" | "eks-pod-identity-agent">;

const DESCRIBE = "aws eks describe-addon-versions --kubernetes-version";

export const EKS_ADDON_VERSIONS: Readonly<Record<string, AddonVersions>> = {
    "1.33": {
        source: `${DESCRIBE} 1.33 (the default version of each add-on)`,
        date: "2025-06-30",
        versions: {
            "vpc-cni": "v1.19.5-eksbuild.1",
            coredns: "v1.12.1-eksbuild.2",
            "kube-proxy": "v1.33.0-eksbuild.2",
            "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
            "aws-ebs-csi-driver": "v1.44.0-eksbuild.1",
        },
    },
};

/** The pinned versions for a Kubernetes version ("1.33" or "1.33.x"); names the table when none are pinned. */
export function addonVersionsFor(kubernetesVersion: string): AddonVersions {
    const minor = kubernetesVersion.split(".").slice(0, 2).join(".");
    const row = EKS_ADDON_VERSIONS[minor];
    if (!row)
        throw new Error(
            `No EKS add-on versions are pinned for Kubernetes ${minor} (kfstack:kubernetesVersion is "${kubernetesVersion}"); pinned: ${Object.keys(EKS_ADDON_VERSIONS).join(", ")}. Add a row to components/cluster/aws/addon-versions.ts from \`${DESCRIBE} ${minor}\`.`,
        );
    return row;
}
