// `kfstack plan <stack>`: the offline plan of a stack, as a readable summary
// and optionally as the plan JSON.
import { writeFileSync } from "node:fs";
import { describeLocation, type ManifestsLocation } from "../components/manifests/location";
import { type Plan, type PlanTimings, planStack } from "../engine/plan";
import { integer, markdownTable, usd } from "./format";

export interface PlanOptions {
    config?: string;
    json?: string;
    quiet?: boolean;
    /** Write this run's timing and peak memory here (used by `bench`). */
    stats?: string;
}

/** What `plan --stats` writes. */
export interface PlanStats extends PlanTimings {
    /** Running the program offline and building the plan, policy pack and audit included. */
    planMs: number;
    peakRssBytes: number;
    resources: number;
}

function policyLine(plan: Plan): string {
    const mandatory = plan.policy.violations.filter((violation) => violation.enforcement === "mandatory").length;
    return `Policy pack: ${mandatory} mandatory and ${plan.policy.violations.length - mandatory} advisory violations, ${plan.policy.undecided.length} undecided until deployment (\`npm run check -- ${plan.stack}\` lists them).`;
}

/** The cost lines as a table, ending with the total of the priced lines. */
export function costTable(cost: Plan["summary"]["cost"]): string {
    const number = (value: number | null) => (value === null ? "unknown" : value.toLocaleString("en-US", { maximumFractionDigits: 4 }));
    return markdownTable(
        ["item", "quantity", "unit", "$/unit", "monthly", "price source"],
        [
            ...cost.lines.map((line) => [
                line.item,
                number(line.quantity),
                line.unit,
                line.usdPerUnit === null ? "n/a" : `$${line.usdPerUnit}`,
                usd(line.monthlyUsd),
                line.priceSource,
            ]),
            ["total (priced lines)", "", "", "", usd(cost.monthlyUsd), ""],
        ],
    );
}

/** The plan as text; `manifests` (where the run read them) goes in its header. */
export function renderSummary(plan: Plan, manifests?: ManifestsLocation): string {
    const { summary } = plan;
    const components = markdownTable(
        ["component", "type", "resources"],
        summary.byComponent.map((entry) => [
            entry.component,
            entry.type,
            Object.entries(entry.resources)
                .map(([type, count]) => `${count} ${type.split(":").at(-1)}`)
                .join(", ") || "-",
        ]),
    );
    const types = markdownTable(
        ["resource type", "count"],
        Object.entries(summary.byType).map(([type, count]) => [type, count]),
    );
    const pools = markdownTable(
        ["pool", "type", "nodes (min/desired/max)", "vCPU", "memory GiB", "NVMe GB", "GPUs", "$/node-hour", "monthly (desired)", "monthly (max)"],
        [
            ...summary.nodePools.map((pool) => [
                pool.name,
                pool.instanceType ?? "declared",
                `${pool.nodes.min}/${pool.nodes.desired}/${pool.nodes.max}`,
                integer(pool.totals.vcpu),
                integer(pool.totals.memoryGiB),
                integer(pool.totals.nvmeGB),
                pool.perNode.gpus ? `${pool.totals.gpus} (${pool.perNode.gpus} x ${pool.perNode.gpuModel}/node)` : "0",
                usd(pool.usdPerHourPerNode),
                usd(pool.monthlyUsd?.atDesired),
                usd(pool.monthlyUsd?.atMax),
            ]),
            [
                "total",
                "",
                String(summary.totals.nodes),
                integer(summary.totals.vcpu),
                integer(summary.totals.memoryGiB),
                integer(summary.totals.nvmeGB),
                String(summary.totals.gpus),
                "",
                usd(summary.totals.monthlyUsd?.atDesired),
                usd(summary.totals.monthlyUsd?.atMax),
            ],
        ],
    );
    return [
        `Plan of stack ${plan.stack} (project ${plan.project}): ${summary.resourceCount} resources, computed offline.`,
        ...(manifests ? [describeLocation(manifests)] : []),
        "",
        components,
        "",
        types,
        "",
        "Node pools (totals at the desired size):",
        pools,
        "",
        summary.pricing.sources.length
            ? `Estimated on-demand cost over ${summary.pricing.hoursPerMonth} hours a month; prices from ${summary.pricing.sources.join("; ")}.`
            : "No node cost: the stack runs on an existing cluster.",
        "",
        "Estimated monthly cost of everything the plan creates, at the list prices of the region each source names (usage the plan cannot know is listed as unknown):",
        costTable(summary.cost),
        "",
        ...(summary.reads.length
            ? [`Reads from the cluster before applying anything: ${summary.reads.map((read) => `${read.type.split(":").at(-1)} ${read.id}`).join(", ")}.`, ""]
            : []),
        `Dependency depth ${summary.dependencies.depth}; critical path: ${summary.dependencies.criticalPath.join(" → ")}.`,
        ...(summary.undersizedReason ? [`Undersized on purpose: ${summary.undersizedReason}`] : []),
        ...summary.warnings.map((warning) => `Warning: ${warning}`),
        policyLine(plan),
    ].join("\n");
}

export async function planCommand(stack: string, options: PlanOptions): Promise<void> {
    const started = performance.now();
    const timings: PlanTimings = { policyMs: 0, auditMs: 0 };
    let manifests: ManifestsLocation | undefined;
    const plan = await planStack(stack, { configFile: options.config, timings, onManifests: (location) => (manifests = location) });
    if (options.stats) {
        const stats: PlanStats = {
            planMs: performance.now() - started,
            ...timings,
            peakRssBytes: process.resourceUsage().maxRSS * 1024,
            resources: plan.summary.resourceCount,
        };
        writeFileSync(options.stats, JSON.stringify(stats));
    }
    if (options.json) writeFileSync(options.json, `${JSON.stringify(plan, null, 2)}\n`);
    if (!options.quiet) console.log(renderSummary(plan, manifests));
    if (options.json && !options.quiet) console.log(`\nWrote the plan JSON to ${options.json}.`);
}
