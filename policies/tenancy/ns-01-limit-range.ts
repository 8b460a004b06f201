// NS-01: every tenant namespace has a LimitRange giving containers a default memory limit and cpu request, and a maximum,
// in units that make sense and in the order the API server requires.
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { type QuantityUnit, parseQuantity, quantityUnitProblem } from "../../core/quantity";
import { kubernetesObjects, tenantsOf } from "../lib/tenants";
import { isRecord } from "../../core/records";

/** What a tenant's LimitRange must set for every Container: defaults mirroring MEM-01 for pods created at run time, and a maximum. */
const DEFAULTS = [
    { section: "default", resource: "memory", label: "default memory limit" },
    { section: "defaultRequest", resource: "cpu", label: "default cpu request" },
    { section: "max", resource: "memory", label: "maximum memory" },
    { section: "max", resource: "cpu", label: "maximum cpu" },
] as const;

const UNITS: Record<string, QuantityUnit> = { memory: "bytes", "ephemeral-storage": "bytes", cpu: "cores" };

/** LimitRange validation's order for each resource (pkg/apis/core/validation, ValidateLimitRange): the API server rejects any other. */
const ORDER = ["min", "defaultRequest", "default", "max"] as const;

/**
 * What the API server would take but makes no sense in a Container limit: a quantity in a unit its resource is not
 * counted in ("512m" of memory), and values out of min ≤ defaultRequest ≤ default ≤ max (the first pair per resource).
 */
function limitProblems(limit: Record<string, unknown>): string[] {
    const value = (section: string, resource: string) => {
        const entries = limit[section];
        const raw = isRecord(entries) ? entries[resource] : undefined;
        return typeof raw === "string" || typeof raw === "number" ? { raw, parsed: parseQuantity(raw) } : undefined;
    };
    const resources = new Set(ORDER.flatMap((section) => (isRecord(limit[section]) ? Object.keys(limit[section]) : [])));
    const units = ORDER.flatMap((section) =>
        [...resources].flatMap((resource) => {
            const found = value(section, resource);
            const problem = found && UNITS[resource] ? quantityUnitProblem(found.raw, UNITS[resource]) : undefined;
            return problem ? [`${section}.${resource} to ${JSON.stringify(found!.raw)}: ${problem}`] : [];
        }),
    );
    const order = [...resources].flatMap((resource) => {
        for (const [index, lower] of ORDER.entries()) {
            for (const higher of ORDER.slice(index + 1)) {
                const [low, high] = [value(lower, resource), value(higher, resource)];
                if (low?.parsed !== undefined && high?.parsed !== undefined && low.parsed > high.parsed)
                    return [
                        `${lower}.${resource} ${low.raw} above ${higher}.${resource} ${high.raw}; the API server rejects it (min ≤ defaultRequest ≤ default ≤ max): lower the first or raise the second`,
                    ];
            }
        }
        return [];
    });
    return [...units, ...order];
}

function containerLimits(props: Record<string, unknown>): Record<string, unknown>[] {
    const spec = props["spec"];
    const limits = isRecord(spec) && Array.isArray(spec["limits"]) ? (spec["limits"] as unknown[]) : [];
    return limits.filter(isRecord).filter((limit) => limit["type"] === "Container");
}

export const tenantLimitRange = stackPolicy({
    id: "NS-01",
    slug: "limit-range",
    description:
        "Every tenant namespace has a LimitRange whose Container limits set a default memory limit (default.memory), a default cpu request (defaultRequest.cpu) and a maximum memory and cpu (max), as quantities of bytes and cores, with min ≤ defaultRequest ≤ default ≤ max.",
    reason: "Notebooks, pipeline steps and training pods are created at run time, outside kfstack's manifests: without a LimitRange default a container without a memory limit can take a node's memory and get every pod on it killed, and without a maximum one container can take a whole node. The API server rejects a LimitRange out of order only when it is applied, halfway through an update.",
    remediation:
        "Add a LimitRange to the tenant namespace with a limits entry of type Container setting default.memory (e.g. 2Gi), defaultRequest.cpu (e.g. 100m) and max.memory and max.cpu (e.g. 64Gi and 16), each request at most its limit; a pod that declares its own resources keeps them.",
    validateStack: (args, reportViolation) => {
        const limitRanges = kubernetesObjects(args.resources, ["LimitRange"]).filter((object) => object.group === "");
        for (const tenant of tenantsOf(args.resources)) {
            const own = limitRanges.filter((limitRange) => limitRange.namespace === tenant.namespace);
            if (own.length === 0) {
                reportViolation(
                    `Tenant namespace "${tenant.namespace}" has no LimitRange; add one with a Container limit setting default.memory, defaultRequest.cpu and max, so pods created at run time get a memory limit and a cpu request and no container outgrows its share.`,
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
            for (const limitRange of own) {
                for (const problem of containerLimits(limitRange.props).flatMap(limitProblems))
                    reportViolation(`${describeResource("LimitRange", limitRange.props, limitRange.resource.name)} sets ${problem}.`, limitRange.resource.urn);
            }
        }
    },
});
