// A plan: the offline run of one stack as the JSON contract of
// `npm run plan -- <stack> --json <file>`. Later sections (policy, tenancy,
// images …) are added next to these keys, never in place of them.
import { windowsMissed } from "../components/bom/compatibility";
import { PRICE_REGIONS } from "../components/cluster/machine-types";
import type { StackConfig } from "../components/config/schema";
import type { NodePoolPlan } from "../components/config/topology";
import { platformProgram } from "../components/platform";
import type { ManifestsLocation } from "../components/manifests/location";
import { type ResolvedStack, withConfigOverride } from "../components/stack";
import { gpuOvercommit } from "../components/tenancy/quota-rules";
import type { PolicyPackConfig } from "@pulumi/policy";
import { type ImageInventory, imageInventory } from "../components/images/inventory";
import { type CostEstimate, estimateCost } from "./cost/estimate";
import { HOURS_PER_MONTH } from "./cost/lines";
import { type TenancyAudit, auditTenancy } from "./audit/tenancy-audit";
import { type OfflineRun, type PlannedResource, STACK_TYPE, runOffline } from "./offline";
import { type PolicyReport, evaluatePolicies, policyRecordsOf } from "./policy-check";
import { loadStackSettings } from "./stack-file";
import { unsetSecretWarning, withPlaceholdersForUnsetSecrets } from "./unset-secrets";
import type { PlanValue } from "./values";

export { HOURS_PER_MONTH };

export interface PoolSummary {
    name: string;
    instanceType: string | null;
    nodes: { min: number; desired: number; max: number };
    perNode: { vcpu: number; memoryGiB: number; nvmeGB: number; gpus: number; gpuModel: string | null };
    /** At the desired (initial) size. */
    totals: { vcpu: number; memoryGiB: number; nvmeGB: number; gpus: number };
    usdPerHourPerNode: number | null;
    monthlyUsd: { atDesired: number; atMax: number } | null;
    taints: string[];
    labels: Record<string, string>;
}

export interface PlanSummary {
    /** What the plan creates; the reads below are not counted. */
    resourceCount: number;
    /** What the program reads from the cluster before it applies anything (an existing cluster's declared capabilities), by type token and id. */
    reads: { type: string; id: string }[];
    byType: Record<string, number>;
    /** Resources under each kfstack component, counted by type (nested components counted in their own entry). */
    byComponent: { component: string; type: string; resources: Record<string, number> }[];
    nodePools: PoolSummary[];
    totals: { nodes: number; vcpu: number; memoryGiB: number; nvmeGB: number; gpus: number; monthlyUsd: { atDesired: number; atMax: number } | null };
    pricing: { hoursPerMonth: number; sources: string[] };
    /** Every billed thing the plan creates, a line each: control plane, nodes, disks, NAT, load balancers, volumes. */
    cost: CostEstimate;
    /** The longest chain of resources that must be created one after another. */
    dependencies: { depth: number; criticalPath: string[] };
    undersizedReason: string | null;
    warnings: string[];
}

export interface Plan {
    project: string;
    stack: string;
    /** The planned resources; the JSON contract leaves out the custom flag. */
    resources: Omit<PlannedResource, "custom">[];
    outputs: Record<string, PlanValue>;
    summary: PlanSummary;
    /** The policy pack over this plan, as `npm run check` reports it. */
    policy: PolicyReport;
    /** Who of each tenant can reach into which tenant namespace, as `npm run audit` reports it. */
    tenancy: TenancyAudit;
    /** Every image reference the stack deploys, normalized, with where each is used (`npm run images`). */
    images: ImageInventory;
}

const round = (value: number) => Math.round(value * 100) / 100;

function summarizePool(pool: NodePoolPlan): PoolSummary {
    const gpus = pool.gpu?.count ?? 0;
    const monthly = (nodes: number) => round(nodes * (pool.usdPerHour ?? 0) * HOURS_PER_MONTH);
    return {
        name: pool.name,
        instanceType: pool.instanceType ?? null,
        nodes: { min: pool.minNodes, desired: pool.desiredNodes, max: pool.maxNodes },
        perNode: { vcpu: pool.vcpu, memoryGiB: pool.memoryGiB, nvmeGB: pool.nvmeGB, gpus, gpuModel: pool.gpu?.model ?? null },
        totals: {
            vcpu: pool.vcpu * pool.desiredNodes,
            memoryGiB: pool.memoryGiB * pool.desiredNodes,
            nvmeGB: pool.nvmeGB * pool.desiredNodes,
            gpus: gpus * pool.desiredNodes,
        },
        usdPerHourPerNode: pool.usdPerHour ?? null,
        monthlyUsd: pool.usdPerHour === undefined ? null : { atDesired: monthly(pool.desiredNodes), atMax: monthly(pool.maxNodes) },
        taints: pool.taints.map((taint) => `${taint.key}=${taint.value}:${taint.effect}`),
        labels: pool.labels,
    };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Depth of the dependency graph (resources on its longest chain, counting
 * explicit and property dependencies and providers) and that chain, from the
 * resource that must come first to the one that waits longest.
 */
export function criticalPath(resources: OfflineRun["resources"]): { depth: number; criticalPath: string[] } {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const longest = new Map<string, string[]>();
    const chainTo = (urn: string): string[] => {
        const known = longest.get(urn);
        if (known) return known;
        let best: string[] = [];
        // A resource also waits for its provider (a cluster's Kubernetes provider waits for the cluster).
        const resource = byUrn.get(urn);
        for (const dependency of [...(resource?.dependsOn ?? []), ...(resource?.provider ? [resource.provider] : [])]) {
            if (!byUrn.has(dependency)) continue;
            const chain = chainTo(dependency);
            if (chain.length > best.length) best = chain;
        }
        const chain = [...best, urn];
        longest.set(urn, chain);
        return chain;
    };
    let path: string[] = [];
    for (const resource of resources) {
        const chain = chainTo(resource.urn);
        if (chain.length > path.length) path = chain;
    }
    const label = (urn: string) => {
        const resource = byUrn.get(urn)!;
        return `${resource.type} ${resource.name}`;
    };
    return { depth: path.length, criticalPath: path.map(label) };
}

export function summarize(
    run: OfflineRun,
    pools: NodePoolPlan[],
    cloud: StackConfig["cloud"],
    undersizedReason: string | undefined,
    warnings: string[] = [],
): PlanSummary {
    const all = run.resources.filter((resource) => resource.type !== STACK_TYPE);
    const resources = all.filter((resource) => resource.read === undefined);
    const components = resources.filter((resource) => resource.type.startsWith("kfstack:"));
    const byComponent = components.map((component) => ({
        component: component.name,
        type: component.type,
        resources: countBy(
            resources.filter((resource) => resource.parent === component.urn),
            (resource) => resource.type,
        ),
    }));
    const poolSummaries = pools.map(summarizePool);
    const priced = poolSummaries.every((pool) => pool.monthlyUsd !== null);
    const sum = (value: (pool: PoolSummary) => number) => poolSummaries.reduce((total, pool) => total + value(pool), 0);
    return {
        resourceCount: resources.length,
        reads: all.flatMap((resource) => (resource.read ? [{ type: resource.type, id: resource.read.id }] : [])),
        byType: countBy(resources, (resource) => resource.type),
        byComponent,
        nodePools: poolSummaries,
        totals: {
            nodes: sum((pool) => pool.nodes.desired),
            vcpu: sum((pool) => pool.totals.vcpu),
            memoryGiB: sum((pool) => pool.totals.memoryGiB),
            nvmeGB: sum((pool) => pool.totals.nvmeGB),
            gpus: sum((pool) => pool.totals.gpus),
            monthlyUsd: priced ? { atDesired: round(sum((pool) => pool.monthlyUsd!.atDesired)), atMax: round(sum((pool) => pool.monthlyUsd!.atMax)) } : null,
        },
        pricing: { hoursPerMonth: HOURS_PER_MONTH, sources: [...new Set(pools.flatMap((pool) => (pool.priceSource ? [pool.priceSource] : [])))] },
        cost: estimateCost(resources, cloud, pools),
        dependencies: criticalPath(all),
        undersizedReason: undersizedReason ?? null,
        warnings,
    };
}

/**
 * The pack config a stack implies: on an air-gapped stack every image must
 * come from its mirror (IMG-02 mandatory) and the mirror must be complete
 * (REG-01 with airGapped). An explicit pack config overrides it.
 */
export function stackPackConfig(config: StackConfig): PolicyPackConfig {
    if (!config.airGap.enabled) return {};
    return {
        "img-02-image-mirror": { enforcementLevel: "mandatory", airGapped: true, mirrorPrefix: config.airGap.registry },
        "reg-01-registry-mirror": { airGapped: true, mirrorPrefix: config.airGap.registry },
    };
}

/** What the stack accepted knowingly: recorded in every plan. */
function stackWarnings({ config, bom, installed, pools }: ResolvedStack): string[] {
    const acknowledged = config.kubeflow.acknowledgeKubernetesVersion;
    const missed = windowsMissed(bom, installed, config.kubernetesVersion);
    const overcommit = gpuOvercommit(
        config,
        pools.find((pool) => pool.name === "gpu"),
    );
    return [
        ...(overcommit && config.tenancy.acknowledgeGpuOvercommit
            ? [`GPU quotas over-commit the pool: ${overcommit.detail}; acknowledged: ${config.tenancy.acknowledgeGpuOvercommit.reason}`]
            : []),
        ...(acknowledged && missed.length > 0
            ? [`Kubernetes ${config.kubernetesVersion} is outside the supported window (${missed.join("; ")}); acknowledged: ${acknowledged.reason}`]
            : []),
        ...(config.kubeflow.gateway.acknowledgeSelfSigned
            ? [
                  `The gateway serves a self-signed certificate on a ${config.topology} stack, which no client trusts; acknowledged: ${config.kubeflow.gateway.acknowledgeSelfSigned.reason}`,
              ]
            : []),
        ...(config.cloud !== "existing" && config.region !== PRICE_REGIONS[config.cloud]
            ? [`The cost estimate uses ${PRICE_REGIONS[config.cloud]} list prices, not ${config.region}'s, which may differ.`]
            : []),
        ...(config.topology === "production" && config.dataPlane.retainOnDelete === false
            ? [
                  "kfstack:dataPlane.retainOnDelete is false on a production stack: `pulumi destroy` (or a replacement) deletes the artifact bucket, the database and the data volumes with everything in them; set it to true unless that is what you mean.",
              ]
            : []),
        ...(config.monitoring.enabled && !config.monitoring.alertRouting
            ? ["kfstack:monitoring.alertRouting is not set: alerts reach Alertmanager and Grafana, but nobody is notified; set slack, pagerDuty or webhook."]
            : []),
    ];
}

/** How long a plan's phases took, for `plan --stats` (the benchmark). */
export interface PlanTimings {
    /** The policy pack over the plan. */
    policyMs: number;
    /** The tenancy audit over the plan. */
    auditMs: number;
}

/** How `planStack` reads the stack and what it reports on the way. */
export interface PlanStackOptions {
    configFile?: string;
    policyConfig?: PolicyPackConfig;
    timings?: PlanTimings;
    /** Told where the run read the manifests and why (the text plan says so; the plan JSON stays the same on every machine). */
    onManifests?: (location: ManifestsLocation) => void;
    /** Config values set over the stack file's, by key path as `pulumi config set --path` takes them: `{ "kfstack:kubeflow.release": "kubeflow-1.9.1" }`. */
    overrides?: Record<string, string>;
    /** Handed the resolution the plan was made from: the release, its installed components, the configuration. */
    onResolved?: (stack: ResolvedStack) => void;
}

/** Runs the kfstack program offline for a stack and returns its plan. Throws StackFileError or OfflineRunError. */
export async function planStack(stack: string, options: PlanStackOptions = {}): Promise<Plan> {
    const loaded = loadStackSettings(stack, options);
    const overridden = Object.entries(options.overrides ?? {}).reduce((config, [key, value]) => withConfigOverride(config, key, value), loaded.config);
    const { settings, unset } = withPlaceholdersForUnsetSecrets({ ...loaded, config: overridden });
    let resolution: ResolvedStack | undefined;
    const run = await runOffline(
        platformProgram((resolved) => (resolution = resolved)),
        settings,
    );
    // runOffline throws unless the program ran, and the program resolves the stack first.
    const resolved = resolution!;
    options.onResolved?.(resolved);
    const { config, pools } = resolved;
    // Already settled: the program awaited it before registering anything.
    options.onManifests?.(await resolved.manifests());
    const resources = run.resources.map(({ custom: _custom, ...resource }) => resource);
    const records = policyRecordsOf(resources);
    const policyStarted = performance.now();
    const policy = await evaluatePolicies(records, { config: { ...stackPackConfig(config), ...options.policyConfig } });
    const auditStarted = performance.now();
    const tenancy = auditTenancy(records);
    if (options.timings) Object.assign(options.timings, { policyMs: auditStarted - policyStarted, auditMs: performance.now() - auditStarted });
    // One warning per acknowledged id, with its first path: the shared key is one finding per tenant, and one limitation.
    const acknowledged = tenancy.findings
        .filter((finding, index, all) => finding.acknowledged !== undefined && all.findIndex((other) => other.id === finding.id) === index)
        .map((finding) => `Tenancy audit finding ${finding.id} (${finding.message}); acknowledged: ${finding.acknowledged}`);
    return {
        project: run.project,
        stack: run.stack,
        resources,
        outputs: run.outputs,
        summary: summarize(run, pools, config.cloud, config.allowUndersized?.reason, [
            ...unset.map(unsetSecretWarning),
            ...stackWarnings(resolved),
            ...acknowledged,
        ]),
        policy,
        tenancy,
        images: imageInventory(records),
    };
}
