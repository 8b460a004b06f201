// Cloud resources as the cloud policies see them: Pulumi type tokens, how a
// message names a resource, and reading inputs that may be unknown until
// deployment (a KMS key ARN, a launch template id) without tripping the
// analyzer's unknown-checking proxy where only presence matters.
import { isRecord } from "../../core/records";
import { EKS_ADDON, EKS_CLUSTER, GKE_CLUSTER } from "../../core/cloud-types";

export { EKS_ADDON, EKS_CLUSTER, GKE_CLUSTER };

export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
export const POD_IDENTITY_ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
export const AUTOSCALING_TAG = "aws:autoscaling/tag:Tag";
export const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";
export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
export const INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway";
export const EGRESS_ONLY_INTERNET_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway";
/** The gateways that route a VPC to the internet (IPv4 and IPv6). */
export const INTERNET_GATEWAYS: readonly string[] = [INTERNET_GATEWAY, EGRESS_ONLY_INTERNET_GATEWAY];
export const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
export const GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork";
export const ARTIFACT_REGISTRY_REPOSITORY = "gcp:artifactregistry/repository:Repository";
export const S3_BUCKET = "aws:s3/bucket:Bucket";
export const S3_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const GCS_BUCKET = "gcp:storage/bucket:Bucket";
export const CLOUD_SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";

const LABELS: Readonly<Record<string, string>> = {
    [EKS_CLUSTER]: "EKS cluster",
    [EKS_NODE_GROUP]: "EKS node group",
    [EKS_ADDON]: "EKS add-on",
    [EKS_ACCESS_POLICY_ASSOCIATION]: "EKS access policy association",
    [KUBERNETES_PROVIDER]: "Kubernetes provider",
    [IAM_ROLE]: "IAM role",
    [IAM_ROLE_POLICY]: "IAM role policy",
    [IAM_ROLE_POLICY_ATTACHMENT]: "IAM role policy attachment",
    [LAUNCH_TEMPLATE]: "Launch template",
    [VPC_ENDPOINT]: "VPC endpoint",
    [INTERNET_GATEWAY]: "internet gateway",
    [EGRESS_ONLY_INTERNET_GATEWAY]: "egress-only internet gateway",
    [NAT_GATEWAY]: "NAT gateway",
    [ECR_REPOSITORY]: "ECR repository",
    [GKE_CLUSTER]: "GKE cluster",
    [GKE_NODE_POOL]: "GKE node pool",
    [GCP_SUBNETWORK]: "Subnetwork",
    [ARTIFACT_REGISTRY_REPOSITORY]: "Artifact Registry repository",
    [S3_BUCKET]: "S3 bucket",
    [RDS_INSTANCE]: "RDS instance",
    [GCS_BUCKET]: "GCS bucket",
    [CLOUD_SQL_INSTANCE]: "Cloud SQL instance",
};

/** `EKS cluster "kfstack-prod"`: a cloud resource by its Pulumi name, which is always known during preview. */
export function describeCloudResource(type: string, name: string): string {
    return `${LABELS[type] ?? type} "${name}"`;
}

/**
 * True when `object` sets `key` to something other than null or "". Looks at
 * the property's descriptor instead of reading it through the analyzer's
 * proxy: a value that is unknown during preview (an ARN or id computed from
 * another resource) counts as set, where reading it would leave the policy
 * undecided for the whole resource.
 */
export function isSet(object: unknown, key: string): boolean {
    if (!isRecord(object) || !(key in object)) return false;
    const value: unknown = Object.getOwnPropertyDescriptor(object, key)?.value;
    return value !== undefined && value !== null && value !== "";
}

/** A value as a message quotes it: strings in double quotes, everything else as JSON. */
export function quoted(value: unknown): string {
    return value === undefined ? "not set" : JSON.stringify(value);
}

/** True when the plan binds a role to ServiceAccount namespace/serviceAccount through an EKS Pod Identity association. */
export function hasPodIdentityAssociation(
    resources: readonly { type: string; props: Record<string, unknown> }[],
    namespace: string,
    serviceAccount: string,
): boolean {
    return resources.some(
        (resource) =>
            resource.type === POD_IDENTITY_ASSOCIATION && resource.props["namespace"] === namespace && resource.props["serviceAccount"] === serviceAccount,
    );
}
