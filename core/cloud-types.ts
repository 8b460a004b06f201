// What more than one layer knows of the cloud resources a plan creates: the
// type tokens of the cluster and its EKS add-ons, and the EKS node role's policies.
export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_ADDON = "aws:eks/addon:Addon";
export const GKE_CLUSTER = "gcp:container/cluster:Cluster";

/** The AWS managed policies an EKS node needs (joining the cluster, pulling from ECR, being reached through SSM): kfstack's node role holds these and no more. */
export const EKS_NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"];
