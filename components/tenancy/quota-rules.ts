// Rules of the tenants' quotas and container defaults that the API server
// would only enforce halfway through `pulumi up` (a LimitRange whose default
// request exceeds its default limit is rejected), or never (GPU quotas that
// add up to more than the pool can ever hold). They run inside the config parse.
import type { NodePoolFacts } from "../../core/facts";
import { parseQuantity } from "../../core/quantity";
import type { StackConfig, TenantConfig } from "../config/schema";
import type { ConfigProblem } from "../config/topology";

type Defaults = TenantConfig["containerDefaults"];

/** LimitRange validation's order for each resource: min ≤ defaultRequest ≤ default ≤ max (pkg/apis/core/validation, ValidateLimitRange). */
const ORDER: { lower: keyof Defaults; higher: keyof Defaults; what: string }[] = [
    { lower: "memoryMin", higher: "memoryRequest", what: "minimum exceeds its default request" },
    { lower: "memoryRequest", higher: "memoryLimit", what: "default request exceeds its default limit" },
    { lower: "memoryLimit", higher: "memoryMax", what: "default limit exceeds its maximum" },
    // With no default.cpu the default cpu limit is max.cpu, so the request is held to the max.
    { lower: "cpuRequest", higher: "cpuMax", what: "default request exceeds its maximum (the default cpu limit)" },
];

function containerDefaultProblems(defaults: Defaults, path: (string | number)[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const key of ["cpuRequest", "memoryRequest"] as const) {
        if (parseQuantity(defaults[key]) === 0)
            problems.push({
                path: [...path, key],
                message: "is 0; a default request must be more than 0, or containers that set none are placed as if they used nothing",
            });
    }
    for (const { lower, higher, what } of ORDER) {
        const [low, high] = [parseQuantity(defaults[lower]), parseQuantity(defaults[higher])];
        if (low === undefined || high === undefined || low <= high) continue;
        problems.push({
            path: [...path, lower],
            message: `is ${defaults[lower]}, above ${higher} ${defaults[higher]}: the API server rejects a LimitRange whose ${what}; lower ${lower} or raise ${higher}`,
        });
    }
    return problems;
}

/** How far the tenants' GPU quotas exceed what the GPU pool holds at its maximum size; undefined when they fit or there is no pool. */
export function gpuOvercommit(config: StackConfig, gpuPool: NodePoolFacts | undefined): { requested: number; capacity: number; detail: string } | undefined {
    if (!gpuPool?.gpu) return undefined;
    const requested = config.tenants.reduce((sum, tenant) => sum + tenant.quotas.gpus, 0);
    const capacity = gpuPool.maxNodes * gpuPool.gpu.count;
    if (requested <= capacity) return undefined;
    const shares = config.tenants.filter((tenant) => tenant.quotas.gpus > 0).map((tenant) => `${tenant.name} ${tenant.quotas.gpus}`);
    const node = `${gpuPool.gpu.count} ${gpuPool.gpu.model}${gpuPool.instanceType ? ` of ${gpuPool.instanceType}` : " per node"}`;
    return {
        requested,
        capacity,
        detail: `the tenants' GPU quotas add up to ${requested} (${shares.join(", ")}), but the GPU pool holds at most ${capacity} (cluster.gpuPool.maxNodes ${gpuPool.maxNodes} × ${node})`,
    };
}

export function quotaProblems(config: StackConfig, gpuPool: NodePoolFacts | undefined): ConfigProblem[] {
    const problems = config.tenants.flatMap((tenant, index) => containerDefaultProblems(tenant.containerDefaults, ["tenants", index, "containerDefaults"]));
    const overcommit = gpuOvercommit(config, gpuPool);
    const acknowledged = config.tenancy.acknowledgeGpuOvercommit;
    if (overcommit && !acknowledged)
        problems.push({
            path: ["tenants"],
            message: `ask for more GPUs than the cluster can ever have: ${overcommit.detail}. Lower the quotas, raise cluster.gpuPool.maxNodes, or set kfstack:tenancy.acknowledgeGpuOvercommit with a reason`,
        });
    if (!overcommit && acknowledged && gpuPool?.gpu)
        problems.push({
            path: ["tenancy", "acknowledgeGpuOvercommit"],
            message: `acknowledges a GPU over-commit, but the tenants' GPU quotas fit the GPU pool (${config.tenants.reduce((sum, tenant) => sum + tenant.quotas.gpus, 0)} of ${gpuPool.maxNodes * gpuPool.gpu.count}); remove it`,
        });
    return problems;
}
