// The one schema of a kfstack stack file: everything under the `kfstack:`
// namespace of Pulumi.<stack>.yaml. Types come from it (z.infer); the README's
// configuration reference is generated from it. Cross-field rules (./rules.ts)
// are added by the parse (./load.ts), so one error lists every problem.
import { z } from "zod";

/** The CIDR of a VPC kfstack creates when the stack names none. */
export const DEFAULT_VPC_CIDR = "10.0.0.0/16";

const ipv4Cidr = z.cidrv4({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" });

const kubernetesVersion = z
    .string({ error: 'must be a Kubernetes minor version as a string, such as "1.33"' })
    .regex(/^1\.[0-9]{2}$/, { error: (issue) => `must be a Kubernetes minor version such as "1.33", not ${JSON.stringify(issue.input)}` })
    .describe("Kubernetes minor version of the control plane and node pools.");

const dnsLabel = z
    .string()
    .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, {
        error: "must be 1-40 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    });

const tags = z
    .record(z.string().min(1).max(63), z.string().max(256))
    .default({})
    .describe("Tags (AWS) or labels (GCP) added to every cloud resource.");

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
        gkeInstallation: z
            .enum(["DEFAULT", "LATEST"])
            .optional()
            .describe("GCP: GKE driver installation channel (DEFAULT is fixed per GKE version)."),
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

const secretValue = z.string().min(1).describe("A secret: set it with `pulumi config set --secret`.");

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
                    .refine((hash) => hash !== UPSTREAM_DEX_PASSWORD_HASH, { error: "is the upstream example user's hash (password 12341234); generate your own bcrypt hash" })
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
        release: z.string().default("kubeflow-1.8.1").describe("Bill of materials to install (components/bom/<release>.yaml)."),
        acknowledgeKubernetesVersion: z
            .strictObject({
                version: kubernetesVersion,
                reason: z.string().trim().min(10, { error: "must say why this version is acceptable (10+ characters)" }).describe("Why running outside the release's window is acceptable."),
            })
            .optional()
            .describe("Run the release on a Kubernetes version outside its supported window; recorded as a warning in the plan."),
        gateway: z
            .strictObject({
                exposure: z
                    .enum(["clusterIP", "internalLoadBalancer"])
                    .optional()
                    .describe("clusterIP (reach it with kubectl port-forward; the default for testing and existing clusters) or an internal load balancer (the default for production on aws and gcp)."),
                hosts: z
                    .array(z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { error: "must be a DNS name such as kubeflow.example.com" }))
                    .min(1)
                    .default(["kubeflow.local"])
                    .describe("DNS names Kubeflow is served at over HTTPS; the gateway's certificate covers them."),
                issuer: z
                    .string()
                    .min(1)
                    .default("kubeflow-self-signing-issuer")
                    .describe("cert-manager ClusterIssuer of the gateway certificate (the default is Kubeflow's self-signing one)."),
            })
            .default({ hosts: ["kubeflow.local"], issuer: "kubeflow-self-signing-issuer" })
            .describe("How the Istio ingress gateway is exposed; never to the internet."),
    })
    .default({ release: "kubeflow-1.8.1", gateway: { hosts: ["kubeflow.local"], issuer: "kubeflow-self-signing-issuer" } })
    .describe("The Kubeflow install.");

const quantity = (example: string) =>
    z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti|Pi)?$/, { error: `must be a Kubernetes quantity such as ${example}` });

/** Namespaces of the platform itself: a tenant may not take one of these names. */
export const PLATFORM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "kubeflow", "istio-system", "auth", "cert-manager", "knative-serving", "knative-eventing", "monitoring"];

const tenant = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a DNS-1123 label (lowercase letters, digits and '-', at most 63) to name the tenant's namespace" })
        .refine((name) => !PLATFORM_NAMESPACES.includes(name), { error: "is a namespace of the platform itself; choose another tenant name" })
        .describe("Tenant name; also its namespace (the Kubeflow Profile's name)."),
    owner: z.email({ error: "must be the owner's email (the identity header Kubeflow sees)" }).describe("The tenant's owner: kubeflow-admin in its namespace."),
    members: z
        .array(
            z.strictObject({
                email: z.email({ error: "must be an email address" }),
                role: z.enum(["edit", "view"]),
            }),
        )
        .default([])
        .describe("People with edit or view access, recorded the way KFAM records them so the dashboard lists them."),
    quotas: z
        .strictObject({
            gpus: z.number().int().min(0).describe("requests.nvidia.com/gpu"),
            cpu: quantity("64").describe("requests.cpu"),
            memory: quantity("256Gi").describe("requests.memory"),
            storage: quantity("2Ti").describe("requests.storage"),
            pvcs: z.number().int().min(0).describe("count/persistentvolumeclaims"),
        })
        .describe("The tenant's ResourceQuota, through the Profile's resourceQuotaSpec."),
    containerDefaults: z
        .strictObject({
            cpuRequest: quantity("100m").default("100m"),
            memoryRequest: quantity("512Mi").default("512Mi"),
            memoryLimit: quantity("2Gi").default("2Gi"),
            memoryMin: quantity("64Mi").default("64Mi"),
        })
        .default({ cpuRequest: "100m", memoryRequest: "512Mi", memoryLimit: "2Gi", memoryMin: "64Mi" })
        .describe("LimitRange defaults for containers created at run time (pipeline steps, notebooks, training pods) that set none."),
    egress: z
        .strictObject({
            objectStorageCidrs: z.array(ipv4Cidr).default([]).describe("Cloud object-storage endpoints (HTTPS) the tenant's pods may reach; MinIO in kubeflow is always allowed."),
            cidrs: z.array(ipv4Cidr).default([]).describe("Other networks the tenant's pods may reach."),
        })
        .default({ objectStorageCidrs: [], cidrs: [] })
        .describe("Where the tenant's pods may connect beyond the platform."),
    labels: z.record(z.string(), z.string()).default({}).describe("Labels for the tenant's namespace."),
    readsFrom: z.array(z.string()).default([]).describe("Tenants whose namespaces this tenant's owner and members may read (view)."),
    sharedEditors: z
        .array(z.email())
        .default([])
        .describe("People who may hold edit here while also editing or owning another tenant (declared on every such tenant)."),
});

const tenancy = z
    .strictObject({
        apiServerCidrs: z
            .array(ipv4Cidr)
            .optional()
            .describe("Where tenant pods reach the Kubernetes API (default: the VPC CIDR on aws, the control plane's /28 on gcp)."),
    })
    .default({})
    .describe("Settings shared by all tenants.");

const airGap = z
    .strictObject({
        enabled: z.boolean().default(false).describe("Pull every image from the mirror registry; rewrite every reference to it."),
        registry: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
                error: "must be a registry host with an optional port and path, such as registry.enclave.example:5000/kubeflow",
            })
            .optional()
            .describe("The mirror's prefix: the registryPrefix output of the mirror stack (mirror/)."),
    })
    .default({ enabled: false })
    .describe("Air-gapped installs: images come only from a private mirror (npm run mirror -- bundle / push).");

const promDuration = z
    .string()
    .regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, { error: "must be a Prometheus duration such as 30m, 6h or 15d" });
const percent = z.number().min(0, { error: "must be a percentage from 0 to 100" }).max(100, { error: "must be a percentage from 0 to 100" });

const alertThresholds = z
    .strictObject({
        gpuIdleUtilizationPercent: percent.default(10).describe("A GPU allocated to a pod counts as idle below this utilization (DCGM_FI_DEV_GPU_UTIL)."),
        gpuIdleFor: promDuration.default("1h").describe("How long an allocated GPU must stay idle before the alert fires."),
        gpuMemoryUsedPercent: percent.default(95).describe("GPU memory (framebuffer) use that counts as nearly full."),
        nodeStorageFreePercent: percent.default(10).describe("Free space left on a node's NVMe / kubelet filesystem that counts as pressure."),
        pvcUsedPercent: percent.default(90).describe("Use of a PersistentVolumeClaim that counts as almost full."),
        certificateExpiryDays: z.number().int().min(1).default(14).describe("cert-manager certificates expiring within this many days alert."),
        apiServerP99Seconds: z.number().positive().default(1).describe("99th-percentile Kubernetes API request latency (non-watch) that alerts."),
        objectStoreP95Seconds: z.number().positive().default(2).describe("95th-percentile latency of requests to Pipelines' MinIO that alerts."),
        objectStoreErrorPercent: percent.default(5).describe("Share of MinIO requests answered with 5xx that alerts."),
    })
    .prefault({})
    .describe("Alert thresholds of kfstack's PrometheusRule.");

const alertRouting = z
    .strictObject({
        slack: z
            .strictObject({
                webhookUrl: secretValue.describe("The channel's incoming-webhook URL, as a secret."),
                channel: z.string().regex(/^#[-a-z0-9_.]+$/, { error: "must be a Slack channel such as #ml-platform-alerts" }).describe("Channel to post to."),
            })
            .optional()
            .describe("Post every alert (warning and critical) to a Slack channel."),
        pagerDuty: z
            .strictObject({ routingKey: secretValue.describe("Integration (routing) key of a PagerDuty Events API v2 service, as a secret.") })
            .optional()
            .describe("Page on critical alerts."),
        webhook: z
            .strictObject({ url: secretValue.describe("Receiver URL, as a secret (it may carry a token).") })
            .optional()
            .describe("POST every alert in Alertmanager's webhook format (in an enclave: the site's own alert gateway)."),
    })
    .optional()
    .describe("Where Alertmanager sends alerts; without it alerts are only visible in Alertmanager and Grafana.");

const monitoring = z
    .strictObject({
        enabled: z.boolean().default(true).describe("Install Prometheus, Alertmanager, Grafana and the exporters (kube-prometheus), GPU metrics and kfstack's alerts and dashboards."),
        retention: promDuration.default("15d").describe("How long Prometheus keeps samples."),
        storageSize: z
            .string()
            .regex(/^[0-9]+(Mi|Gi|Ti)$/, { error: "must be a size such as 100Gi" })
            .optional()
            .describe("Size of each Prometheus replica's PersistentVolumeClaim (default: 50Gi testing, 200Gi production)."),
        storageClass: z.string().min(1).optional().describe("StorageClass of the Prometheus volumes (default: the cluster's default class)."),
        prometheusMemoryLimit: z
            .string()
            .regex(/^[0-9]+(Mi|Gi)$/, { error: "must be a memory size such as 8Gi" })
            .optional()
            .describe("Memory limit of each Prometheus replica, requested at half (default: 4Gi testing, 16Gi production)."),
        grafanaAdminPassword: secretValue.optional().describe("Grafana's admin password; generated (a stack output, secret) when unset."),
        grafanaExposure: z
            .enum(["gateway", "portForward"])
            .default("gateway")
            .describe("gateway: Grafana at /grafana/ on the Kubeflow gateway, behind Kubeflow's login; portForward: only by kubectl port-forward."),
        devicePlugin: z
            .enum(["install", "provided"])
            .optional()
            .describe("NVIDIA device plugin on GPU nodes: install (default on aws) or provided by the platform (GKE always; default on existing clusters, which usually run the GPU operator)."),
        alerts: alertThresholds,
        alertRouting,
    })
    .prefault({})
    .describe("Monitoring: pinned kube-prometheus, GPU metrics (DCGM), kfstack's alerts and dashboards.");

export type AlertThresholds = z.infer<typeof alertThresholds>;
export type AlertRouting = NonNullable<z.infer<typeof alertRouting>>;

const common = {
    identity,
    kubeflow,
    airGap,
    tenants: z.array(tenant).default([]).describe("Teams as isolated Kubeflow Profiles."),
    tenancy,
    monitoring,
    manifestsDir: z.string().min(1).optional().describe("Directory of rendered manifests (npm run manifests -- pull); KFSTACK_MANIFESTS_DIR overrides it."),
    topology: z.enum(["testing", "production"]).describe("testing: 3 x 16 vCPU / 64 GiB / 950 GB NVMe; production: 6+ x 32 / 128 / 1,900 plus GPUs."),
    kubernetesVersion,
    clusterName: dnsLabel.optional().describe("Cluster name; defaults to kfstack-<stack>."),
    privateEndpoint,
    tags,
    cluster,
    allowUndersized,
};

const region = z.string().min(1).describe("Cloud region, e.g. us-west-2, us-gov-west-1 or us-central1.");
const zones = z
    .array(z.string().min(1))
    .min(2, { error: "needs at least 2 zones so the cluster survives the loss of one" })
    .describe("Availability zones in the region (at least 2).");

const awsNetwork = z
    .strictObject({
        vpcCidr: ipv4Cidr.optional().describe("CIDR of the VPC kfstack creates (default 10.0.0.0/16)."),
        natGateways: z.enum(["single", "perZone"]).optional().describe("NAT gateways: one (testing default) or one per zone (production default)."),
        existingVpc: z
            .strictObject({
                vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { error: "must be a VPC id such as vpc-0abc1234" }).describe("The VPC's id."),
                privateSubnetIds: z
                    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "must be a subnet id such as subnet-0abc1234" }))
                    .min(2, { error: "needs private subnets in at least 2 zones" })
                    .describe("One private subnet per zone, for nodes and the control plane's network interfaces."),
                routeTableIds: z
                    .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, { error: "must be a route table id such as rtb-0abc1234" }))
                    .min(1, { error: "needs the private subnets' route tables, to attach the S3 gateway endpoint" })
                    .describe("Route tables of the private subnets; kfstack adds the S3 gateway endpoint to them."),
            })
            .optional()
            .describe("Use this VPC instead of creating one."),
    })
    .default({})
    .describe("The VPC: created by kfstack, or an existing one.");

const awsSettings = z
    .strictObject({
        clusterAdmins: z
            .array(
                z.string().regex(/^arn:aws(-us-gov)?:iam::[0-9]{12}:(role|user)\/.+$/, {
                    error: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins",
                }),
            )
            .default([])
            .describe("IAM principals given cluster-admin through EKS access entries."),
        supportType: z.enum(["STANDARD", "EXTENDED"]).default("STANDARD").describe("EKS upgrade policy: STANDARD, or EXTENDED (paid) support."),
        logRetentionDays: z.number().int().min(1).default(90).describe("Retention of the control-plane log group."),
    })
    .default({ clusterAdmins: [], supportType: "STANDARD", logRetentionDays: 90 })
    .describe("EKS settings.");

const gcpNetwork = z
    .strictObject({
        subnetCidr: ipv4Cidr.default("10.10.0.0/20").describe("Primary range of the node subnet."),
        podsCidr: ipv4Cidr.default("10.16.0.0/14").describe("Secondary range for pods."),
        servicesCidr: ipv4Cidr.default("10.20.0.0/20").describe("Secondary range for services."),
        masterCidr: ipv4Cidr.default("172.16.0.0/28").describe("The control plane's /28."),
    })
    .default({
        subnetCidr: "10.10.0.0/20",
        podsCidr: "10.16.0.0/14",
        servicesCidr: "10.20.0.0/20",
        masterCidr: "172.16.0.0/28",
    });

const gcpSettings = z.strictObject({
    project: z
        .string()
        .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, {
            error: "must be a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
        })
        .describe("GCP project id."),
    releaseChannel: z
        .enum(["UNSPECIFIED", "RAPID", "REGULAR", "STABLE"])
        .default("REGULAR")
        .describe("GKE release channel; UNSPECIFIED pins kubernetesVersion with node auto-upgrade off."),
    deletionProtection: z.boolean().default(true).describe("Refuse to delete the cluster until turned off."),
}).describe("GKE settings.");

const awsStack = z.strictObject({
    cloud: z.literal("aws"),
    region,
    zones,
    network: awsNetwork,
    aws: awsSettings,
    ...common,
});

const gcpStack = z.strictObject({
    cloud: z.literal("gcp"),
    region,
    zones,
    network: gcpNetwork,
    gcp: gcpSettings,
    ...common,
});

const existingStack = z.strictObject({
    cloud: z.literal("existing"),
    existing: z
        .strictObject(
            {
                kubeconfig: z.string().min(1).describe("Path of the kubeconfig file (~ is expanded)."),
                context: z.string().min(1).describe("Context in that kubeconfig."),
            },
            { error: (issue) => (issue.input === undefined ? "is required for an existing cluster: set kubeconfig (a file path) and context" : undefined) },
        )
        .describe("The cluster to install into: on-prem, an air-gapped enclave, kind on a laptop."),
    ...common,
});

export const StackConfigSchema = z
    .discriminatedUnion("cloud", [awsStack, gcpStack, existingStack], {
        error: (issue) => {
            const cloud = typeof issue.input === "object" && issue.input !== null ? (issue.input as { cloud?: unknown }).cloud : undefined;
            return cloud === undefined ? "is required: aws, gcp or existing" : `must be aws, gcp or existing, not ${JSON.stringify(cloud)}`;
        },
    });

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
