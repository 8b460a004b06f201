// Stack-file cases of the cluster: value types and unknown keys, the topology,
// machine types and node pools, zones and regions. Each starts from a shipped stack and makes one change.
import { type ConfigCase, combined, set, unset } from "../config-cases";

/** The shipped stacks the cases start from (config-errors.test.ts loads them). */
export type BaseStack = "aws dev" | "aws prod" | "gcp dev" | "onprem";

export type StackCase = ConfigCase<BaseStack>;

export const CLUSTER_CASES: StackCase[] = [
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
        name: "asks for a missing topology by its values, without saying 'not undefined'",
        base: "aws dev",
        change: unset("topology"),
        key: "kfstack:topology",
        message: 'is required: one of "testing", "production"',
    },
    {
        name: "names a mistyped cloud key as unknown, though without a cloud no variant's keys are checked",
        base: "aws dev",
        change: combined(unset("cloud"), set("clodu", "aws")),
        key: "kfstack:clodu",
        message: "is not a kfstack setting; check its spelling and place in the configuration reference",
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
        message:
            '"m7i.4xlarge" is not in the machine table; use one of m6id.2xlarge, m6id.4xlarge, m6id.8xlarge, m6id.12xlarge or m6id.16xlarge, or add it to components/cluster/machine-types.ts',
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
        change: combined(set("cluster.gpuPool.instanceType", "p4d.24xlarge"), set("cluster.gpuPool.gpuModel", "h100-80gb")),
        key: "kfstack:cluster.gpuPool.gpuModel",
        message: "is h100-80gb, but p4d.24xlarge carries a100-40gb: a pool holds one GPU model; choose an instance type with h100-80gb GPUs or drop gpuModel",
    },
    {
        name: "rejects a GPU pool whose maxNodes is below its minNodes",
        base: "aws prod",
        change: combined(set("cluster.gpuPool.minNodes", 3), set("cluster.gpuPool.maxNodes", 2)),
        key: "kfstack:cluster.gpuPool.maxNodes",
        message: "is 2; it must be at least 1 and at least minNodes (3)",
    },
    {
        name: "rejects a GCP machine type with a local SSD count it does not accept",
        base: "gcp dev",
        change: combined(set("cluster.nodePool.instanceType", "n2-standard-16"), set("cluster.nodePool.localSsdCount", 3)),
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
        message: "is required for an existing cluster: set kubeconfig (a file path), context and provides",
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
        name: "rejects an AWS region that does not exist, naming the ones it may mean",
        base: "aws dev",
        change: combined(set("region", "us-west-5"), set("zones", ["us-west-5a", "us-west-5b"])),
        key: "kfstack:region",
        message: 'is not an AWS region kfstack knows: "us-west-5"; did you mean us-west-1, us-west-2? (a new region goes into components/cluster/regions.ts)',
    },
    {
        name: "rejects a GCP region that does not exist",
        base: "gcp dev",
        change: combined(set("region", "mars-central1"), set("zones", ["mars-central1-a", "mars-central1-b"])),
        key: "kfstack:region",
        message: 'is not a GCP region kfstack knows: "mars-central1"; use one such as us-central1 (a new region goes into components/cluster/regions.ts)',
    },
    {
        name: "rejects a China region",
        base: "aws dev",
        change: combined(set("region", "cn-north-1"), set("zones", ["cn-north-1a", "cn-north-1b"])),
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
];
