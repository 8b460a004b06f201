import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { tenantGpuQuota } from "../../policies/tenancy/ns-02-gpu-quota";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { at, resourceQuota, tenantNamespace, twoTenants } from "./fixtures-tenancy";

const tenants = twoTenants();
const PROFILE = at(tenants, "Profile", "team-a");
const QUOTA = [PROFILE, "props", "spec", "resourceQuotaSpec"];
const GPU = [...QUOTA, "hard", "requests.nvidia.com/gpu"];
const withoutProfileQuota = () => changed(tenants, QUOTA, undefined);

describe("NS-02 tenant quota", () => {
    it("accepts Profiles whose resourceQuotaSpec caps GPUs, memory limits and pods", async () => {
        expect(await violationsOf(tenantGpuQuota, tenants)).toEqual([]);
    });

    it("rejects a tenant without any ResourceQuota, reported on its Profile", async () => {
        expect(await violationsOf(tenantGpuQuota, withoutProfileQuota())).toEqual([
            mandatoryViolation(
                { policy: "ns-02-gpu-quota", id: "NS-02" },
                tenants[PROFILE]!,
                'Tenant namespace "team-a" has no ResourceQuota; set spec.resourceQuotaSpec.hard on Profile "team-a" (or add a ResourceQuota) with "requests.nvidia.com/gpu" ("0" for a tenant without GPUs), "limits.memory" and "pods".',
            ),
        ]);
    });

    it("rejects quotas that do not cap GPUs, naming each of them", async () => {
        const bad = [...changed(tenants, GPU, undefined), resourceQuota("team-a", { pods: "50" })];
        expect(await messagesOf(tenantGpuQuota, bad)).toEqual([
            'The ResourceQuotas of tenant namespace "team-a" (Profile "team-a" spec.resourceQuotaSpec, ResourceQuota "team-a/compute") do not cap GPUs; add hard["requests.nvidia.com/gpu"], "0" for a tenant without GPUs.',
        ]);
    });

    it("rejects a quota without limits.memory, which lets containers be promised more memory than the tenant's share", async () => {
        expect(await messagesOf(tenantGpuQuota, changed(tenants, [...QUOTA, "hard", "limits.memory"], undefined))).toEqual([
            'The ResourceQuotas of tenant namespace "team-a" (Profile "team-a" spec.resourceQuotaSpec) do not cap limits.memory; add hard["limits.memory"] without scopes, so its containers are not promised more memory than its share (memory cannot be taken back).',
        ]);
    });

    it("rejects a quota without pods", async () => {
        expect(await messagesOf(tenantGpuQuota, changed(tenants, [...QUOTA, "hard", "pods"], undefined))).toEqual([
            'The ResourceQuotas of tenant namespace "team-a" (Profile "team-a" spec.resourceQuotaSpec) do not cap pods; add hard["pods"] without scopes, so one tenant cannot fill the nodes\' pod slots and addresses.',
        ]);
    });

    it("accepts memory limits and pods capped by a second ResourceQuota in the namespace", async () => {
        const profileWithGpusOnly = changed(changed(tenants, [...QUOTA, "hard", "limits.memory"], undefined), [...QUOTA, "hard", "pods"], undefined);
        expect(await messagesOf(tenantGpuQuota, [...profileWithGpusOnly, resourceQuota("team-a", { "limits.memory": "64Gi", pods: "100" })])).toEqual([]);
    });

    it("accepts a ResourceQuota in the namespace instead of the Profile's", async () => {
        expect(await messagesOf(tenantGpuQuota, [...withoutProfileQuota(), resourceQuota("team-a")])).toEqual([]);
    });

    it("does not count a scoped quota, which caps only the pods it selects", async () => {
        const scoped = changed(tenants, [...QUOTA, "scopeSelector"], { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] });
        expect(await messagesOf(tenantGpuQuota, scoped)).toEqual([
            'The ResourceQuotas of tenant namespace "team-a" (Profile "team-a" spec.resourceQuotaSpec) do not cap limits.memory; add hard["limits.memory"] without scopes, so its containers are not promised more memory than its share (memory cannot be taken back).',
            'The ResourceQuotas of tenant namespace "team-a" (Profile "team-a" spec.resourceQuotaSpec) do not cap pods; add hard["pods"] without scopes, so one tenant cannot fill the nodes\' pod slots and addresses.',
            'Profile "team-a" spec.resourceQuotaSpec caps requests.nvidia.com/gpu only for the pods its scopes select; set it on a ResourceQuota without scopes, so it caps every pod of tenant namespace "team-a".',
        ]);
        expect(await messagesOf(tenantGpuQuota, changed(tenants, [...QUOTA, "scopes"], ["NotBestEffort"]))).toHaveLength(3);
    });

    it.each([["0"], ["4"], [8], ["2e0"], ["1k"]])("accepts the GPU count %j", async (count) => {
        expect(await messagesOf(tenantGpuQuota, changed(tenants, GPU, count))).toEqual([]);
    });

    it.each([["500m"], ["0.5"], ["-1"], ["four"], [""]])("rejects %j, which is not a whole number of GPUs", async (count) => {
        expect(await messagesOf(tenantGpuQuota, changed(tenants, GPU, count))).toEqual([
            `Profile "team-a" spec.resourceQuotaSpec sets requests.nvidia.com/gpu to ${JSON.stringify(count)}, which is not a whole number of GPUs; set a count such as "4", or "0" for a tenant without GPUs.`,
        ]);
    });

    it("asks a tenant declared only by its Namespace for a ResourceQuota", async () => {
        expect(await messagesOf(tenantGpuQuota, [tenantNamespace("team-c", "carol@example.com")])).toEqual([
            'Tenant namespace "team-c" has no ResourceQuota; set spec.resourceQuotaSpec.hard on its Profile (or add a ResourceQuota) with "requests.nvidia.com/gpu" ("0" for a tenant without GPUs), "limits.memory" and "pods".',
        ]);
        expect(await messagesOf(tenantGpuQuota, [tenantNamespace("team-c", "carol@example.com"), resourceQuota("team-c")])).toEqual([]);
    });

    it("is undecided while the quota is unknown", async () => {
        expect((await undecidedOf(tenantGpuQuota, changed(tenants, GPU, Unknown.instance))).map((entry) => entry.policy)).toEqual(["ns-02-gpu-quota"]);
    });
});
