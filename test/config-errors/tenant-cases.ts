// Stack-file cases of tenants' quotas and container defaults: units that make
// no sense for what they count, LimitRange defaults the API server would refuse
// halfway through `pulumi up`, and GPU quotas the pool can never hold. Each
// starts from a shipped stack and makes one change.
import { combined, set } from "../config-cases";
import type { StackCase } from "./cluster-cases";

const OVERCOMMIT =
    "the tenants' GPU quotas add up to 40 (vision 16, nlp 24), but the GPU pool holds at most 32 (cluster.gpuPool.maxNodes 4 × 8 a100-40gb of p4d.24xlarge)";

export const TENANT_CASES: StackCase[] = [
    {
        name: "rejects a memory quota in millibytes",
        base: "aws prod",
        change: set("tenants.0.quotas.memory", "512m"),
        key: "kfstack:tenants[0].quotas.memory",
        message: "512m is 0.512 bytes: m means thousandths; for mebibytes write Mi, such as 512Mi",
    },
    {
        name: "rejects a cpu quota with a byte multiplier",
        base: "aws prod",
        change: set("tenants.1.quotas.cpu", "4Gi"),
        key: "kfstack:tenants[1].quotas.cpu",
        message: "4Gi is 4294967296 cores: Gi is a byte multiplier; write cores such as 4 or millicores such as 500m",
    },
    {
        name: "rejects a default memory request that is a fraction of a byte",
        base: "aws prod",
        change: set("tenants.1.containerDefaults", { memoryRequest: "0.5" }),
        key: "kfstack:tenants[1].containerDefaults.memoryRequest",
        message: "0.5 is 0.5 bytes; a size is a whole number of bytes, such as 512Mi",
    },
    {
        name: "rejects a container cpu maximum with a byte multiplier",
        base: "aws prod",
        change: set("tenants.1.containerDefaults", { cpuMax: "16Gi" }),
        key: "kfstack:tenants[1].containerDefaults.cpuMax",
        message: "16Gi is 17179869184 cores: Gi is a byte multiplier; write cores such as 4 or millicores such as 500m",
    },
    {
        name: "rejects a default memory request above the default memory limit, which the API server would refuse during pulumi up",
        base: "aws prod",
        change: set("tenants.1.containerDefaults", { memoryRequest: "4Gi", memoryLimit: "2Gi" }),
        key: "kfstack:tenants[1].containerDefaults.memoryRequest",
        message:
            "is 4Gi, above memoryLimit 2Gi: the API server rejects a LimitRange whose default request exceeds its default limit; lower memoryRequest or raise memoryLimit",
    },
    {
        name: "rejects a memory minimum above the default memory request",
        base: "aws prod",
        change: set("tenants.0.containerDefaults.memoryMin", "2Gi"),
        key: "kfstack:tenants[0].containerDefaults.memoryMin",
        message:
            "is 2Gi, above memoryRequest 1Gi: the API server rejects a LimitRange whose minimum exceeds its default request; lower memoryMin or raise memoryRequest",
    },
    {
        name: "rejects a default memory limit above the container maximum",
        base: "aws prod",
        change: set("tenants.1.containerDefaults", { memoryLimit: "128Gi" }),
        key: "kfstack:tenants[1].containerDefaults.memoryLimit",
        message:
            "is 128Gi, above memoryMax 64Gi: the API server rejects a LimitRange whose default limit exceeds its maximum; lower memoryLimit or raise memoryMax",
    },
    {
        name: "rejects a default cpu request above the container maximum",
        base: "aws prod",
        change: set("tenants.1.containerDefaults", { cpuRequest: "32" }),
        key: "kfstack:tenants[1].containerDefaults.cpuRequest",
        message:
            "is 32, above cpuMax 16: the API server rejects a LimitRange whose default request exceeds its maximum (the default cpu limit); lower cpuRequest or raise cpuMax",
    },
    {
        name: "rejects a default cpu request of 0",
        base: "aws prod",
        change: set("tenants.1.containerDefaults", { cpuRequest: "0" }),
        key: "kfstack:tenants[1].containerDefaults.cpuRequest",
        message: "is 0; a default request must be more than 0, or containers that set none are placed as if they used nothing",
    },
    {
        name: "rejects GPU quotas that add up to more than the GPU pool can ever hold",
        base: "aws prod",
        change: set("tenants.1.quotas.gpus", 24),
        key: "kfstack:tenants",
        message: `ask for more GPUs than the cluster can ever have: ${OVERCOMMIT}. Lower the quotas, raise cluster.gpuPool.maxNodes, or set kfstack:tenancy.acknowledgeGpuOvercommit with a reason`,
    },
    {
        name: "rejects a GPU over-commit acknowledged without a reason",
        base: "aws prod",
        change: combined(set("tenants.1.quotas.gpus", 24), set("tenancy.acknowledgeGpuOvercommit", { reason: "ok" })),
        key: "kfstack:tenancy.acknowledgeGpuOvercommit.reason",
        message: "must say why the tenants may be promised more GPUs than the pool holds (10+ characters)",
    },
    {
        name: "rejects an acknowledgement of a GPU over-commit the quotas do not make",
        base: "aws prod",
        change: set("tenancy.acknowledgeGpuOvercommit", { reason: "The teams never train at the same time." }),
        key: "kfstack:tenancy.acknowledgeGpuOvercommit",
        message: "acknowledges a GPU over-commit, but the tenants' GPU quotas fit the GPU pool (24 of 32); remove it",
    },
    {
        name: "rejects a tenancy audit acknowledgement without a reason",
        base: "aws prod",
        change: set("tenancy.acknowledge", [{ finding: "shared-object-store-key", reason: "known" }]),
        key: "kfstack:tenancy.acknowledge[0].reason",
        message: "must say why the stack accepts this path between tenants (10+ characters)",
    },
];
