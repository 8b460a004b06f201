// The tenants of a stack and the settings they share: `kfstack:tenants` and
// `kfstack:tenancy`. Cross-field rules (sums against the GPU pool, defaults
// against limits) are in components/tenancy/rules.ts.
import { z } from "zod";
import { ipv4Cidr, quantity } from "./fields";

/** Namespaces of the platform itself: a tenant may not take one of these names. */
export const PLATFORM_NAMESPACES = [
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "kubeflow",
    "istio-system",
    "auth",
    "cert-manager",
    "knative-serving",
    "knative-eventing",
    "monitoring",
];

const quotas = z
    .strictObject({
        gpus: z.number().int().min(0).describe("requests.nvidia.com/gpu"),
        cpu: quantity("cores", "64").describe("requests.cpu"),
        memory: quantity("bytes", "256Gi").describe("requests.memory"),
        storage: quantity("bytes", "2Ti").describe("requests.storage"),
        pvcs: z.number().int().min(0).describe("count/persistentvolumeclaims"),
        limitsMemory: quantity("bytes", "256Gi")
            .optional()
            .describe("limits.memory; defaults to memory: memory cannot be taken back, so containers are promised no more than the tenant's share."),
        pods: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe("pods; defaults to as many pods as the cpu and memory quotas hold at the container defaults' requests."),
        ephemeralStorage: quantity("bytes", "256Gi")
            .optional()
            .describe(
                "requests.ephemeral-storage (node-local scratch); defaults to memory, as the topology presets give every node more local disk than memory.",
            ),
        loadBalancers: z
            .number()
            .int()
            .min(0)
            .default(0)
            .describe("services.loadbalancers; users reach tenants through the Kubeflow gateway. services.nodeports is always 0 (NET-03)."),
    })
    .describe("The tenant's ResourceQuota, through the Profile's resourceQuotaSpec.");

const containerDefaults = z
    .strictObject({
        cpuRequest: quantity("cores", "100m").default("100m"),
        memoryRequest: quantity("bytes", "512Mi").default("512Mi"),
        memoryLimit: quantity("bytes", "2Gi").default("2Gi"),
        memoryMin: quantity("bytes", "64Mi").default("64Mi"),
        cpuMax: quantity("cores", "16")
            .default("16")
            .describe("max.cpu: the most cpu one container may have; also its cpu limit when it sets none (Kubernetes defaults the limit to the max)."),
        memoryMax: quantity("bytes", "64Gi").default("64Gi").describe("max.memory: the most memory one container may have."),
    })
    .default({ cpuRequest: "100m", memoryRequest: "512Mi", memoryLimit: "2Gi", memoryMin: "64Mi", cpuMax: "16", memoryMax: "64Gi" })
    .describe("LimitRange defaults and maximums for containers created at run time (pipeline steps, notebooks, training pods).");

export const tenant = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
            error: "must be a DNS-1123 label (lowercase letters, digits and '-', at most 63) to name the tenant's namespace",
        })
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
    quotas,
    containerDefaults,
    egress: z
        .strictObject({
            objectStorageCidrs: z
                .array(ipv4Cidr)
                .default([])
                .describe("Cloud object-storage endpoints (HTTPS) the tenant's pods may reach; MinIO in kubeflow is always allowed."),
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

export const tenancy = z
    .strictObject({
        apiServerCidrs: z
            .array(ipv4Cidr)
            .optional()
            .describe("Where tenant pods reach the Kubernetes API (default: the VPC's CIDR blocks on aws, the control plane's /28 on gcp)."),
        acknowledgeGpuOvercommit: z
            .strictObject({
                reason: z
                    .string()
                    .trim()
                    .min(10, { error: "must say why the tenants may be promised more GPUs than the pool holds (10+ characters)" })
                    .describe("Why the tenants' GPU quotas may add up to more than the GPU pool's maximum."),
            })
            .optional()
            .describe("Let the tenants' GPU quotas add up to more than the GPU pool can ever hold; recorded as a warning in the plan."),
        acknowledge: z
            .array(
                z.strictObject({
                    finding: z
                        .string()
                        .min(1)
                        .describe("The stable id of a tenancy audit finding, as `npm run audit` prints it (e.g. shared-object-store-key)."),
                    reason: z
                        .string()
                        .trim()
                        .min(10, { error: "must say why the stack accepts this path between tenants (10+ characters)" })
                        .describe("Why the path is accepted, and until when."),
                }),
            )
            .default([])
            .describe(
                "Tenancy audit findings the stack accepts knowingly (known platform limitations): shown as acknowledged by the audit and as plan warnings; one that matches no finding fails the audit.",
            ),
    })
    .default({ acknowledge: [] })
    .describe("Settings shared by all tenants.");
