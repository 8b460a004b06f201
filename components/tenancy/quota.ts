// What bounds one tenant's share of the cluster: the Profile's ResourceQuota
// (requests and limits, counts of pods, volumes and load balancers) and the
// LimitRange that gives containers created at run time requests, limits and
// a maximum. The quota keys a stack does not set are derived from those it sets.
import { GPU_RESOURCE } from "../../core/gpu";
import { parseQuantity } from "../../core/quantity";
import type { TenantConfig } from "../config/schema";

/** The pods the cpu and memory quotas hold when every container asks for the defaults (rules.ts keeps both requests above 0). */
export function defaultPodQuota(tenant: TenantConfig): number {
    const { quotas, containerDefaults } = tenant;
    const fits = (quota: string, request: string) => Math.floor(parseQuantity(quota)! / parseQuantity(request)!);
    return Math.max(1, Math.min(fits(quotas.cpu, containerDefaults.cpuRequest), fits(quotas.memory, containerDefaults.memoryRequest)));
}

/** spec.resourceQuotaSpec.hard of the tenant's Profile. */
export function resourceQuotaHard(tenant: TenantConfig): Record<string, string> {
    const { quotas } = tenant;
    return {
        "requests.cpu": quotas.cpu,
        "requests.memory": quotas.memory,
        "limits.memory": quotas.limitsMemory ?? quotas.memory,
        [`requests.${GPU_RESOURCE}`]: String(quotas.gpus),
        "requests.storage": quotas.storage,
        "requests.ephemeral-storage": quotas.ephemeralStorage ?? quotas.memory,
        "count/persistentvolumeclaims": String(quotas.pvcs),
        pods: String(quotas.pods ?? defaultPodQuota(tenant)),
        "services.loadbalancers": String(quotas.loadBalancers),
        // NET-03 forbids NodePort Services: the quota refuses them in tenant namespaces too.
        "services.nodeports": "0",
    };
}

/** The LimitRange's limit for Containers; with max.cpu and no default.cpu, Kubernetes defaults the cpu limit to the max (SetDefaults_LimitRangeItem). */
export function containerLimits(tenant: TenantConfig): Record<string, unknown> {
    const { containerDefaults } = tenant;
    return {
        type: "Container",
        default: { memory: containerDefaults.memoryLimit },
        defaultRequest: { memory: containerDefaults.memoryRequest, cpu: containerDefaults.cpuRequest },
        min: { memory: containerDefaults.memoryMin },
        max: { memory: containerDefaults.memoryMax, cpu: containerDefaults.cpuMax },
    };
}
