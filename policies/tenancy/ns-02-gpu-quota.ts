// NS-02: every tenant namespace has a ResourceQuota that caps GPUs (requests.nvidia.com/gpu), memory limits and pods.
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { parseQuantity } from "../../core/quantity";
import { kubernetesObjects, tenantsOf } from "../lib/tenants";
import { isRecord } from "../../core/records";
import { GPU_RESOURCE } from "../../core/gpu";

export const GPU_QUOTA = `requests.${GPU_RESOURCE}`;

interface Quota {
    /** `ResourceQuota "team-a/compute"` or `Profile "team-a" spec.resourceQuotaSpec`. */
    what: string;
    urn: string;
    spec: Record<string, unknown>;
}

/** A quota with scopes or a scope selector caps only the pods they select, not the namespace. */
function isScoped(spec: Record<string, unknown>): boolean {
    return (Array.isArray(spec["scopes"]) && spec["scopes"].length > 0) || spec["scopeSelector"] !== undefined;
}

function hardLimit(spec: Record<string, unknown>, key: string): unknown {
    const hard = spec["hard"];
    return isRecord(hard) ? hard[key] : undefined;
}

const gpuLimit = (spec: Record<string, unknown>) => hardLimit(spec, GPU_QUOTA);

/** What else a tenant's quota must cap to protect its neighbours, and why. */
const NEIGHBOUR_QUOTAS = [
    { key: "limits.memory", why: "so its containers are not promised more memory than its share (memory cannot be taken back)" },
    { key: "pods", why: "so one tenant cannot fill the nodes' pod slots and addresses" },
];

/** The keys of NEIGHBOUR_QUOTAS no unscoped quota of the namespace caps. */
function uncapped(quotas: Quota[]): typeof NEIGHBOUR_QUOTAS {
    return NEIGHBOUR_QUOTAS.filter(({ key }) => !quotas.some((quota) => !isScoped(quota.spec) && hardLimit(quota.spec, key) !== undefined));
}

export const tenantGpuQuota = stackPolicy({
    id: "NS-02",
    slug: "gpu-quota",
    description: `Every tenant namespace has an unscoped ResourceQuota that sets ${GPU_QUOTA} to a whole number of GPUs and caps limits.memory and pods; a Kubeflow Profile's spec.resourceQuotaSpec counts as its namespace's ResourceQuota (the profile controller creates it).`,
    reason: "Without a GPU quota one tenant's training jobs or notebooks can hold every GPU of the cluster and starve the other tenants, and nothing bounds the bill of a scale-to-zero GPU pool; without limits.memory a tenant's containers may together be promised more memory than its share and get neighbours' pods killed, and without pods one tenant can fill every node's pod slots.",
    remediation: `Set spec.resourceQuotaSpec.hard on the tenant's Profile (or add a ResourceQuota to its namespace) without scopes: "${GPU_QUOTA}" (the tenant's GPU share, "0" for a tenant without GPUs), "limits.memory" and "pods".`,
    validateStack: (args, reportViolation) => {
        const resourceQuotas = kubernetesObjects(args.resources, ["ResourceQuota"]).filter((object) => object.group === "");
        for (const tenant of tenantsOf(args.resources)) {
            const quotas: Quota[] = resourceQuotas
                .filter((quota) => quota.namespace === tenant.namespace && isRecord(quota.props["spec"]))
                .map((quota) => ({
                    what: describeResource("ResourceQuota", quota.props, quota.resource.name),
                    urn: quota.resource.urn,
                    spec: quota.props["spec"] as Record<string, unknown>,
                }));
            const profileSpec = isRecord(tenant.profile?.["spec"]) ? tenant.profile["spec"]["resourceQuotaSpec"] : undefined;
            if (isRecord(profileSpec)) quotas.unshift({ what: `${tenant.what} spec.resourceQuotaSpec`, urn: tenant.urn, spec: profileSpec });

            if (quotas.length === 0) {
                reportViolation(
                    `Tenant namespace "${tenant.namespace}" has no ResourceQuota; set spec.resourceQuotaSpec.hard on ${tenant.profile ? tenant.what : "its Profile"} (or add a ResourceQuota) with "${GPU_QUOTA}" ("0" for a tenant without GPUs), "limits.memory" and "pods".`,
                    tenant.urn,
                );
                continue;
            }
            for (const { key, why } of uncapped(quotas)) {
                reportViolation(
                    `The ResourceQuotas of tenant namespace "${tenant.namespace}" (${quotas.map((quota) => quota.what).join(", ")}) do not cap ${key}; add hard["${key}"] without scopes, ${why}.`,
                    quotas[0]!.urn,
                );
            }
            const capping = quotas.filter((quota) => !isScoped(quota.spec) && gpuLimit(quota.spec) !== undefined);
            if (capping.length === 0) {
                const scoped = quotas.filter((quota) => gpuLimit(quota.spec) !== undefined);
                reportViolation(
                    scoped.length > 0
                        ? `${scoped[0]!.what} caps ${GPU_QUOTA} only for the pods its scopes select; set it on a ResourceQuota without scopes, so it caps every pod of tenant namespace "${tenant.namespace}".`
                        : `The ResourceQuotas of tenant namespace "${tenant.namespace}" (${quotas.map((quota) => quota.what).join(", ")}) do not cap GPUs; add hard["${GPU_QUOTA}"], "0" for a tenant without GPUs.`,
                    (scoped[0] ?? quotas[0]!).urn,
                );
                continue;
            }
            for (const quota of capping) {
                const value = gpuLimit(quota.spec);
                const count = typeof value === "string" || typeof value === "number" ? parseQuantity(value) : undefined;
                if (count !== undefined && count >= 0 && Number.isInteger(count)) continue;
                reportViolation(
                    `${quota.what} sets ${GPU_QUOTA} to ${JSON.stringify(value)}, which is not a whole number of GPUs; set a count such as "4", or "0" for a tenant without GPUs.`,
                    quota.urn,
                );
            }
        }
    },
});
