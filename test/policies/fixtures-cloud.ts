// Fixture factories for the cloud policies: the resources kfstack plans for
// its prod (EKS) and gke-prod (GKE) stacks, inputs as the offline plan
// records them (Unknown where the preview cannot know a value). Each factory
// builds a resource every cloud policy accepts; a failing fixture changes one
// field with `changed`.
import type { PolicyPackConfig } from "@pulumi/policy";
import { type PolicyRecord, type PolicyReport, evaluatePolicies } from "../../engine/policy-check";
import { expect } from "vitest";
import { Unknown } from "../../engine/values";
import type { ClusterFacts, NodePoolFacts } from "../../core/facts";
import type { KfstackPolicy } from "../../policies/lib/policy";
import { record, undecidedOf } from "./fixtures";

const unknown = Unknown.instance;
const GPU_POOL_LABELS = { "kfstack.io/pool": "gpu", "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB" };
const GPU_TAINT = { effect: "NO_SCHEDULE", key: "nvidia.com/gpu", value: "present" };

export { changed } from "./fixtures";

export function eksCluster(name = "kfstack-prod"): PolicyRecord {
    return record(
        "aws:eks/cluster:Cluster",
        {
            name,
            version: "1.33",
            roleArn: unknown,
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            encryptionConfig: { provider: { keyArn: unknown }, resources: ["secrets"] },
            vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, securityGroupIds: [unknown], subnetIds: [unknown, unknown, unknown] },
        },
        name,
    );
}

export function launchTemplate(name = "kfstack-prod-general-lt"): PolicyRecord {
    return record(
        "aws:ec2/launchTemplate:LaunchTemplate",
        {
            description: "kfstack general nodes: IMDSv2, no SSH, NVMe RAID0",
            metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { deleteOnTermination: "true", encrypted: "true", volumeSize: 100, volumeType: "gp3" } }],
            updateDefaultVersion: true,
        },
        name,
    );
}

export function eksNodeGroup(name = "kfstack-prod-general"): PolicyRecord {
    return record(
        "aws:eks/nodeGroup:NodeGroup",
        {
            amiType: "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            clusterName: "kfstack-prod",
            instanceTypes: ["m6id.8xlarge"],
            labels: { "kfstack.io/pool": "general" },
            launchTemplate: { id: unknown, version: unknown },
            nodeRoleArn: unknown,
            scalingConfig: { desiredSize: 6, maxSize: 12, minSize: 6 },
            subnetIds: [unknown, unknown, unknown],
            taints: [],
            version: "1.33",
        },
        name,
    );
}

/** The GPU pool: the general pool's node group with the NVIDIA AMI, GPU instances, labels and taint. */
export function eksGpuNodeGroup(name = "kfstack-prod-gpu"): PolicyRecord {
    const general = eksNodeGroup(name);
    return record(
        general.type,
        {
            ...general.props,
            amiType: "AL2023_x86_64_NVIDIA",
            instanceTypes: ["p4d.24xlarge"],
            labels: GPU_POOL_LABELS,
            releaseVersion: "1.33.5-20251023",
            scalingConfig: { desiredSize: 0, maxSize: 4, minSize: 0 },
            taints: [GPU_TAINT],
        },
        name,
    );
}

export function gkeCluster(name = "kfstack-gke-prod"): PolicyRecord {
    return record(
        "gcp:container/cluster:Cluster",
        {
            name,
            addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true } },
            controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
            datapathProvider: "ADVANCED_DATAPATH",
            deletionProtection: true,
            enableShieldedNodes: true,
            initialNodeCount: 1,
            location: "us-central1",
            network: unknown,
            subnetwork: unknown,
            networkingMode: "VPC_NATIVE",
            privateClusterConfig: { enablePrivateEndpoint: true, enablePrivateNodes: true, masterIpv4CidrBlock: "172.16.0.0/28" },
            masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "10.0.0.0/8", displayName: "allowed 10.0.0.0/8" }] },
            removeDefaultNodePool: true,
            workloadIdentityConfig: { workloadPool: "example-ml-platform.svc.id.goog" },
        },
        name,
    );
}

export function gkeNodePool(name = "kfstack-gke-prod-general"): PolicyRecord {
    return record(
        "gcp:container/nodePool:NodePool",
        {
            cluster: "kfstack-gke-prod",
            location: "us-central1",
            autoscaling: { locationPolicy: "BALANCED", totalMaxNodeCount: 12, totalMinNodeCount: 6 },
            management: { autoRepair: true, autoUpgrade: false },
            nodeConfig: {
                machineType: "n2-standard-32",
                ephemeralStorageLocalSsdConfig: { localSsdCount: 8 },
                labels: { "kfstack.io/pool": "general" },
                serviceAccount: unknown,
                shieldedInstanceConfig: { enableIntegrityMonitoring: true, enableSecureBoot: true },
                taints: [],
                workloadMetadataConfig: { mode: "GKE_METADATA" },
            },
            version: "1.33",
        },
        name,
    );
}

/** The GPU pool: the general pool with A100s, their driver, labels and taint. */
export function gkeGpuNodePool(name = "kfstack-gke-prod-gpu"): PolicyRecord {
    const general = gkeNodePool(name);
    // GPU machine types take no local SSDs for ephemeral storage.
    const { ephemeralStorageLocalSsdConfig: _localSsds, ...nodeConfig } = general.props["nodeConfig"] as Record<string, unknown>;
    return record(
        general.type,
        {
            ...general.props,
            autoscaling: { locationPolicy: "ANY", totalMaxNodeCount: 4, totalMinNodeCount: 0 },
            nodeConfig: {
                ...nodeConfig,
                machineType: "a2-highgpu-1g",
                guestAccelerators: [{ count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" }, type: "nvidia-tesla-a100" }],
                labels: GPU_POOL_LABELS,
                taints: [GPU_TAINT],
            },
        },
        name,
    );
}

export function generalPoolFacts(): NodePoolFacts {
    return {
        name: "general",
        instanceType: "m6id.8xlarge",
        minNodes: 6,
        desiredNodes: 6,
        maxNodes: 12,
        vcpu: 32,
        memoryGiB: 128,
        nvmeGB: 1900,
        labels: { "kfstack.io/pool": "general" },
        taints: [],
    };
}

export function gpuPoolFacts(): NodePoolFacts {
    return {
        name: "gpu",
        instanceType: "p4d.24xlarge",
        minNodes: 0,
        desiredNodes: 0,
        maxNodes: 4,
        vcpu: 96,
        memoryGiB: 1152,
        nvmeGB: 8000,
        gpu: {
            model: "a100-40gb",
            product: "NVIDIA-A100-SXM4-40GB",
            count: 8,
            cudaVersion: "12.2",
            driverVersion: "570.172.08",
            amiReleaseVersion: "1.33.5-20251023",
        },
        labels: { "kfstack.io/pool": "gpu", "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB" },
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
    };
}

const FACTS_TYPE: Record<ClusterFacts["cloud"], string> = {
    aws: "kfstack:cluster:EksCluster",
    gcp: "kfstack:cluster:GkeCluster",
    existing: "kfstack:cluster:ExistingCluster",
};

/** The cluster component with kfstack's facts: by default the prod stack's (aws, production, a general and a GPU pool, its VPC the pod network). */
export function clusterFactsRecord(facts: Partial<ClusterFacts> = {}, name = "kfstack-prod"): PolicyRecord {
    const full: ClusterFacts = {
        cloud: "aws",
        topology: "production",
        kubernetesVersion: "1.33",
        nodePools: [generalPoolFacts(), gpuPoolFacts()],
        podCidrs: ["10.40.0.0/16"],
        ...facts,
    };
    return record(FACTS_TYPE[full.cloud], full as unknown as Record<string, unknown>, name);
}

export function vpcEndpoint(service: string, region = "us-east-1"): PolicyRecord {
    const gateway = service === "s3";
    return record(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        {
            serviceName: `com.amazonaws.${region}.${service}`,
            vpcEndpointType: gateway ? "Gateway" : "Interface",
            vpcId: unknown,
            ...(gateway
                ? { routeTableIds: [unknown, unknown, unknown] }
                : { privateDnsEnabled: true, subnetIds: [unknown, unknown, unknown], securityGroupIds: [unknown] }),
        },
        `kfstack-prod-net-${service.replace(".", "-")}`,
    );
}

export function ecrRepository(name = "kfstack-prod-mirror-kubeflow-training-operator"): PolicyRecord {
    return record(
        "aws:ecr/repository:Repository",
        { name: "mirror/kubeflow/training-operator", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } },
        name,
    );
}

export function artifactRegistryRepository(name = "kfstack-gke-prod-mirror"): PolicyRecord {
    return record(
        "gcp:artifactregistry/repository:Repository",
        { repositoryId: "kubeflow-mirror", location: "us-central1", format: "DOCKER", dockerConfig: { immutableTags: true } },
        name,
    );
}

export function subnetwork(name = "kfstack-gke-prod-net-nodes"): PolicyRecord {
    return record(
        "gcp:compute/subnetwork:Subnetwork",
        { ipCidrRange: "10.10.0.0/20", network: unknown, privateIpGoogleAccess: true, region: "us-central1" },
        name,
    );
}

/** The whole report of one policy, for tests that also assert nothing was left undecided. */
export async function reportOf(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<PolicyReport> {
    return evaluatePolicies(records, { policies: [policy], config });
}

/** Asserts that the policy accepts `records` outright: no violation, and nothing left undecided for the preview. */
export async function expectAcceptedOutright(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<void> {
    expect(await undecidedOf(policy, records, config)).toEqual([]);
}

/** The deployer's cluster-admin grant on the prod cluster, as kfstack plans it. */
export function clusterAdminAssociation(name = "kfstack-prod-admin-role-kfstack-offline-deployer"): PolicyRecord {
    return record(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        {
            clusterName: unknown,
            principalArn: "arn:aws:iam::123456789012:role/kfstack-offline-deployer",
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
        },
        name,
    );
}

/** The cluster's Kubernetes provider, depending on the given associations. */
export function kubernetesProvider(dependsOn: PolicyRecord[] = [clusterAdminAssociation()], name = "kfstack-prod-k8s"): PolicyRecord {
    return {
        ...record("pulumi:providers:kubernetes", { kubeconfig: unknown, enableServerSideApply: "true" }, name),
        dependsOn: dependsOn.map((of) => of.urn!),
    };
}

/** A Namespace applied through the given provider (null: the default provider). */
export function namespaceThrough(provider: PolicyRecord | null): PolicyRecord {
    const namespace = record("kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } });
    return { ...namespace, provider: provider ? provider.urn! : null };
}

/** What PLAT-04 looks at on the prod stack: the cluster, the deployer's association, the provider and one object through it. */
export function deployerAccessRecords(): PolicyRecord[] {
    const association = clusterAdminAssociation();
    const provider = kubernetesProvider([association]);
    return [eksCluster(), association, provider, namespaceThrough(provider)];
}
