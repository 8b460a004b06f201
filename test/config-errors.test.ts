// Invalid stack configurations must be refused before anything is created:
// one ConfigError that names each bad key in full (kfstack:...), and no
// resource registered besides the root stack. Each row starts from a valid
// stack (a shipped Pulumi.<stack>.yaml) and makes one change.
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue, rawStackConfig } from "../components/config/load";
import { platformProgram } from "../components/platform";
import { STACK_TYPE, type PlannedResource, runOffline } from "../engine/offline";
import { loadStackSettings } from "../engine/stack-file";
import { type ConfigCase, type RawConfig, build, jsonParseError, rejection, set, toWire, unset } from "./config-cases";

/** A shipped stack's settings, as raw values: every row starts from one of them. */
function shipped(stack: string): RawConfig {
    return rawStackConfig(loadStackSettings(stack).config).raw;
}

const BASES = { "aws dev": shipped("dev"), "aws prod": shipped("prod"), "gcp dev": shipped("gke-dev"), onprem: shipped("onprem") } as const;

/** Runs the kfstack program offline on `raw` and returns the ConfigError it must fail with. */
function rejectionOf(raw: RawConfig) {
    return rejection(runOffline(platformProgram(), { project: "kfstack", stack: "bad", config: toWire("kfstack", raw), secretKeys: [] }));
}

function resourceTypes(resources: PlannedResource[]): string[] {
    return resources.map((resource) => resource.type);
}

type Case = ConfigCase<keyof typeof BASES>;

const CASES: Case[] = [
    // Types and unknown keys
    {
        name: "rejects a nodeCount given as a string",
        base: "aws prod",
        change: set("cluster.nodePool.nodeCount", "6"),
        key: "kfstack:cluster.nodePool.nodeCount",
        message: 'must be a number without quotes, not the string "6"',
    },
    {
        name: "rejects zones given as one string",
        base: "aws dev",
        change: set("zones", "us-west-2a,us-west-2b"),
        key: "kfstack:zones",
        message: 'must be a list, not the string "us-west-2a,us-west-2b"',
    },
    {
        name: "rejects privateEndpoint.enabled given as a string",
        base: "aws dev",
        change: set("privateEndpoint.enabled", "false"),
        key: "kfstack:privateEndpoint.enabled",
        message: 'must be true or false without quotes, not the string "false"',
    },
    {
        name: "rejects an unknown top-level key",
        base: "aws dev",
        change: set("nodeCount", 3),
        key: "kfstack:nodeCount",
        message: "is not a kfstack setting; check its spelling and place in the configuration reference",
    },
    {
        name: "rejects a misspelled nested key",
        base: "aws dev",
        change: set("cluster.nodePool.instanceTpye", "m6id.4xlarge"),
        key: "kfstack:cluster.nodePool.instanceTpye",
        message: "is not a kfstack setting; check its spelling and place in the configuration reference",
    },
    {
        name: "rejects a stack without a cloud",
        base: "aws dev",
        change: unset("cloud"),
        key: "kfstack:cloud",
        message: "is required: aws, gcp or existing",
    },
    {
        name: "rejects an unknown cloud",
        base: "aws dev",
        change: set("cloud", "azure"),
        key: "kfstack:cloud",
        message: 'must be aws, gcp or existing, not "azure"',
    },
    {
        name: "rejects an unknown topology",
        base: "aws dev",
        change: set("topology", "staging"),
        key: "kfstack:topology",
        message: 'must be one of "testing", "production", not "staging"',
    },
    {
        name: "rejects a kubernetesVersion with a leading v",
        base: "aws dev",
        change: set("kubernetesVersion", "v1.33"),
        key: "kfstack:kubernetesVersion",
        message: 'must be a Kubernetes minor version such as "1.33", not "v1.33"',
    },
    {
        name: "rejects the kubernetesVersion 1.3 that an unquoted YAML 1.30 becomes",
        base: "gcp dev",
        change: set("kubernetesVersion", "1.3"),
        key: "kfstack:kubernetesVersion",
        message: 'must be a Kubernetes minor version such as "1.33", not "1.3"',
    },
    // Topology
    {
        name: "rejects a testing stack on nodes below the testing topology",
        base: "aws dev",
        change: set("cluster.nodePool.instanceType", "m6id.2xlarge"),
        key: "kfstack:cluster.nodePool.instanceType",
        message: "m6id.2xlarge has 8 vCPU; the testing topology needs at least 16; choose a larger instance type, or set kfstack:allowUndersized.reason",
    },
    {
        name: "rejects a production stack with 3 nodes",
        base: "aws prod",
        change: set("cluster.nodePool.nodeCount", 3),
        key: "kfstack:cluster.nodePool.nodeCount",
        message: "is 3; the production topology needs at least 6 nodes; raise nodeCount, or set kfstack:allowUndersized.reason",
    },
    {
        name: "rejects a production stack with its GPU pool disabled",
        base: "aws prod",
        change: set("cluster.gpuPool.enabled", false),
        key: "kfstack:cluster.gpuPool.enabled",
        message: "is false, but the production topology needs a dedicated GPU pool; remove it, or set kfstack:allowUndersized.reason",
    },
    {
        name: "rejects an allowUndersized reason that is too short to explain anything",
        base: "aws dev",
        change: set("allowUndersized", { reason: "demo" }),
        key: "kfstack:allowUndersized.reason",
        message: "must say why this stack may run below its topology (10+ characters)",
    },
    // Machine types and node pools
    {
        name: "rejects an instance type missing from the machine table",
        base: "aws dev",
        change: set("cluster.nodePool.instanceType", "m7i.4xlarge"),
        key: "kfstack:cluster.nodePool.instanceType",
        message: "\"m7i.4xlarge\" is not in the machine table; use one of m6id.2xlarge, m6id.4xlarge, m6id.8xlarge, m6id.12xlarge or m6id.16xlarge, or add it to components/cluster/machine-types.ts",
    },
    {
        name: "rejects a GPU pool on an instance type without GPUs",
        base: "aws prod",
        change: set("cluster.gpuPool.instanceType", "m6id.8xlarge"),
        key: "kfstack:cluster.gpuPool.instanceType",
        message: '"m6id.8xlarge" is not a GPU type in the machine table; use one of g5.12xlarge, g5.48xlarge, p4d.24xlarge or p5.48xlarge',
    },
    {
        name: "rejects two GPU models in one pool",
        base: "aws prod",
        change: (config) => {
            set("cluster.gpuPool.instanceType", "p4d.24xlarge")(config);
            set("cluster.gpuPool.gpuModel", "h100-80gb")(config);
        },
        key: "kfstack:cluster.gpuPool.gpuModel",
        message: "is h100-80gb, but p4d.24xlarge carries a100-40gb: a pool holds one GPU model; choose an instance type with h100-80gb GPUs or drop gpuModel",
    },
    {
        name: "rejects a GPU pool whose maxNodes is below its minNodes",
        base: "aws prod",
        change: (config) => {
            set("cluster.gpuPool.minNodes", 3)(config);
            set("cluster.gpuPool.maxNodes", 2)(config);
        },
        key: "kfstack:cluster.gpuPool.maxNodes",
        message: "is 2; it must be at least 1 and at least minNodes (3)",
    },
    {
        name: "rejects a GCP machine type with a local SSD count it does not accept",
        base: "gcp dev",
        change: (config) => {
            set("cluster.nodePool.instanceType", "n2-standard-16")(config);
            set("cluster.nodePool.localSsdCount", 3)(config);
        },
        key: "kfstack:cluster.nodePool.localSsdCount",
        message: "n2-standard-16 accepts 2, 4, 8, 16 or 24 local SSDs, not 3; pick one of those counts",
    },
    {
        name: "rejects an existing cluster that does not declare its vCPUs per node",
        base: "onprem",
        change: unset("cluster.nodePool.vcpu"),
        key: "kfstack:cluster.nodePool.vcpu",
        message: "is required for an existing cluster: declare the nodes it has, so the topology can be checked",
    },
    {
        name: "rejects an existing-cluster stack without its existing section",
        base: "onprem",
        change: unset("existing"),
        key: "kfstack:existing",
        message: "is required for an existing cluster: set kubeconfig (a file path) and context",
    },
    {
        name: "rejects an existing-cluster stack without a kubeconfig",
        base: "onprem",
        change: unset("existing.kubeconfig"),
        key: "kfstack:existing.kubeconfig",
        message: "is required (a string)",
    },
    // Zones and regions
    {
        name: "rejects a stack with a single zone",
        base: "aws dev",
        change: set("zones", ["us-west-2a"]),
        key: "kfstack:zones",
        message: "needs at least 2 zones so the cluster survives the loss of one",
    },
    {
        name: "rejects a zone listed twice",
        base: "aws dev",
        change: set("zones", ["us-west-2a", "us-west-2a", "us-west-2b"]),
        key: "kfstack:zones[1]",
        message: "us-west-2a is listed twice; list each zone once",
    },
    {
        name: "rejects a zone outside the region",
        base: "gcp dev",
        change: set("zones", ["us-central1-a", "us-east1-b"]),
        key: "kfstack:zones[1]",
        message: "us-east1-b is not a zone of region us-central1; zones look like us-central1-a",
    },
    {
        name: "rejects a China region",
        base: "aws dev",
        change: (config) => {
            set("region", "cn-north-1")(config);
            set("zones", ["cn-north-1a", "cn-north-1b"])(config);
        },
        key: "kfstack:region",
        message: "cn-north-1 is in a partition kfstack does not support; use a commercial or GovCloud (us-gov-*) region",
    },
    {
        name: "rejects a GovCloud cluster admin in a commercial region",
        base: "aws prod",
        change: set("aws.clusterAdmins", ["arn:aws-us-gov:iam::111122223333:role/platform-admins"]),
        key: "kfstack:aws.clusterAdmins[0]",
        message: "arn:aws-us-gov:iam::111122223333:role/platform-admins is not in partition aws of region us-east-1; use an arn:aws: ARN",
    },
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
        message: 'There is no bill of materials "kubeflow-9.9.9"; known releases: kubeflow-1.8.1.',
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
        change: set("network.existingVpc", {
            vpcId: "vpc-0abc1234",
            privateSubnetIds: ["subnet-0abc1231", "subnet-0abc1232", "subnet-0abc1233"],
            routeTableIds: ["rtb-0abc1234"],
        }),
        key: "kfstack:network.vpcCidr",
        message: "is for a VPC kfstack creates; remove it when network.existingVpc is set",
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
        change: (config) => {
            set("kubernetesVersion", "1.30")(config);
            unset("kubeflow.acknowledgeKubernetesVersion")(config);
        },
        key: "kfstack:kubernetesVersion",
        message:
            "1.30 is outside the Kubernetes window of kubeflow-1.8.1: kubeflow-1.8.1 supports 1.25–1.26 (upstream also tested 1.27); cert-manager v1.12.2 supports 1.22–1.27; " +
            "istio-crds 1.17.5 supports 1.23–1.26; istio-install 1.17.5 supports 1.23–1.26; knative-serving 1.10.2 supports 1.25–1.26; knative-eventing 1.10.1 supports 1.25–1.26; " +
            "cluster-local-gateway 1.17.5 supports 1.23–1.26; prometheus-operator-crds v0.16.0 supports 1.31–1.34; kube-prometheus v0.16.0 supports 1.31–1.34. " +
            "Choose a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion (version 1.30 and a reason) to run it anyway",
    },
];

describe("stack configuration validation", () => {
    it.each(Object.entries(BASES))("accepts the unchanged %s stack the cases start from", async (_name, base) => {
        const run = await runOffline(platformProgram(), { project: "kfstack", stack: "good", config: toWire("kfstack", base), secretKeys: [] });
        expect(resourceTypes(run.resources)).toContain(STACK_TYPE);
        expect(run.resources.length).toBeGreaterThan(1);
    });

    it.each(CASES)("$name", async ({ base, change, key, message }) => {
        const { error, resources } = await rejectionOf(build(BASES[base], change));
        expect(error.issues).toContainEqual<ConfigIssue>({ key, message });
        expect(resourceTypes(resources)).toEqual([STACK_TYPE]);
    });

    it("lists every problem of a stack in one error and creates nothing", async () => {
        const { error, resources } = await rejectionOf(
            build(
                BASES["aws prod"],
                set("nodeCount", 6),
                set("zones", ["us-east-1a", "us-east-1a", "us-east-1b"]),
                set("cluster.gpuPool.driver.version", "530.30.02"),
            ),
        );
        expect(error.issues.map((issue) => issue.key).sort()).toEqual(["kfstack:cluster.gpuPool.driver.version", "kfstack:nodeCount", "kfstack:zones[1]"]);
        expect(error.message.split("\n")[0]).toBe("Invalid kfstack configuration: 3 problems; nothing was created.");
        expect(error.message).toBe(
            [
                "Invalid kfstack configuration: 3 problems; nothing was created.",
                "  kfstack:nodeCount: is not a kfstack setting; check its spelling and place in the configuration reference",
                "  kfstack:zones[1]: us-east-1a is listed twice; list each zone once",
                "  kfstack:cluster.gpuPool.driver.version: 530.30.02 is too old for CUDA 12.2, which needs driver >= 535.54.03",
                "Fix these keys in the stack file (Pulumi.<stack>.yaml); README.md has the configuration reference.",
            ].join("\n"),
        );
        expect(resourceTypes(resources)).toEqual([STACK_TYPE]);
    });

    it("reports structured config that is not valid JSON under its full key", () => {
        const { raw, issues } = rawStackConfig({ "kfstack:cloud": "aws", "kfstack:cluster": "{not json", "aws:region": "us-west-2" });
        expect(raw).toEqual({ cloud: "aws" });
        expect(issues).toEqual<ConfigIssue[]>([{ key: "kfstack:cluster", message: `is not valid structured config (${jsonParseError("{not json")})` }]);
    });
});
