// Stack-file cases of air-gapped stacks: an EKS stack with no way out (private API, no NAT, an ECR mirror in its
// region, endpoint subnets in an existing VPC), and pull credentials, which only an existing cluster's mirror takes.
import { combined, set } from "../config-cases";
import type { StackCase } from "./cluster-cases";

const ECR_MIRROR = "111122223333.dkr.ecr.us-east-1.amazonaws.com/kubeflow-mirror";
const airGapped = (registry = ECR_MIRROR) => set("airGap", { enabled: true, registry });

export const AIR_GAP_CASES: StackCase[] = [
    {
        name: "rejects a public API endpoint on an air-gapped EKS stack",
        base: "aws prod",
        change: combined(airGapped(), set("privateEndpoint.enabled", false)),
        key: "kfstack:privateEndpoint.enabled",
        message: "is false, but an air-gapped cluster has no public API endpoint; set it to true and list your networks in privateEndpoint.allowedCidrs",
    },
    {
        name: "rejects NAT gateways on an air-gapped EKS stack",
        base: "aws prod",
        change: combined(airGapped(), set("network.natGateways", "perZone")),
        key: "kfstack:network.natGateways",
        message: "is set, but an air-gapped stack's VPC has no internet gateway or NAT; remove it",
    },
    {
        name: "rejects a mirror outside ECR on an air-gapped EKS stack",
        base: "aws prod",
        change: airGapped("registry.enclave.example:5000/kubeflow"),
        key: "kfstack:airGap.registry",
        message:
            "registry.enclave.example:5000/kubeflow is not an ECR registry in us-east-1, which is all an air-gapped VPC reaches; use the registryPrefix output of the mirror stack (registry/) in the same region, <account>.dkr.ecr.us-east-1.amazonaws.com/<repositoryPrefix>",
    },
    {
        name: "rejects an ECR mirror in another region on an air-gapped EKS stack",
        base: "aws prod",
        change: airGapped("111122223333.dkr.ecr.us-west-2.amazonaws.com/kubeflow-mirror"),
        key: "kfstack:airGap.registry",
        message:
            "111122223333.dkr.ecr.us-west-2.amazonaws.com/kubeflow-mirror is not an ECR registry in us-east-1, which is all an air-gapped VPC reaches; use the registryPrefix output of the mirror stack (registry/) in the same region, <account>.dkr.ecr.us-east-1.amazonaws.com/<repositoryPrefix>",
    },
    {
        name: "rejects an existing VPC without endpoint subnets on an air-gapped EKS stack",
        base: "aws dev",
        change: combined(
            set("airGap", { enabled: true, registry: "111122223333.dkr.ecr.us-west-2.amazonaws.com/kubeflow-mirror" }),
            set("network", {
                existingVpc: {
                    vpcId: "vpc-0abc1234",
                    privateSubnetIds: ["subnet-0abc1234", "subnet-0abc1235", "subnet-0abc1236"],
                    routeTableIds: ["rtb-0abc1234"],
                    cidrBlocks: ["10.30.0.0/16"],
                },
            }),
        ),
        key: "kfstack:network.existingVpc.endpointSubnets",
        message: "is required on an air-gapped stack: kfstack puts the interface endpoints of ECR, STS, EKS and the other AWS APIs the nodes call there",
    },
    {
        name: "rejects pull credentials on an EKS stack, whose nodes pull from ECR with their role",
        base: "aws prod",
        change: set("airGap", { enabled: true, registry: ECR_MIRROR, pullSecret: { username: "robot", password: "token" } }),
        key: "kfstack:airGap.pullSecret",
        message:
            "is for an existing cluster's registry; EKS nodes pull from the ECR mirror with the node role (kubelet's ECR credential provider), and an ECR token would expire in 12 hours: remove it",
    },
    {
        name: "rejects pull credentials on a GKE stack, whose nodes pull from Artifact Registry with their service account",
        base: "gcp dev",
        change: set("airGap", {
            enabled: true,
            registry: "us-central1-docker.pkg.dev/kfstack-dev/mirror",
            pullSecret: { username: "robot", password: "token" },
        }),
        key: "kfstack:airGap.pullSecret",
        message: "is for an existing cluster's registry; GKE nodes pull from Artifact Registry with their service account: remove it",
    },
    {
        name: "rejects pull credentials without the air gap",
        base: "onprem",
        change: set("airGap", { enabled: false, pullSecret: { username: "robot", password: "token" } }),
        key: "kfstack:airGap.pullSecret",
        message: "is set, but airGap.enabled is false; enable the air gap or remove it",
    },
    {
        name: "rejects pull credentials without a user",
        base: "onprem",
        change: set("airGap", { enabled: true, registry: "registry.enclave.example:5000/kubeflow", pullSecret: { password: "token" } }),
        key: "kfstack:airGap.pullSecret.username",
        message: "is required (a string)",
    },
];
