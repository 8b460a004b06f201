// One test per shipped stack file (and the test-only stacks for GovCloud, GKE
// production and an existing VPC): the topology that comes out of the offline plan.
import { plannableStackSettings } from "../engine/unset-secrets";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeadmUserData } from "../components/cluster/aws/node-group";
import { stackConfigOf } from "../components/stack";
import { apiServerCidrs } from "../components/tenancy/settings";
import { type Plan, planStack } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { Secret, Unknown } from "../engine/values";
import { allInputStrings, resource, resourcesOfType, stackFixture, urnsOf } from "./helpers";

const unknown = Unknown.instance;
const AWS_TYPES = {
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    routeTable: "aws:ec2/routeTable:RouteTable",
    nat: "aws:ec2/natGateway:NatGateway",
    kms: "aws:kms/key:Key",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    role: "aws:iam/role:Role",
};

const ipv2LaunchTemplate = (pool: string, stack: string) => ({
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { deleteOnTermination: "true", encrypted: "true", volumeSize: 100, volumeType: "gp3" } }],
    description: `kfstack ${pool} nodes: IMDSv2, no SSH, NVMe RAID0`,
    metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
    tagSpecifications: [{ resourceType: "instance", tags: { Name: `kfstack-${stack}-${pool}` } }],
    updateDefaultVersion: true,
    userData: Buffer.from(nodeadmUserData()).toString("base64"),
});

function privateRouteTables(plan: Plan) {
    return resourcesOfType(plan, AWS_TYPES.routeTable).filter((table) => table.name.includes("-private-"));
}

describe("stack dev (AWS, testing topology)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("dev");
    });

    it("runs 3 m6id.4xlarge nodes (16 vCPU, 64 GiB, 950 GB NVMe) in one node group and no GPU pool", () => {
        const groups = resourcesOfType(plan, AWS_TYPES.nodeGroup);
        expect(groups.map((group) => group.name)).toEqual(["kfstack-dev-general"]);
        expect(groups[0]!.inputs).toMatchObject({
            amiType: "AL2023_x86_64_STANDARD",
            instanceTypes: ["m6id.4xlarge"],
            scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
            taints: [],
            version: "1.33",
        });
        expect(plan.summary.nodePools.map((pool) => [pool.name, pool.perNode])).toEqual([
            ["general", { vcpu: 16, memoryGiB: 64, nvmeGB: 950, gpus: 0, gpuModel: null }],
        ]);
    });

    it("sets up nodes through a launch template with IMDSv2 only, no SSH key and the NVMe instance store as RAID0", () => {
        const template = resource(plan, AWS_TYPES.launchTemplate, "kfstack-dev-general-lt");
        expect(template.inputs).toEqual(ipv2LaunchTemplate("general", "dev"));
        expect(nodeadmUserData()).toContain("kind: NodeConfig\nspec:\n  instance:\n    localStorage:\n      strategy: RAID0\n");
        expect(resource(plan, AWS_TYPES.nodeGroup, "kfstack-dev-general").dependsOn).toContain(template.urn);
    });

    it("serves the API on a private endpoint with API access entries, KMS-encrypted secrets, audit logs and an explicit support type", () => {
        const cluster = resource(plan, AWS_TYPES.cluster, "kfstack-dev");
        expect(cluster.inputs).toMatchObject({
            name: "kfstack-dev",
            version: "1.33",
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            encryptionConfig: { provider: { keyArn: unknown }, resources: ["secrets"] },
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            upgradePolicy: { supportType: "STANDARD" },
            vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
        });
        expect(cluster.dependsOn).toContain(resource(plan, AWS_TYPES.kms, "kfstack-dev-secrets").urn);
        expect(resource(plan, AWS_TYPES.kms, "kfstack-dev-secrets").inputs).toMatchObject({ enableKeyRotation: true });
    });

    it("routes S3 through a gateway endpoint on every private route table, behind a single NAT gateway", () => {
        const endpoint = resource(plan, AWS_TYPES.endpoint, "kfstack-dev-net-s3");
        expect(endpoint.inputs).toMatchObject({ serviceName: "com.amazonaws.us-west-2.s3", vpcEndpointType: "Gateway" });
        const privateTables = privateRouteTables(plan);
        expect(privateTables).toHaveLength(3);
        expect(endpoint.dependsOn).toEqual(expect.arrayContaining(urnsOf(privateTables)));
        expect(resourcesOfType(plan, AWS_TYPES.nat).map((nat) => nat.name)).toEqual(["kfstack-dev-net-nat-us-west-2a"]);
    });

    it("gives every cloud resource the explicit AWS provider of the stack's region and tags", () => {
        const provider = resource(plan, "pulumi:providers:aws", "kfstack-dev-aws");
        expect(provider.inputs).toMatchObject({ region: "us-west-2" });
        expect(JSON.parse(provider.inputs.defaultTags as string)).toEqual({
            tags: { environment: "dev", owner: "ml-platform", "kfstack:cluster": "kfstack-dev" },
        });
        const awsResources = plan.resources.filter((candidate) => candidate.type.startsWith("aws:"));
        expect(new Set(awsResources.map((candidate) => candidate.provider))).toEqual(new Set([provider.urn]));
    });

    it("exports a secret kubeconfig and a Kubernetes provider with server-side apply", () => {
        expect(plan.outputs.kubeconfig).toBeInstanceOf(Secret);
        expect(resource(plan, "pulumi:providers:kubernetes", "kfstack-dev-k8s").inputs).toEqual({
            enableServerSideApply: "true",
            kubeconfig: expect.any(Secret),
        });
    });
});

describe("stack prod (AWS, production topology)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it("runs 6 to 12 m6id.8xlarge nodes (32 vCPU, 128 GiB, 1,900 GB NVMe)", () => {
        expect(resource(plan, AWS_TYPES.nodeGroup, "kfstack-prod-general").inputs).toMatchObject({
            instanceTypes: ["m6id.8xlarge"],
            scalingConfig: { minSize: 6, desiredSize: 6, maxSize: 12 },
        });
        expect(plan.summary.nodePools[0]!.totals).toEqual({ vcpu: 192, memoryGiB: 768, nvmeGB: 11400, gpus: 0 });
    });

    it("adds a p4d.24xlarge GPU pool on the pinned AL2023 NVIDIA AMI, tainted, labelled and able to scale to zero", () => {
        const gpu = resource(plan, AWS_TYPES.nodeGroup, "kfstack-prod-gpu");
        expect(gpu.inputs).toMatchObject({
            amiType: "AL2023_x86_64_NVIDIA",
            releaseVersion: "1.33.5-20251023",
            instanceTypes: ["p4d.24xlarge"],
            scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 4 },
            taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
            labels: { "kfstack.io/pool": "gpu", "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB" },
        });
        expect(resource(plan, AWS_TYPES.launchTemplate, "kfstack-prod-gpu-lt").inputs).toEqual(ipv2LaunchTemplate("gpu", "prod"));
        expect(plan.summary.nodePools[1]).toMatchObject({ name: "gpu", perNode: { gpus: 8, gpuModel: "a100-40gb" }, nodes: { min: 0, desired: 0, max: 4 } });
    });

    it("puts one NAT gateway in each zone and keeps the S3 endpoint on all three private route tables", () => {
        expect(resourcesOfType(plan, AWS_TYPES.nat).map((nat) => nat.name)).toEqual([
            "kfstack-prod-net-nat-us-east-1a",
            "kfstack-prod-net-nat-us-east-1b",
            "kfstack-prod-net-nat-us-east-1c",
        ]);
        expect(resource(plan, AWS_TYPES.endpoint, "kfstack-prod-net-s3").dependsOn).toEqual(expect.arrayContaining(urnsOf(privateRouteTables(plan))));
    });

    it("grants the configured admins cluster-admin through an EKS access entry", () => {
        expect(resource(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "kfstack-prod-admin-role-platform-admins").inputs).toEqual({
            accessScope: { type: "cluster" },
            clusterName: "kfstack-prod",
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            principalArn: "arn:aws:iam::111122223333:role/platform-admins",
        });
    });

    it("joins nodes only after the node role's policies are attached", () => {
        const attachments = resourcesOfType(plan, AWS_TYPES.attachment).filter((attachment) => attachment.name.startsWith("kfstack-prod-node-"));
        expect(attachments).toHaveLength(3);
        for (const group of resourcesOfType(plan, AWS_TYPES.nodeGroup)) {
            expect(group.dependsOn).toEqual(expect.arrayContaining(urnsOf(attachments)));
        }
    });

    it("estimates the monthly on-demand cost per pool and in total", () => {
        expect(plan.summary.totals.monthlyUsd).toEqual({ atDesired: 8314.99, atMax: 112325.97 });
        expect(plan.summary.pricing.sources).toEqual(["https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, us-east-1), 2025-05-01"]);
    });
});

describe("stack gke-dev (GCP, testing topology)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("gke-dev");
    });

    it("runs 3 n2-standard-16 nodes with 4 local SSDs as ephemeral storage, shielded, with the GKE metadata server", () => {
        const pool = resource(plan, "gcp:container/nodePool:NodePool", "kfstack-gke-dev-general");
        expect(pool.inputs).toMatchObject({
            location: "us-central1",
            nodeLocations: ["us-central1-a", "us-central1-b", "us-central1-c"],
            autoscaling: { totalMinNodeCount: 3, totalMaxNodeCount: 6, locationPolicy: "BALANCED" },
            initialNodeCount: 1,
            management: { autoRepair: true, autoUpgrade: true },
            nodeConfig: {
                machineType: "n2-standard-16",
                ephemeralStorageLocalSsdConfig: { localSsdCount: 4 },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                taints: [],
            },
        });
        expect(plan.summary.nodePools[0]!.perNode).toEqual({ vcpu: 16, memoryGiB: 64, nvmeGB: 1500, gpus: 0, gpuModel: null });
    });

    it("creates a private VPC-native cluster with Workload Identity, shielded nodes and Dataplane V2", () => {
        expect(resource(plan, "gcp:container/cluster:Cluster", "kfstack-gke-dev").inputs).toMatchObject({
            name: "kfstack-gke-dev",
            location: "us-central1",
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, masterIpv4CidrBlock: "172.16.0.0/28" },
            masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "10.0.0.0/8", displayName: "allowed 10.0.0.0/8" }] },
            workloadIdentityConfig: { workloadPool: "example-ml-platform.svc.id.goog" },
            datapathProvider: "ADVANCED_DATAPATH",
            enableShieldedNodes: true,
            releaseChannel: { channel: "REGULAR" },
            removeDefaultNodePool: true,
        });
        expect(resource(plan, "gcp:compute/subnetwork:Subnetwork", "kfstack-gke-dev-net-nodes").inputs).toMatchObject({ privateIpGoogleAccess: true });
    });
});

describe("stack onprem (existing cluster, production topology)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("onprem");
    });

    it("creates no infrastructure, only a Kubernetes provider for the kubeconfig's context and what runs in the cluster", () => {
        const infrastructure = plan.resources.filter((candidate) => !/^(kubernetes:|kfstack:(kubeflow|monitoring):|random:)/.test(candidate.type));
        expect(infrastructure.map((candidate) => candidate.type)).toEqual([
            "pulumi:pulumi:Stack",
            "kfstack:cluster:ExistingCluster",
            "pulumi:providers:kubernetes",
        ]);
        expect(resource(plan, "pulumi:providers:kubernetes", "kfstack-onprem-k8s").inputs).toEqual({
            context: "onprem-admin",
            enableServerSideApply: "true",
            kubeconfig: expect.any(Secret),
        });
    });

    it("describes the declared node pools, checked against the production topology", () => {
        expect(plan.summary.nodePools.map(({ name, nodes, perNode, taints }) => ({ name, nodes, perNode, taints }))).toEqual([
            {
                name: "general",
                nodes: { min: 6, desired: 6, max: 6 },
                perNode: { vcpu: 32, memoryGiB: 128, nvmeGB: 1920, gpus: 0, gpuModel: null },
                taints: [],
            },
            {
                name: "gpu",
                nodes: { min: 2, desired: 2, max: 2 },
                perNode: { vcpu: 0, memoryGiB: 0, nvmeGB: 0, gpus: 8, gpuModel: "a100-40gb" },
                taints: ["nvidia.com/gpu=present:NoSchedule"],
            },
        ]);
        expect(plan.summary.totals.monthlyUsd).toBeNull();
    });
});

describe("stack in AWS GovCloud (test fixture)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("govcloud", { configFile: stackFixture("govcloud") });
    });

    it("records its acknowledged self-signed gateway as a plan warning, with the reason", () => {
        expect(plan.summary.warnings).toContain(
            "The gateway serves a self-signed certificate on a production stack, which no client trusts; acknowledged: The agency's certificate authority is not chosen yet; clients trust this gateway's CA by hand.",
        );
    });

    it("builds every ARN in the aws-us-gov partition and none in the commercial one", () => {
        const arns = allInputStrings(plan).filter((value) => value.startsWith("arn:"));
        expect(arns.length).toBeGreaterThan(0);
        expect(arns.filter((arn) => !arn.startsWith("arn:aws-us-gov:"))).toEqual([]);
        expect(
            resourcesOfType(plan, AWS_TYPES.attachment)
                .map((attachment) => attachment.inputs.policyArn)
                .sort(),
        ).toEqual([
            "arn:aws-us-gov:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws-us-gov:iam::aws:policy/AmazonEKSClusterPolicy",
            "arn:aws-us-gov:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws-us-gov:iam::aws:policy/AmazonEKS_CNI_Policy",
            "arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws-us-gov:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        ]);
    });

    it("uses the GovCloud S3 service and region", () => {
        expect(resource(plan, AWS_TYPES.endpoint, "kfstack-govcloud-net-s3").inputs).toMatchObject({ serviceName: "com.amazonaws.us-gov-west-1.s3" });
        expect(resource(plan, "pulumi:providers:aws", "kfstack-govcloud-aws").inputs).toMatchObject({ region: "us-gov-west-1" });
    });
});

describe("stack on GKE with a GPU pool (test fixture)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("gke-prod");
    });

    it("attaches A100s with a pinned driver installation, taints the pool and pins node versions", () => {
        expect(resource(plan, "gcp:container/nodePool:NodePool", "kfstack-gke-prod-gpu").inputs).toMatchObject({
            version: "1.33",
            autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: "ANY" },
            management: { autoRepair: true, autoUpgrade: false },
            nodeConfig: {
                machineType: "a2-highgpu-1g",
                guestAccelerators: [{ type: "nvidia-tesla-a100", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }],
                labels: { "kfstack.io/pool": "gpu", "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB" },
                taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
            },
        });
    });

    it("gives production nodes 8 local SSDs (3,000 GB)", () => {
        expect(resource(plan, "gcp:container/nodePool:NodePool", "kfstack-gke-prod-general").inputs).toMatchObject({
            nodeConfig: { machineType: "n2-standard-32", ephemeralStorageLocalSsdConfig: { localSsdCount: 8 } },
        });
    });
});

describe("stack in an existing VPC (test fixture)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("existing-vpc", { configFile: stackFixture("existing-vpc") });
    });

    it("creates no network but the S3 gateway endpoint on the given route tables", () => {
        expect(
            plan.resources
                .filter(
                    (candidate) =>
                        candidate.type.startsWith("aws:ec2/") &&
                        candidate.type !== AWS_TYPES.launchTemplate &&
                        candidate.type !== "aws:ec2/securityGroup:SecurityGroup",
                )
                .map((candidate) => candidate.type),
        ).toEqual([AWS_TYPES.endpoint]);
        expect(resource(plan, AWS_TYPES.endpoint, "kfstack-existing-vpc-net-s3").inputs).toMatchObject({
            vpcId: "vpc-0a1b2c3d4e5f60718",
            routeTableIds: ["rtb-0a1b2c3d4e5f60718", "rtb-1a1b2c3d4e5f60718"],
        });
    });

    it("opens the public endpoint only to the allowed networks", () => {
        expect(resource(plan, AWS_TYPES.cluster, "kfstack-existing-vpc").inputs).toMatchObject({
            vpcConfig: {
                endpointPrivateAccess: true,
                endpointPublicAccess: true,
                publicAccessCidrs: ["203.0.113.0/24"],
                subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-1a1b2c3d4e5f60718"],
            },
        });
    });

    it("records the VPC's CIDR blocks, secondary included, as the pod network the VPC CNI gives addresses from", () => {
        expect(resource(plan, "kfstack:cluster:EksCluster", "kfstack-existing-vpc").inputs["podCidrs"]).toEqual(["10.50.0.0/16", "100.64.0.0/16"]);
    });

    it("lets tenant pods reach the API server in the VPC's CIDR blocks unless tenancy.apiServerCidrs says otherwise", () => {
        const { config } = stackConfigOf({
            stack: "existing-vpc",
            config: plannableStackSettings("existing-vpc", { configFile: stackFixture("existing-vpc") }).config,
        });
        expect(apiServerCidrs(config)).toEqual(["10.50.0.0/16", "100.64.0.0/16"]);
    });
});

describe("nodeadm user data of an air-gapped node", () => {
    it("points containerd's registry config at certs.d and sends every public registry to the mirror's path", () => {
        const userData = nodeadmUserData("registry.enclave.example:5000/kubeflow");
        expect(userData).toContain('    config: |\n      [plugins."io.containerd.grpc.v1.cri".registry]\n      config_path = "/etc/containerd/certs.d"\n');
        expect(userData).toContain(
            [
                "cat > /etc/containerd/certs.d/gcr.io/hosts.toml <<'HOSTS'",
                'server = "https://gcr.io"',
                '[host."https://registry.enclave.example:5000/v2/kubeflow"]',
                '  capabilities = ["pull", "resolve"]',
                "  override_path = true",
                "HOSTS",
            ].join("\n"),
        );
        expect(userData.match(/hosts\.toml <<'HOSTS'/g)).toHaveLength(12);
        expect(nodeadmUserData()).not.toContain("certs.d");
    });
});
