// Pulumi type tokens of the cloud resources more than one layer reads: the
// cluster a plan creates and its EKS add-ons.
export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_ADDON = "aws:eks/addon:Addon";
export const GKE_CLUSTER = "gcp:container/cluster:Cluster";
