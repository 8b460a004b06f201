import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { tenantLimitRange } from "../../policies/tenancy/ns-01-limit-range";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { at, limitRange, namespace, tenantNamespace, twoTenants } from "./fixtures-tenancy";

const tenants = twoTenants();
const LIMIT = [at(tenants, "LimitRange", "team-a/defaults"), "props", "spec", "limits", 0];

describe("NS-01 tenant LimitRange", () => {
    it("accepts tenants whose LimitRange gives containers a default memory limit and cpu request, and a maximum", async () => {
        expect(await violationsOf(tenantLimitRange, tenants)).toEqual([]);
    });

    it("rejects a tenant namespace without a LimitRange, reported on its Profile", async () => {
        const bad = tenants.filter((_, index) => index !== LIMIT[0]);
        expect(await violationsOf(tenantLimitRange, bad)).toEqual([
            mandatoryViolation(
                { policy: "ns-01-limit-range", id: "NS-01" },
                tenants[at(tenants, "Profile", "team-a")]!,
                'Tenant namespace "team-a" has no LimitRange; add one with a Container limit setting default.memory, defaultRequest.cpu and max, so pods created at run time get a memory limit and a cpu request and no container outgrows its share.',
            ),
        ]);
    });

    it("rejects a LimitRange without a default memory limit", async () => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "default"], undefined))).toEqual([
            'LimitRange "team-a/defaults" in tenant namespace "team-a" sets no default memory limit for containers; set default.memory on a limit of type Container.',
        ]);
    });

    it("rejects a LimitRange without a default cpu request", async () => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "defaultRequest", "cpu"], undefined))).toEqual([
            'LimitRange "team-a/defaults" in tenant namespace "team-a" sets no default cpu request for containers; set defaultRequest.cpu on a limit of type Container.',
        ]);
    });

    it.each([
        ["memory", "maximum memory"],
        ["cpu", "maximum cpu"],
    ])("rejects a LimitRange without a max.%s", async (resource, label) => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "max", resource], undefined))).toEqual([
            `LimitRange "team-a/defaults" in tenant namespace "team-a" sets no ${label} for containers; set max.${resource} on a limit of type Container.`,
        ]);
    });

    it("rejects a memory minimum in millibytes, which the API server accepts", async () => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "min"], { memory: "64m" }))).toEqual([
            'LimitRange "team-a/defaults" sets min.memory to "64m": 64m is 0.064 bytes: m means thousandths; for mebibytes write Mi, such as 64Mi.',
        ]);
    });

    it("rejects a cpu maximum with a byte multiplier", async () => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "max", "cpu"], "4Gi"))).toEqual([
            'LimitRange "team-a/defaults" sets max.cpu to "4Gi": 4Gi is 4294967296 cores: Gi is a byte multiplier; write cores such as 4 or millicores such as 500m.',
        ]);
    });

    it.each([
        ["a default request above the default limit", "defaultRequest", "4Gi", "defaultRequest.memory 4Gi above default.memory 2Gi"],
        ["a default limit above the maximum", "default", "128Gi", "default.memory 128Gi above max.memory 64Gi"],
        ["a minimum above the default request", "min", "1Gi", "min.memory 1Gi above defaultRequest.memory 512Mi"],
    ])("rejects %s, which the API server refuses halfway through an update", async (_name, section, value, pair) => {
        const limit = tenants[LIMIT[0] as number]!.props["spec"] as { limits: Record<string, Record<string, string>>[] };
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, section], { ...limit.limits[0]![section], memory: value }))).toEqual([
            `LimitRange "team-a/defaults" sets ${pair}; the API server rejects it (min ≤ defaultRequest ≤ default ≤ max): lower the first or raise the second.`,
        ]);
    });

    it("counts only limits of type Container", async () => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "type"], "PersistentVolumeClaim"))).toHaveLength(4);
    });

    it("accepts the defaults spread over two LimitRanges", async () => {
        const split = changed(tenants, [...LIMIT, "defaultRequest"], undefined);
        const second = changed(limitRange("team-a"), ["props", "metadata", "name"], "cpu");
        expect(await messagesOf(tenantLimitRange, [...split, changed(second, ["props", "spec", "limits", 0, "default"], undefined)])).toEqual([]);
    });

    it.each([["2Gi"], ["2048Mi"], ["2147483648"], ["2e9"], [1073741824]])("accepts the memory quantity %s", async (quantity) => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "default", "memory"], quantity))).toEqual([]);
    });

    it.each([["2 GiB"], ["lots"], [""]])("rejects %j, which is not a quantity", async (quantity) => {
        expect(await messagesOf(tenantLimitRange, changed(tenants, [...LIMIT, "default", "memory"], quantity))).toEqual([
            `LimitRange "team-a/defaults" sets the default memory limit default.memory to ${JSON.stringify(quantity)}, which is not a quantity; use a value such as 2Gi.`,
        ]);
    });

    it("finds tenants declared by a labelled Namespace and leaves other namespaces alone", async () => {
        expect(await messagesOf(tenantLimitRange, [tenantNamespace("team-c", "carol@example.com"), namespace("kubeflow")])).toEqual([
            'Tenant namespace "team-c" has no LimitRange; add one with a Container limit setting default.memory, defaultRequest.cpu and max, so pods created at run time get a memory limit and a cpu request and no container outgrows its share.',
        ]);
    });

    it("passes a stack without tenants", async () => {
        expect(await messagesOf(tenantLimitRange, [namespace("kubeflow")])).toEqual([]);
    });

    it("is undecided while a default is unknown", async () => {
        expect((await undecidedOf(tenantLimitRange, changed(tenants, [...LIMIT, "default"], Unknown.instance))).map((entry) => entry.policy)).toEqual([
            "ns-01-limit-range",
        ]);
    });
});
