// The one schema of a kfstack stack file: everything under the `kfstack:`
// namespace of Pulumi.<stack>.yaml. Types come from it (z.infer); the README's
// configuration reference is generated from it. Cross-field rules (./rules.ts)
// are added by the parse (./load.ts), so one error lists every problem.
import { z } from "zod";
import { parseRegistryPrefix } from "../../core/image-references";
import { TOPOLOGY_MINIMUMS } from "../../core/topology-minimums";
import { awsNetwork, awsRegion, awsSettings, gcpNetwork, gcpRegion, gcpSettings, zones } from "./cloud-schema";
import { dataPlane } from "./data-plane-schema";
import { existing } from "./existing-schema";
import { ipv4Cidr, kubernetesVersion, secretValue } from "./fields";
import { gateway } from "./gateway-schema";
import { monitoring } from "./monitoring-schema";
import { tenancy, tenant } from "./tenant-schema";

export { PLATFORM_NAMESPACES } from "./tenant-schema";

const dnsLabel = z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, {
    error: "must be 1-40 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
});

const tags = z.record(z.string().min(1).max(63), z.string().max(256)).default({}).describe("Tags (AWS) or labels (GCP) added to every cloud resource.");

const privateEndpoint = z
    .strictObject({
        enabled: z.boolean().default(true).describe("Serve the Kubernetes API on a private endpoint only."),
        allowedCidrs: z
            .array(ipv4Cidr)
            .default([])
            .describe("Networks allowed to reach the API: the private endpoint's callers, or the public endpoint's allowlist."),
    })
    .default({ enabled: true, allowedCidrs: [] })
    .describe("Who can reach the Kubernetes API server.");

const nodePool = z
    .strictObject({
        instanceType: z.string().min(1).optional().describe("AWS instance type or GCP machine type (clouds only)."),
        nodeCount: z.number().int().min(1).optional().describe("Nodes to run (the autoscaling minimum)."),
        maxNodes: z.number().int().min(1).optional().describe("Autoscaling maximum; defaults to nodeCount."),
        localSsdCount: z.number().int().min(1).optional().describe("GCP: 375 GB local SSDs per node for ephemeral storage."),
        vcpu: z.number().int().min(1).optional().describe("Existing clusters: vCPUs per node, as declared."),
        memoryGiB: z.number().int().min(1).optional().describe("Existing clusters: memory per node in GiB, as declared."),
        nvmeGB: z.number().int().min(0).optional().describe("Existing clusters: local NVMe per node in GB, as declared."),
    })
    .default({})
    .describe("The general-purpose pool that runs Kubeflow and CPU workloads; unset values come from the topology preset.");

const gpuDriver = z
    .strictObject({
        version: z
            .string()
            .regex(/^[0-9]+\.[0-9]+(\.[0-9]+)?$/, { error: 'must be an NVIDIA driver version such as "570.133.20"' })
            .optional()
            .describe("NVIDIA driver version the nodes run (AMI release or GKE driver channel)."),
        amiReleaseVersion: z
            .string()
            .regex(/^1\.[0-9]{2}\.[0-9]+-[0-9]{8}$/, { error: 'must be an EKS AMI release such as "1.33.5-20251016"' })
            .optional()
            .describe("AWS: EKS-optimized AL2023 NVIDIA AMI release that pins the driver."),
        gkeInstallation: z.enum(["DEFAULT", "LATEST"]).optional().describe("GCP: GKE driver installation channel (DEFAULT is fixed per GKE version)."),
    })
    .default({})
    .describe("The NVIDIA driver, pinned (required when there is a GPU pool).");

const gpuPool = z
    .strictObject({
        enabled: z.boolean().optional().describe("Run a GPU pool (production: always; testing: off unless set)."),
        instanceType: z.string().min(1).optional().describe("AWS instance type or GCP machine type with GPUs."),
        gpuModel: z.string().min(1).optional().describe("GPU model of the pool (one model per pool), e.g. a100-40gb."),
        gpusPerNode: z.number().int().min(1).optional().describe("Existing clusters: GPUs per node, as declared."),
        minNodes: z.number().int().min(0).optional().describe("Autoscaling minimum; 0 lets the pool scale to zero."),
        maxNodes: z.number().int().min(1).optional().describe("Autoscaling maximum."),
        cudaVersion: z
            .string()
            .regex(/^[0-9]+\.[0-9]+$/, { error: 'must be a CUDA major.minor version such as "12.2"' })
            .optional()
            .describe("CUDA version the platform targets; the driver must support it."),
        driver: gpuDriver,
    })
    .optional()
    .describe("The dedicated GPU pool, tainted nvidia.com/gpu=present:NoSchedule.");

const cluster = z
    .strictObject({ nodePool, gpuPool })
    .default({ nodePool: {}, gpuPool: undefined })
    .describe("Node pools; the topology preset fills every value not set here.");

const allowUndersized = z
    .strictObject({
        reason: z
            .string()
            .trim()
            .min(10, { error: "must say why this stack may run below its topology (10+ characters)" })
            .describe("Why this stack may run below its topology."),
    })
    .optional()
    .describe("Accept node pools below the topology minimums; the reason is recorded in the plan.");

/** The upstream example user's password hash ("12341234"); kfstack never installs it. */
export const UPSTREAM_DEX_PASSWORD_HASH = "$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72";

const identity = z
    .strictObject(
        {
            oidc: z
                .strictObject({
                    name: z.string().min(1).default("SSO").describe("Name of the login button."),
                    issuer: z.url({ error: "must be the https URL of the OIDC issuer" }).describe("OIDC issuer URL of your identity provider."),
                    clientId: z.string().min(1).describe("Client id registered with the identity provider."),
                    clientSecret: secretValue,
                    redirectUri: z
                        .url({ error: "must be the https URL users return to, such as https://kubeflow.example.com/dex/callback" })
                        .describe("Where the identity provider sends users back: https://<Kubeflow host>/dex/callback."),
                })
                .optional()
                .describe("Log in through your identity provider (Dex OIDC connector)."),
            staticAdmin: z
                .strictObject({
                    email: z.email({ error: "must be an email address" }).describe("Login of the platform admin."),
                    passwordHash: secretValue
                        .refine((hash) => hash !== UPSTREAM_DEX_PASSWORD_HASH, {
                            error: "is the upstream example user's hash (password 12341234); generate your own bcrypt hash",
                        })
                        .describe("bcrypt hash of the admin's password, as a secret (htpasswd -nbBC 12 '' <password>)."),
                })
                .optional()
                .describe("One static admin login, for clusters without an identity provider."),
        },
        {
            error: (issue) =>
                issue.input === undefined
                    ? "is required: set identity.oidc (your identity provider) or identity.staticAdmin (one admin with a bcrypt hash kept as a secret); kfstack installs no default login"
                    : undefined,
        },
    )
    .describe("How people log in to Kubeflow: exactly one of oidc or staticAdmin.");

const kubeflow = z
    .strictObject({
        release: z
            .string()
            .default("kubeflow-1.8.1")
            .describe("Bill of materials to install (components/bom/<release>.yaml): kubeflow-1.8.1 (the default) or kubeflow-1.9.1."),
        acknowledgeKubernetesVersion: z
            .strictObject({
                version: kubernetesVersion,
                reason: z
                    .string()
                    .trim()
                    .min(10, { error: "must say why this version is acceptable (10+ characters)" })
                    .describe("Why running outside the release's window is acceptable."),
            })
            .optional()
            .describe("Run the release on a Kubernetes version outside its supported window; recorded as a warning in the plan."),
        gateway,
    })
    .default({ release: "kubeflow-1.8.1", gateway: { hosts: ["kubeflow.local"], tls: { mode: "selfSigned" } } })
    .describe("The Kubeflow install.");

const airGap = z
    .strictObject({
        enabled: z.boolean().default(false).describe("Pull every image from the mirror registry; rewrite every reference to it."),
        registry: z
            .string()
            .refine((text) => parseRegistryPrefix(text) !== undefined, {
                error: "must be a registry host with an optional port and path, such as registry.enclave.example:5000/kubeflow",
            })
            .optional()
            .describe("The mirror's prefix: the registryPrefix output of the registry stack (registry/)."),
        pullSecret: z
            .strictObject({
                username: z
                    .string()
                    .min(1)
                    .describe(
                        "The user (or robot account) that pulls from the mirror: a pull-only one, since every tenant member can read the Secret in their namespace and push rights would let one tenant replace the images every tenant runs.",
                    ),
                password: secretValue.describe(
                    "Its password or token, as a secret: pulumi config set --secret --path 'kfstack:airGap.pullSecret.password' '<token>'.",
                ),
            })
            .optional()
            .describe(
                "Existing clusters whose mirror asks for credentials: kfstack creates a kubernetes.io/dockerconfigjson Secret kfstack-mirror-pull in every namespace it creates and every tenant's, and names it in every pod and ServiceAccount it installs (tenants' default-editor, default-viewer and default included). EKS and GKE nodes pull with their own identity instead.",
            ),
    })
    .default({ enabled: false })
    .describe("Air-gapped installs: images come only from a private mirror (npm run mirror -- bundle / push).");

/** The minimums of both topologies, as the configuration reference states them. */
function topologyDescription(): string {
    const { testing, production } = TOPOLOGY_MINIMUMS;
    const gb = (value: number) => value.toLocaleString("en-US");
    return `testing: ${testing.nodes} x ${testing.vcpu} vCPU / ${testing.memoryGiB} GiB / ${gb(testing.nvmeGB)} GB NVMe; production: ${production.nodes}+ x ${production.vcpu} / ${production.memoryGiB} / ${gb(production.nvmeGB)} plus GPUs.`;
}

const common = {
    identity,
    kubeflow,
    airGap,
    tenants: z.array(tenant).default([]).describe("Teams as isolated Kubeflow Profiles."),
    tenancy,
    monitoring,
    dataPlane,
    manifestsDir: z
        .string()
        .min(1)
        .optional()
        .describe(
            "Directory of rendered manifests (npm run manifests -- pull); KFSTACK_MANIFESTS_DIR overrides it; unset, the default cache ~/.cache/kfstack/manifests, pulled on first use.",
        ),
    topology: z.enum(["testing", "production"]).describe(topologyDescription()),
    kubernetesVersion,
    clusterName: dnsLabel.optional().describe("Cluster name; defaults to kfstack-<stack>."),
    privateEndpoint,
    tags,
    cluster,
    allowUndersized,
};

const awsStack = z.strictObject({
    cloud: z.literal("aws"),
    region: awsRegion,
    zones,
    network: awsNetwork,
    aws: awsSettings,
    ...common,
});

const gcpStack = z.strictObject({
    cloud: z.literal("gcp"),
    region: gcpRegion,
    zones,
    network: gcpNetwork,
    gcp: gcpSettings,
    ...common,
});

const existingStack = z.strictObject({
    cloud: z.literal("existing"),
    existing,
    ...common,
});

export const StackConfigSchema = z.discriminatedUnion("cloud", [awsStack, gcpStack, existingStack], {
    error: (issue) => {
        const cloud = typeof issue.input === "object" && issue.input !== null ? (issue.input as { cloud?: unknown }).cloud : undefined;
        return cloud === undefined ? "is required: aws, gcp or existing" : `must be aws, gcp or existing, not ${JSON.stringify(cloud)}`;
    },
});

/** Every top-level setting of any cloud: a key outside it is a typo whichever cloud the stack names. */
export const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([awsStack, gcpStack, existingStack].flatMap((variant) => Object.keys(variant.shape)));

export type StackConfig = z.infer<typeof StackConfigSchema>;
export type AwsStackConfig = Extract<StackConfig, { cloud: "aws" }>;
export type GcpStackConfig = Extract<StackConfig, { cloud: "gcp" }>;
export type ExistingStackConfig = Extract<StackConfig, { cloud: "existing" }>;
export type Topology = StackConfig["topology"];
export type NodePoolConfig = StackConfig["cluster"]["nodePool"];
export type GpuPoolConfig = NonNullable<StackConfig["cluster"]["gpuPool"]>;
export type IdentityConfig = StackConfig["identity"];
export type TenantConfig = StackConfig["tenants"][number];
export type MonitoringConfig = StackConfig["monitoring"];
export type AlertThresholds = MonitoringConfig["alerts"];
export type DataPlaneConfig = StackConfig["dataPlane"];
export type AlertRouting = NonNullable<MonitoringConfig["alertRouting"]>;
