// Stack-file cases of the platform: identity and the Kubeflow release, tenants,
// network and API endpoint, GPU drivers and monitoring. Each starts from a shipped stack and makes one change.
import { combined, set, unset } from "../config-cases";
import type { StackCase } from "./cluster-cases";

/** An existing VPC with one private subnet per zone of the dev stack, but no CIDR blocks. */
const EXISTING_VPC = {
    vpcId: "vpc-0abc1234",
    privateSubnetIds: ["subnet-0abc1231", "subnet-0abc1232", "subnet-0abc1233"],
    routeTableIds: ["rtb-0abc1234"],
};

export const PLATFORM_CASES: StackCase[] = [
    // Identity and the Kubeflow release
    {
        name: "rejects a stack without an identity setting",
        base: "aws dev",
        change: unset("identity"),
        key: "kfstack:identity",
        message:
            "is required: set identity.oidc (your identity provider) or identity.staticAdmin (one admin with a bcrypt hash kept as a secret); kfstack installs no default login",
    },
    {
        name: "rejects an identity setting with neither oidc nor staticAdmin",
        base: "aws dev",
        change: set("identity", {}),
        key: "kfstack:identity",
        message: "sets neither oidc nor staticAdmin; choose one way to log in, kfstack installs no default login",
    },
    {
        name: "rejects oidc and a static admin together",
        base: "aws prod",
        change: set("identity.staticAdmin", { email: "admin@example.com", passwordHash: "$2y$12$abcdefghijklmnopqrstuu" }),
        key: "kfstack:identity.staticAdmin",
        message: "cannot be set together with identity.oidc; choose one way to log in",
    },
    {
        name: "rejects the upstream example user's password hash",
        base: "aws dev",
        change: set("identity.staticAdmin.passwordHash", "$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72"),
        key: "kfstack:identity.staticAdmin.passwordHash",
        message: "is the upstream example user's hash (password 12341234); generate your own bcrypt hash",
    },
    {
        name: "rejects an unknown bill of materials",
        base: "aws dev",
        change: set("kubeflow.release", "kubeflow-9.9.9"),
        key: "kfstack:kubeflow.release",
        message: 'There is no bill of materials "kubeflow-9.9.9"; known releases: kubeflow-1.8.1, kubeflow-1.9.1.',
    },
    {
        name: "rejects a Kubernetes version outside kubeflow-1.9.1's window without an acknowledgement, naming the release's own windows",
        base: "onprem",
        change: combined(set("kubeflow.release", "kubeflow-1.9.1"), unset("kubeflow.acknowledgeKubernetesVersion")),
        key: "kfstack:kubernetesVersion",
        message:
            "1.33 is outside the Kubernetes window of kubeflow-1.9.1: kubeflow-1.9.1 supports 1.29–1.30 (upstream also tested 1.31); istio-crds 1.22.1 supports 1.27–1.30; " +
            "istio-install 1.22.1 supports 1.27–1.30; knative-serving 1.12.4 supports 1.26–1.30; cluster-local-gateway 1.22.1 supports 1.27–1.30. " +
            "Choose a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion (version 1.33 and a reason) to run it anyway",
    },
    {
        name: "rejects a Kubernetes version outside the release's window without an acknowledgement",
        base: "gcp dev",
        change: unset("kubeflow.acknowledgeKubernetesVersion"),
        key: "kfstack:kubernetesVersion",
        message:
            "1.33 is outside the Kubernetes window of kubeflow-1.8.1: kubeflow-1.8.1 supports 1.25–1.26 (upstream also tested 1.27); cert-manager v1.12.2 supports 1.22–1.27; " +
            "istio-crds 1.17.5 supports 1.23–1.26; istio-install 1.17.5 supports 1.23–1.26; knative-serving 1.10.2 supports 1.25–1.26; knative-eventing 1.10.1 supports 1.25–1.26; " +
            "cluster-local-gateway 1.17.5 supports 1.23–1.26. Choose a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion (version 1.33 and a reason) to run it anyway",
    },
    {
        name: "rejects an acknowledgement of another Kubernetes version than the cluster runs",
        base: "aws prod",
        change: set("kubeflow.acknowledgeKubernetesVersion.version", "1.32"),
        key: "kfstack:kubeflow.acknowledgeKubernetesVersion.version",
        message: "is 1.32, but the cluster runs 1.33; acknowledge the version the cluster runs",
    },
    // Tenants
    {
        name: "rejects a person holding edit in two tenants without declaring it",
        base: "aws prod",
        change: set("tenants.1.members", [{ email: "ben@example.com", role: "edit" }]),
        key: "kfstack:tenants[0].sharedEditors",
        message: "does not declare ben@example.com, who holds edit in vision and in nlp; declare them on every such tenant or give them view",
    },
    {
        name: "rejects tenants on a Kubernetes release that serves no ValidatingAdmissionPolicy, which their pod security is",
        base: "aws prod",
        change: set("kubernetesVersion", "1.29"),
        key: "kfstack:kubernetesVersion",
        message: "is 1.29, but tenants' pod security is a ValidatingAdmissionPolicy, served from Kubernetes 1.30; run 1.30 or later",
    },
    {
        name: "rejects two tenants with the same name",
        base: "aws prod",
        change: set("tenants.1.name", "vision"),
        key: "kfstack:tenants[1].name",
        message: "vision is already a tenant; tenant names must be unique",
    },
    {
        name: "rejects a tenant name that is not a DNS-1123 label",
        base: "aws prod",
        change: set("tenants.0.name", "Vision_Team"),
        key: "kfstack:tenants[0].name",
        message: "must be a DNS-1123 label (lowercase letters, digits and '-', at most 63) to name the tenant's namespace",
    },
    {
        name: "rejects a tenant named after a platform namespace",
        base: "aws prod",
        change: set("tenants.0.name", "kubeflow"),
        key: "kfstack:tenants[0].name",
        message: "is a namespace of the platform itself; choose another tenant name",
    },
    {
        name: "rejects a tenant that lists its owner as a member",
        base: "aws prod",
        change: set("tenants.0.members", [{ email: "ana@example.com", role: "view" }]),
        key: "kfstack:tenants[0].members[0].email",
        message: "ana@example.com owns vision already; do not list the owner as a member",
    },
    {
        name: "rejects read access to a tenant the stack does not have",
        base: "aws prod",
        change: set("tenants.1.readsFrom", ["speech"]),
        key: "kfstack:tenants[1].readsFrom[0]",
        message: "speech is not a tenant of this stack; name one of vision, nlp",
    },
    {
        name: "rejects a tenant quota in a unit Kubernetes does not know",
        base: "aws prod",
        change: set("tenants.0.quotas.memory", "256GB"),
        key: "kfstack:tenants[0].quotas.memory",
        message: "must be a Kubernetes quantity such as 256Gi",
    },
    {
        name: "rejects a negative container default",
        base: "aws prod",
        change: set("tenants.0.containerDefaults.memoryLimit", "-2Gi"),
        key: "kfstack:tenants[0].containerDefaults.memoryLimit",
        message: "must be a Kubernetes quantity such as 2Gi",
    },
    // Network and API endpoint
    {
        name: "rejects a malformed CIDR in the API allowlist",
        base: "aws dev",
        change: set("privateEndpoint.allowedCidrs", ["10.0.0.0/8", "10.0.0.0/33"]),
        key: "kfstack:privateEndpoint.allowedCidrs[1]",
        message: "must be an IPv4 CIDR block such as 10.0.0.0/16",
    },
    {
        name: "rejects a malformed vpcCidr",
        base: "aws prod",
        change: set("network.vpcCidr", "10.40.0.0"),
        key: "kfstack:network.vpcCidr",
        message: "must be an IPv4 CIDR block such as 10.0.0.0/16",
    },
    {
        name: "rejects a VPC too small to carve into zones",
        base: "aws prod",
        change: set("network.vpcCidr", "10.40.0.0/24"),
        key: "kfstack:network.vpcCidr",
        message: "10.40.0.0/24 must be a /16 to /20, to hold a private subnet per zone and the public subnets",
    },
    {
        name: "rejects a vpcCidr next to an existing VPC",
        base: "aws prod",
        change: set("network.existingVpc", { ...EXISTING_VPC, cidrBlocks: ["10.50.0.0/16"] }),
        key: "kfstack:network.vpcCidr",
        message: "is for a VPC kfstack creates; remove it when network.existingVpc is set",
    },
    {
        name: "rejects an existing VPC that does not give its CIDR blocks, where pods take their addresses",
        base: "aws dev",
        change: set("network.existingVpc", EXISTING_VPC),
        key: "kfstack:network.existingVpc.cidrBlocks",
        message:
            "is required with an existing VPC: list its IPv4 CIDR blocks (aws ec2 describe-vpcs --vpc-ids <id> --query 'Vpcs[0].CidrBlockAssociationSet[].CidrBlock'); the VPC CNI gives pods addresses from them",
    },
    {
        name: "rejects an existing VPC whose CIDR blocks are empty",
        base: "aws dev",
        change: set("network.existingVpc", { ...EXISTING_VPC, cidrBlocks: [] }),
        key: "kfstack:network.existingVpc.cidrBlocks",
        message: "is empty; list the VPC's IPv4 CIDR blocks, primary and secondary",
    },
    {
        name: "rejects an existing VPC CIDR block that is not one",
        base: "aws dev",
        change: set("network.existingVpc", { ...EXISTING_VPC, cidrBlocks: ["10.50.0.0/16", "10.60.0.0"] }),
        key: "kfstack:network.existingVpc.cidrBlocks[1]",
        message: "must be an IPv4 CIDR block such as 10.0.0.0/16",
    },
    {
        name: "rejects a public API endpoint with an empty allowlist",
        base: "aws dev",
        change: set("privateEndpoint", { enabled: false, allowedCidrs: [] }),
        key: "kfstack:privateEndpoint.allowedCidrs",
        message: "is empty, which leaves a public API endpoint open to the internet; list the networks that may reach it",
    },
    {
        name: "rejects a production public API endpoint open to 0.0.0.0/0",
        base: "aws prod",
        change: set("privateEndpoint", { enabled: false, allowedCidrs: ["10.0.0.0/8", "0.0.0.0/0"] }),
        key: "kfstack:privateEndpoint.allowedCidrs[1]",
        message: "0.0.0.0/0 opens a production API to the internet; list your networks, or enable the private endpoint",
    },
    {
        name: "rejects a GKE control-plane range that is not a /28",
        base: "gcp dev",
        change: set("network", { masterCidr: "172.16.0.0/24" }),
        key: "kfstack:network.masterCidr",
        message: "172.16.0.0/24 is not a /28; GKE needs a /28 for the control plane, such as 172.16.0.0/28",
    },
    {
        name: "rejects an invalid GCP project id",
        base: "gcp dev",
        change: set("gcp.project", "Example_ML"),
        key: "kfstack:gcp.project",
        message: "must be a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    },
    {
        name: "rejects a GCP label with uppercase letters",
        base: "gcp dev",
        change: set("tags.Environment", "dev"),
        key: "kfstack:tags.Environment",
        message: `"Environment: dev" is not a valid GCP label; use lowercase letters, digits, '_' and '-'`,
    },
    // GPU drivers
    {
        name: "rejects an AWS GPU pool without a pinned AMI release",
        base: "aws prod",
        change: unset("cluster.gpuPool.driver.amiReleaseVersion"),
        key: "kfstack:cluster.gpuPool.driver.amiReleaseVersion",
        message: 'is required on aws: pin the AL2023 NVIDIA AMI release (for Kubernetes 1.33, "1.33.x-YYYYMMDD") that ships the driver',
    },
    {
        name: "rejects a driver too old for CUDA 12.2",
        base: "aws prod",
        change: set("cluster.gpuPool.driver.version", "530.30.02"),
        key: "kfstack:cluster.gpuPool.driver.version",
        message: "530.30.02 is too old for CUDA 12.2, which needs driver >= 535.54.03",
    },
    {
        name: "rejects a CUDA version missing from the driver table",
        base: "onprem",
        change: set("cluster.gpuPool.cudaVersion", "12.7"),
        key: "kfstack:cluster.gpuPool.cudaVersion",
        message: "CUDA 12.7 is not in the driver table; use one of 11.8, 12.0, 12.1, 12.2, 12.3, 12.4, 12.5, 12.6 or 12.8",
    },
    {
        name: "rejects an AMI release built for another Kubernetes version",
        base: "aws prod",
        change: set("cluster.gpuPool.driver.amiReleaseVersion", "1.32.9-20251023"),
        key: "kfstack:cluster.gpuPool.driver.amiReleaseVersion",
        message: "1.32.9-20251023 is an AMI for another Kubernetes version; the cluster runs 1.33",
    },
    // Monitoring
    {
        name: "rejects kfstack's device plugin on GKE, which runs its own",
        base: "gcp dev",
        change: set("monitoring.devicePlugin", "install"),
        key: "kfstack:monitoring.devicePlugin",
        message: "cannot be install on gcp: GKE runs its own NVIDIA device plugin on GPU nodes, and a second one would fight it; remove the key",
    },
    {
        name: "rejects a retention that is not a Prometheus duration",
        base: "aws dev",
        change: set("monitoring.retention", "15 days"),
        key: "kfstack:monitoring.retention",
        message: "must be a Prometheus duration such as 30m, 6h or 15d",
    },
    {
        name: "rejects a Prometheus volume size without a unit",
        base: "aws prod",
        change: set("monitoring.storageSize", "200"),
        key: "kfstack:monitoring.storageSize",
        message: "must be a size such as 100Gi",
    },
    {
        name: "rejects an alert threshold above 100 percent",
        base: "aws prod",
        change: set("monitoring.alerts.gpuMemoryUsedPercent", 150),
        key: "kfstack:monitoring.alerts.gpuMemoryUsedPercent",
        message: "must be a percentage from 0 to 100",
    },
    {
        name: "rejects a Kubernetes version below kube-prometheus's window, naming it",
        base: "gcp dev",
        change: combined(set("kubernetesVersion", "1.30"), unset("kubeflow.acknowledgeKubernetesVersion")),
        key: "kfstack:kubernetesVersion",
        message:
            "1.30 is outside the Kubernetes window of kubeflow-1.8.1: kubeflow-1.8.1 supports 1.25–1.26 (upstream also tested 1.27); cert-manager v1.12.2 supports 1.22–1.27; " +
            "istio-crds 1.17.5 supports 1.23–1.26; istio-install 1.17.5 supports 1.23–1.26; knative-serving 1.10.2 supports 1.25–1.26; knative-eventing 1.10.1 supports 1.25–1.26; " +
            "cluster-local-gateway 1.17.5 supports 1.23–1.26; prometheus-operator-crds v0.16.0 supports 1.31–1.34; kube-prometheus v0.16.0 supports 1.31–1.34. " +
            "Choose a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion (version 1.30 and a reason) to run it anyway",
    },
];
