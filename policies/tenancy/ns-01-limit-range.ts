// NS-01: every tenant namespace has a LimitRange giving containers a default memory limit and cpu request.
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { parseQuantity } from "../../core/quantity";
import { kubernetesObjects, tenantsOf } from "../lib/tenants";
import { isRecord } from "../../core/records";

/** What a tenant's LimitRange must default for every Container, mirroring MEM-01 for pods created at run time. */
const DEFAULTS = [
    { section: "default", resource: "memory", label: "default memory limit" },
    { section: "defaultRequest", resource: "cpu", label: "default cpu request" },
] as const;

function containerLimits(props: Record<string, unknown>): Record<string, unknown>[] {
    const spec = props["spec"];
    const limits = isRecord(spec) && Array.isArray(spec["limits"]) ? (spec["limits"] as unknown[]) : [];
    return limits.filter(isRecord).filter((limit) => limit["type"] === "Container");
}

export const tenantLimitRange = stackPolicy({
    id: "NS-01",
    slug: "limit-range",
    description:
        "Every tenant namespace has a LimitRange whose Container limits set a default memory limit (default.memory) and a default cpu request (defaultRequest.cpu).",
    reason: "Notebooks, pipeline steps and training pods are created at run time, outside kfstack's manifests: without a LimitRange default a container without a memory limit can take a node's memory and get every pod on it killed.",
    remediation:
        "Add a LimitRange to the tenant namespace with a limits entry of type Container setting default.memory (e.g. 2Gi) and defaultRequest.cpu (e.g. 100m); a pod that declares its own resources keeps them.",
    validateStack: (args, reportViolation) => {
        const limitRanges = kubernetesObjects(args.resources, ["LimitRange"]).filter((object) => object.group === "");
        for (const tenant of tenantsOf(args.resources)) {
            const own = limitRanges.filter((limitRange) => limitRange.namespace === tenant.namespace);
            if (own.length === 0) {
                reportViolation(
                    `Tenant namespace "${tenant.namespace}" has no LimitRange; add one with a Container limit setting default.memory and defaultRequest.cpu, so pods created at run time get a memory limit and a cpu request.`,
                    tenant.urn,
                );
                continue;
            }
            for (const { section, resource, label } of DEFAULTS) {
                const values = own.flatMap((limitRange) =>
                    containerLimits(limitRange.props).flatMap((limit) => {
                        const entries = limit[section];
                        return isRecord(entries) && entries[resource] !== undefined ? [{ limitRange, value: entries[resource] }] : [];
                    }),
                );
                const what = own.map((limitRange) => describeResource("LimitRange", limitRange.props, limitRange.resource.name)).join(", ");
                if (values.length === 0) {
                    reportViolation(
                        `${what} in tenant namespace "${tenant.namespace}" sets no ${label} for containers; set ${section}.${resource} on a limit of type Container.`,
                        own[0]!.resource.urn,
                    );
                }
                for (const { limitRange, value } of values) {
                    if ((typeof value === "string" || typeof value === "number") && parseQuantity(value) !== undefined) continue;
                    reportViolation(
                        `${describeResource("LimitRange", limitRange.props, limitRange.resource.name)} sets the ${label} ${section}.${resource} to ${JSON.stringify(value)}, which is not a quantity; use a value such as ${resource === "memory" ? "2Gi" : "100m"}.`,
                        limitRange.resource.urn,
                    );
                }
            }
        }
    },
});
