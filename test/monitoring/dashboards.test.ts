// The Grafana dashboards kfstack provisions (components/monitoring/dashboards/*.json):
// who they are, which data source they read, and their PromQL, which promtool must
// accept and which may only read metrics the platform's exporters really export.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { itWithPromtool, promtool, writeYamlFiles } from "./tools";

const DASHBOARDS_DIR = join(__dirname, "..", "..", "components", "monitoring", "dashboards");

/** The Prometheus data source provisioned into Grafana: every reference must be exactly this one. */
const DATASOURCE = { type: "prometheus", uid: "prometheus" };

/**
 * The metrics a dashboard may read, by the exporter (at the version kfstack installs) that
 * exports them. Each name was checked in that exporter's source, documentation or shipped
 * configuration; a metric missing here is a typo or needs checking before it is added.
 */
const EXPORTED_METRICS: Record<string, readonly string[]> = {
    "kube-state-metrics v2.16.0": [
        "kube_node_status_allocatable",
        "kube_node_status_capacity",
        "kube_pod_container_resource_limits",
        "kube_pod_container_resource_requests",
        "kube_pod_info",
        "kube_pod_status_phase",
        "kube_resourcequota",
    ],
    "kubelet: cAdvisor (/metrics/cadvisor) and volume stats (/metrics)": [
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "kubelet_volume_stats_available_bytes",
        "kubelet_volume_stats_capacity_bytes",
        "kubelet_volume_stats_used_bytes",
    ],
    "dcgm-exporter 4.8.2 default counters (etc/default-counters.csv)": [
        "DCGM_FI_DEV_SM_CLOCK",
        "DCGM_FI_DEV_MEM_CLOCK",
        "DCGM_FI_DEV_MEMORY_TEMP",
        "DCGM_FI_DEV_GPU_TEMP",
        "DCGM_FI_DEV_POWER_USAGE",
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_MEM_COPY_UTIL",
        "DCGM_FI_DEV_ENC_UTIL",
        "DCGM_FI_DEV_DEC_UTIL",
        "DCGM_FI_DEV_XID_ERRORS",
        "DCGM_FI_DEV_FB_FREE",
        "DCGM_FI_DEV_FB_USED",
        "DCGM_FI_DEV_FB_RESERVED",
        "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL",
        "DCGM_FI_DEV_VGPU_LICENSE_STATUS",
        "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
        "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
        "DCGM_FI_DEV_ROW_REMAP_FAILURE",
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
        "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
        "DCGM_FI_PROF_DRAM_ACTIVE",
        "DCGM_FI_PROF_PCIE_TX_BYTES",
        "DCGM_FI_PROF_PCIE_RX_BYTES",
    ],
    "Training Operator v1.8.0 (pkg/common/metrics.go)": [
        "training_operator_jobs_created_total",
        "training_operator_jobs_deleted_total",
        "training_operator_jobs_successful_total",
        "training_operator_jobs_failed_total",
        "training_operator_jobs_restarted_total",
    ],
    'Knative Serving 1.10 queue-proxy, component "revision" (pkg/queue/request_metric.go)': [
        "revision_request_count",
        "revision_request_latencies_bucket",
        "revision_request_latencies_count",
        "revision_request_latencies_sum",
        "revision_app_request_count",
        "revision_app_request_latencies_bucket",
        "revision_app_request_latencies_count",
        "revision_app_request_latencies_sum",
        "revision_queue_depth",
    ],
};
const KNOWN_METRICS = new Set(Object.values(EXPORTED_METRICS).flat());

/** What Grafana's own variables stand for when the PromQL is checked. */
const GRAFANA_VARIABLES: Record<string, string> = {
    __rate_interval: "5m",
    __interval: "1m",
    __interval_ms: "60000",
    __range: "6h",
    __range_s: "21600",
    __range_ms: "21600000",
};

interface Target {
    refId?: string;
    expr?: string;
}

interface Panel {
    id?: number;
    type?: string;
    title?: string;
    gridPos?: unknown;
    targets?: Target[];
    panels?: Panel[];
}

interface Variable {
    name?: string;
    type?: string;
    query?: string | { query?: string };
    definition?: string;
}

interface DashboardJson {
    uid?: unknown;
    title?: unknown;
    tags?: unknown;
    editable?: unknown;
    id?: unknown;
    panels?: Panel[];
    templating?: { list?: Variable[] };
}

interface Dashboard {
    file: string;
    json: DashboardJson;
}

/** One PromQL expression of a dashboard, with where it was found. */
interface Query {
    dashboard: Dashboard;
    where: string;
    /** As written in the dashboard, Grafana variables and all. */
    expr: string;
}

function loadDashboards(): Dashboard[] {
    const files = readdirSync(DASHBOARDS_DIR)
        .filter((name) => name.endsWith(".json"))
        .sort();
    return files.map((file) => {
        const text = readFileSync(join(DASHBOARDS_DIR, file), "utf8");
        try {
            return { file, json: JSON.parse(text) as DashboardJson };
        } catch (error) {
            throw new Error(`components/monitoring/dashboards/${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
        }
    });
}

/** Every panel, the panels of collapsed rows included. */
function panelsOf(dashboard: DashboardJson): Panel[] {
    return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

const hasNoQueries = (panel: Panel) => panel.type === "row" || panel.type === "text";

function variablesOf(dashboard: DashboardJson): Variable[] {
    return dashboard.templating?.list ?? [];
}

function label(dashboard: Dashboard): string {
    return `${String(dashboard.json.title)} (${dashboard.file})`;
}

/** The PromQL in a Grafana query variable: the selector of label_values(selector, label), the query of query_result(query). */
function promqlOfVariableQuery(query: string): string | undefined {
    const call = /^\s*(\w+)\s*\(([\s\S]*)\)\s*$/.exec(query);
    if (!call) return query.trim() || undefined;
    const [, fn, args = ""] = call;
    if (fn === "label_values") {
        const comma = lastTopLevelComma(args);
        return comma === -1 ? undefined : args.slice(0, comma).trim();
    }
    if (fn === "query_result") return args.trim();
    if (fn === "label_names" || fn === "metrics") return undefined;
    return query.trim();
}

function lastTopLevelComma(text: string): number {
    let depth = 0;
    let quote: string | undefined;
    let last = -1;
    for (let i = 0; i < text.length; i++) {
        const char = text[i];
        if (quote) {
            if (char === "\\") i++;
            else if (char === quote) quote = undefined;
        } else if (char === '"' || char === "'" || char === "`") quote = char;
        else if ("({[".includes(char!)) depth++;
        else if (")}]".includes(char!)) depth--;
        else if (char === "," && depth === 0) last = i;
    }
    return last;
}

function queriesOf(dashboard: Dashboard): Query[] {
    const queries: Query[] = [];
    for (const panel of panelsOf(dashboard.json)) {
        for (const target of panel.targets ?? []) {
            if (typeof target.expr === "string") queries.push({ dashboard, where: `panel "${panel.title}", target ${target.refId}`, expr: target.expr });
        }
    }
    for (const variable of variablesOf(dashboard.json)) {
        if (variable.type !== "query") continue;
        const texts = new Set([typeof variable.query === "string" ? variable.query : variable.query?.query, variable.definition]);
        for (const text of texts) {
            const expr = text === undefined ? undefined : promqlOfVariableQuery(text);
            if (expr) queries.push({ dashboard, where: `variable $${variable.name}`, expr });
        }
    }
    return queries;
}

const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/** The Grafana variables an expression names ($x, ${x}, ${x:format}, [[x]]); not $1, which is label_replace's. */
function variableNames(expr: string): string[] {
    return [...expr.matchAll(VARIABLE)].map((match) => match[1] ?? match[2] ?? match[3]!).filter((name) => !/^\d+$/.test(name));
}

/**
 * The expression as Prometheus would see it: Grafana's interval variables become durations,
 * dashboard variables in a regex matcher (=~, !~) become `.*`, in an equality matcher a plain value.
 */
function substituteVariables(expr: string): string {
    const inMatchers = expr.replace(/(=~|!~|!=|=)(\s*)"((?:[^"\\]|\\.)*)"/g, (_match, op: string, space: string, value: string) => {
        const regex = op === "=~" || op === "!~";
        return `${op}${space}"${value.replace(VARIABLE, (variable, ...names: (string | undefined)[]) => {
            const name = names[0] ?? names[1] ?? names[2]!;
            if (/^\d+$/.test(name)) return variable;
            return GRAFANA_VARIABLES[name] ?? (regex ? ".*" : "kfstack");
        })}"`;
    });
    return inMatchers.replace(VARIABLE, (variable, ...names: (string | undefined)[]) => GRAFANA_VARIABLES[names[0] ?? names[1] ?? names[2]!] ?? variable);
}

const NOT_METRICS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan"]);

/**
 * The metric names a PromQL expression reads. Conservative: strings, label matchers,
 * by/without/on/ignoring/group_* label lists and [ranges] are dropped first; what is left
 * is identifiers that are functions or aggregations (followed by `(`), keywords, or metrics.
 * A __name__ matcher's value counts as a metric name too, a regex one as it is written.
 */
function metricNames(promql: string): string[] {
    const names = new Set([...promql.matchAll(/__name__\s*(?:=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!));
    const code = promql
        .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
        .replace(/\{[^}]*\}/g, " ")
        .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, " ")
        .replace(/\[[^\]]*\]/g, " ");
    for (const [name] of code.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)) {
        if (!NOT_METRICS.has(name.toLowerCase())) names.add(name);
    }
    return [...names].sort();
}

const dashboards = loadDashboards();
const queries = dashboards.flatMap(queriesOf);

describe("the Grafana dashboards kfstack provisions", () => {
    it("are there to check: JSON files, each with PromQL", () => {
        expect(dashboards.length).toBeGreaterThan(0);
        expect(dashboards.filter((dashboard) => !queries.some((query) => query.dashboard === dashboard)).map((dashboard) => dashboard.file)).toEqual([]);
    });

    it("each have a stable kfstack uid, a 'kfstack / ' title, the kfstack tag, no id, and are read-only", () => {
        const problems = dashboards.flatMap(({ file, json }) => [
            ...(typeof json.uid === "string" && /^kfstack-[a-z0-9-]+$/.test(json.uid) && json.uid.length <= 40
                ? []
                : [`${file}: uid ${JSON.stringify(json.uid)} is not "kfstack-<name>" (lower case, at most 40 characters)`]),
            ...(typeof json.title === "string" && json.title.startsWith("kfstack / ")
                ? []
                : [`${file}: title ${JSON.stringify(json.title)} does not start with "kfstack / "`]),
            ...(JSON.stringify(json.tags) === JSON.stringify(["kfstack"]) ? [] : [`${file}: tags are ${JSON.stringify(json.tags)}, not ["kfstack"]`]),
            ...(json.id === undefined || json.id === null ? [] : [`${file}: id is ${JSON.stringify(json.id)}; leave it null, Grafana assigns it`]),
            ...(json.editable === false ? [] : [`${file}: editable is ${JSON.stringify(json.editable)}; provisioned dashboards are read-only (false)`]),
        ]);
        expect(problems).toEqual([]);
    });

    it("have distinct uids", () => {
        const files = new Map<unknown, string[]>();
        for (const { file, json } of dashboards) files.set(json.uid, [...(files.get(json.uid) ?? []), file]);
        expect([...files].filter(([, names]) => names.length > 1).map(([uid, names]) => `uid ${JSON.stringify(uid)} is used by ${names.join(", ")}`)).toEqual(
            [],
        );
    });

    it("refer to no data source but the provisioned Prometheus one, and declare no data source variable", () => {
        const problems: string[] = [];
        const walk = (file: string, path: string, value: unknown): void => {
            if (Array.isArray(value)) value.forEach((item, index) => walk(file, `${path}[${index}]`, item));
            else if (value !== null && typeof value === "object") {
                for (const [key, child] of Object.entries(value)) {
                    if (key === "datasource" && JSON.stringify(child) !== JSON.stringify(DATASOURCE)) {
                        problems.push(`${file}: ${path}.datasource is ${JSON.stringify(child)}; use ${JSON.stringify(DATASOURCE)}`);
                    } else walk(file, `${path}.${key}`, child);
                }
            }
        };
        for (const { file, json } of dashboards) {
            walk(file, "$", json);
            for (const variable of variablesOf(json).filter((candidate) => candidate.type === "datasource")) {
                problems.push(`${file}: variable $${variable.name} picks a data source; read the provisioned one, ${JSON.stringify(DATASOURCE)}`);
            }
        }
        expect(problems).toEqual([]);
    });

    it("give every panel but rows and text a PromQL target, a place on the grid and an id of its own", () => {
        const problems = dashboards.flatMap((dashboard) => {
            const panels = panelsOf(dashboard.json);
            const ids = panels.map((panel) => panel.id);
            return panels.flatMap((panel) => [
                ...(hasNoQueries(panel) || (panel.targets ?? []).some((target) => target.expr?.trim())
                    ? []
                    : [`${label(dashboard)}: ${panel.type} panel "${panel.title}" has no PromQL target`]),
                ...(panel.gridPos ? [] : [`${label(dashboard)}: panel "${panel.title}" has no gridPos`]),
                ...(typeof panel.id === "number" && ids.indexOf(panel.id) === ids.lastIndexOf(panel.id)
                    ? []
                    : [`${label(dashboard)}: panel "${panel.title}" has id ${panel.id}, missing or shared`]),
            ]);
        });
        expect(problems).toEqual([]);
    });

    it("use only template variables they define, and Grafana's own", () => {
        const problems = queries.flatMap(({ dashboard, where, expr }) => {
            const defined = new Set(variablesOf(dashboard.json).map((variable) => variable.name));
            return variableNames(expr)
                .filter((name) => !defined.has(name) && !(name in GRAFANA_VARIABLES))
                .map((name) => `${label(dashboard)}, ${where}: $${name} is not a variable of the dashboard: ${expr}`);
        });
        expect(problems).toEqual([]);
    });

    it("read only metrics that the platform's exporters export", () => {
        const problems = queries.flatMap(({ dashboard, where, expr }) =>
            metricNames(substituteVariables(expr))
                .filter((name) => !KNOWN_METRICS.has(name))
                .map(
                    (name) => `${label(dashboard)}, ${where}: metric ${name} is not one the platform's exporters export (EXPORTED_METRICS lists them): ${expr}`,
                ),
        );
        expect(problems).toEqual([]);
    });

    itWithPromtool(__filename)("have PromQL that promtool check rules accepts", () => {
        const counts = new Map<Dashboard, number>();
        const rules = queries.map((query) => {
            const n = counts.get(query.dashboard) ?? 0;
            counts.set(query.dashboard, n + 1);
            return { record: `kfstack:dashboard:${String(query.dashboard.json.uid).replace(/\W/g, "_")}:${n}`, expr: substituteVariables(query.expr), query };
        });
        const directory = writeYamlFiles({
            "dashboards.rules.yaml": { groups: [{ name: "kfstack-dashboards", rules: rules.map(({ record, expr }) => ({ record, expr })) }] },
        });
        const result = promtool(["check", "rules", "dashboards.rules.yaml"], directory);
        const rejected = rules
            .filter(({ record }) => result.output.includes(`"${record}":`))
            .map(
                ({ record, expr, query }) =>
                    `${label(query.dashboard)}, ${query.where}: ${expr}\n  ${result.output
                        .split("\n")
                        .find((line) => line.includes(`"${record}":`))
                        ?.trim()}`,
            );
        expect(rejected).toEqual([]);
        expect(result.status, result.output).toBe(0);
    });
});

describe("reading dashboard PromQL", () => {
    it("finds the metrics of an expression, not its functions, keywords, label names or strings", () => {
        expect(
            metricNames(
                'sum by (namespace) (rate(container_cpu_usage_seconds_total{job="kubelet", namespace=~"team-.*"}[5m])) / on (namespace) group_left () max by (namespace) (kube_resourcequota{type="hard"} > 0) or vector(0)',
            ),
        ).toEqual(["container_cpu_usage_seconds_total", "kube_resourcequota"]);
        expect(metricNames('label_replace(up offset 5m, "dst", "$1", "instance", "(.*)") * 1e3 + DCGM_FI_DEV_GPU_UTIL and bool inf')).toEqual([
            "DCGM_FI_DEV_GPU_UTIL",
            "up",
        ]);
        expect(metricNames('count({__name__="kube_pod_info", namespace="a"}) + count({__name__=~"DCGM_.*"})')).toEqual(["DCGM_.*", "kube_pod_info"]);
    });

    it("catches a misspelt metric name", () => {
        expect(metricNames("avg(DCGM_FI_DEV_GPU_UTILL)").filter((name) => !KNOWN_METRICS.has(name))).toEqual(["DCGM_FI_DEV_GPU_UTILL"]);
    });

    it("turns Grafana variables into values Prometheus parses: durations, .* in regex matchers, a value in equality matchers", () => {
        expect(
            substituteVariables(
                'sum(rate(revision_request_count{namespace_name=~"$namespace", service_name=~"${service:regex}", pod="[[pod]]"}[$__rate_interval])) / increase(x[${__range}])',
            ),
        ).toBe('sum(rate(revision_request_count{namespace_name=~".*", service_name=~".*", pod="kfstack"}[5m])) / increase(x[6h])');
        expect(variableNames('label_replace(x{a=~"$tenant"}, "b", "$1", "c", "(.*)")')).toEqual(["tenant"]);
    });

    it("reads the PromQL of a variable query: the selector of label_values, nothing of a label-only query", () => {
        expect(promqlOfVariableQuery('label_values(kube_resourcequota{resourcequota="kf-resource-quota", type=~"hard|used"}, namespace)')).toBe(
            'kube_resourcequota{resourcequota="kf-resource-quota", type=~"hard|used"}',
        );
        expect(promqlOfVariableQuery("label_values(namespace)")).toBeUndefined();
        expect(promqlOfVariableQuery("query_result(topk(5, sum by (node) (DCGM_FI_DEV_GPU_UTIL)))")).toBe("topk(5, sum by (node) (DCGM_FI_DEV_GPU_UTIL))");
    });
});
