// The PromQL of kfstack's Grafana dashboards as the tests read it: the metrics the platform's
// exporters export, Grafana's variables and what they stand for, and the metric names an expression reads.

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
export const KNOWN_METRICS = new Set(Object.values(EXPORTED_METRICS).flat());

/** What Grafana's own variables stand for when the PromQL is checked. */
export const GRAFANA_VARIABLES: Record<string, string> = {
    __rate_interval: "5m",
    __interval: "1m",
    __interval_ms: "60000",
    __range: "6h",
    __range_s: "21600",
    __range_ms: "21600000",
};

/** The PromQL in a Grafana query variable: the selector of label_values(selector, label), the query of query_result(query). */
export function promqlOfVariableQuery(query: string): string | undefined {
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

const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/** The Grafana variables an expression names ($x, ${x}, ${x:format}, [[x]]); not $1, which is label_replace's. */
export function variableNames(expr: string): string[] {
    return [...expr.matchAll(VARIABLE)].map((match) => match[1] ?? match[2] ?? match[3]!).filter((name) => !/^\d+$/.test(name));
}

/**
 * The expression as Prometheus would see it: Grafana's interval variables become durations,
 * dashboard variables in a regex matcher (=~, !~) become `.*`, in an equality matcher a plain value.
 */
export function substituteVariables(expr: string): string {
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
export function metricNames(promql: string): string[] {
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
