// Reading the PromQL of Grafana dashboards: the metrics an expression reads, Grafana's
// variables replaced by values Prometheus parses, and the PromQL of a variable query.
import { describe, expect, it } from "vitest";
import { KNOWN_METRICS, metricNames, promqlOfVariableQuery, substituteVariables, variableNames } from "./dashboard-promql";

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
