// kfstack's PrometheusRule: promtool checks the rules and runs the unit tests in
// alert-tests/, where every alert fires in one case and stays quiet in a near miss.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { type AlertThresholds, PLATFORM_NAMESPACES, StackConfigSchema } from "../../components/config/schema";
import { type AlertRuleGroup, alertRuleGroups, alertsPrometheusRule } from "../../components/monitoring/alerts";
import { itWithPromtool, promtool, writeYamlFiles } from "./tools";

const itPromtool = itWithPromtool(__filename);

const CASES_DIRECTORY = join(__dirname, "alert-tests");
const CASE_FILES = readdirSync(CASES_DIRECTORY)
    .filter((file) => file.endsWith(".yaml"))
    .sort();

/** The thresholds a stack that sets no kfstack:monitoring.alerts gets: the schema's defaults. */
const DEFAULTS: AlertThresholds = StackConfigSchema.options[0].shape.monitoring.parse({}).alerts;

interface AlertEvaluation {
    alertname: string;
    exp_alerts?: unknown[];
}

interface PromtoolTestFile {
    tests: { alert_rule_test?: AlertEvaluation[] }[];
}

function rulesYaml(thresholds: AlertThresholds): string {
    return stringify({ groups: alertRuleGroups(thresholds, PLATFORM_NAMESPACES) }, { lineWidth: 0 });
}

function alertNames(groups: AlertRuleGroup[]): string[] {
    return [...new Set(groups.flatMap((group) => group.rules.map((rule) => rule.alert)))].sort();
}

/** The alerts the case files expect to fire (`firing`) or to stay quiet (`quiet`) at some evaluation. */
function alertsWithCases(kind: "firing" | "quiet"): string[] {
    const evaluations = CASE_FILES.flatMap((file) => {
        const cases = parse(readFileSync(join(CASES_DIRECTORY, file), "utf8")) as PromtoolTestFile;
        return cases.tests.flatMap((test) => test.alert_rule_test ?? []);
    });
    const matching = evaluations.filter((evaluation) => (evaluation.exp_alerts ?? []).length > 0 === (kind === "firing"));
    return [...new Set(matching.map((evaluation) => evaluation.alertname))].sort();
}

const PROMQL_WORDS = new Set(["sum", "max", "min", "by", "on", "and", "or", "unless", "offset", "increase", "rate", "clamp_min", "histogram_quantile", "time"]);

/** Metric names an expression reads: its words without label matchers, groupings, ranges and PromQL's own words. */
function metricsRead(expr: string): string[] {
    const bare = expr
        .replace(/\{[^}]*\}/g, "")
        .replace(/\b(by|on)\s*\([^)]*\)/g, "")
        .replace(/\[[^\]]*\]/g, "");
    return [...new Set((bare.match(/\b[A-Za-z_][A-Za-z0-9_]*\b/g) ?? []).filter((word) => !PROMQL_WORDS.has(word)))].sort();
}

/** Metric names a `source` annotation lists: "exporter: metric, metric; exporter: metric". */
function metricsNamed(source: string): string[] {
    return source
        .split(";")
        .flatMap((part) => part.slice(part.indexOf(":") + 1).split(","))
        .map((metric) => metric.trim())
        .sort();
}

describe("kfstack's alert rules", () => {
    const groups = alertRuleGroups(DEFAULTS, PLATFORM_NAMESPACES);

    it("has a case where it fires and a near miss where it stays quiet for every alert, and no case for an alert it lacks", () => {
        expect(alertsWithCases("firing")).toEqual(alertNames(groups));
        expect(alertsWithCases("quiet")).toEqual(alertNames(groups));
    });

    it("names each alert Kfstack… and lists in its source annotation exactly the metrics its expression reads", () => {
        for (const rule of groups.flatMap((group) => group.rules)) {
            expect(rule.alert).toMatch(/^Kfstack[A-Z][A-Za-z]+$/);
            expect(metricsNamed(rule.annotations.source), rule.alert).toEqual(metricsRead(rule.expr));
        }
    });

    it("escapes the platform namespaces it leaves out of the tenant selector", () => {
        const [oomKilled] = alertRuleGroups(DEFAULTS, ["kube-system", "team.a+b"])[0]!.rules;
        expect(oomKilled!.expr).toContain(String.raw`namespace!~"kube-system|team\\.a\\+b"`);
    });

    it("makes a PrometheusRule that kube-prometheus's Prometheus loads", () => {
        expect(alertsPrometheusRule(DEFAULTS, PLATFORM_NAMESPACES, "monitoring")).toEqual({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: {
                name: "kfstack-alerts",
                namespace: "monitoring",
                labels: {
                    "app.kubernetes.io/name": "kfstack",
                    "app.kubernetes.io/component": "alert-rules",
                    "app.kubernetes.io/part-of": "kfstack",
                    prometheus: "k8s",
                    role: "alert-rules",
                },
            },
            spec: { groups },
        });
    });

    itPromtool("passes promtool check rules", () => {
        const directory = writeYamlFiles({ "rules.yaml": rulesYaml(DEFAULTS) });
        const result = promtool(["check", "rules", "rules.yaml"], directory);
        expect(result.status, result.output).toBe(0);
        expect(result.output).toBe(`Checking rules.yaml\n  SUCCESS: ${groups.flatMap((group) => group.rules).length} rules found\n\n`);
    });

    itPromtool("passes the promtool unit tests in alert-tests/", () => {
        const cases = Object.fromEntries(CASE_FILES.map((file) => [file, readFileSync(join(CASES_DIRECTORY, file), "utf8")]));
        const directory = writeYamlFiles({ "rules.yaml": rulesYaml(DEFAULTS), ...cases });
        const result = promtool(["test", "rules", ...CASE_FILES], directory);
        expect(result.status, result.output).toBe(0);
    });

    itPromtool("takes thresholds from config: GPU memory 85% used alerts with gpuMemoryUsedPercent 80, not with the default 95", () => {
        const gpu = `job="dcgm-exporter", instance="10.0.4.201:9400", namespace="monitoring", pod="dcgm-exporter-7xk2p", container="dcgm-exporter", endpoint="metrics", service="dcgm-exporter", node="ip-10-0-4-17.us-west-2.compute.internal", Hostname="dcgm-exporter-7xk2p", DCGM_FI_DRIVER_VERSION="570.172.08", modelName="NVIDIA A10G", gpu="0", device="nvidia0", UUID="GPU-5f3c2a9e-81d4-4b7a-9c1e-2d6f0a8b3c47", pci_bus_id="00000000:00:1B.0", exported_namespace="team-vision", exported_pod="train-resnet-worker-0", exported_container="pytorch"`;
        const testFile = (rules: string, expAlerts: unknown[]) => ({
            rule_files: [rules],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: [
                        { series: `DCGM_FI_DEV_FB_USED{${gpu}}`, values: "19321x30" },
                        { series: `DCGM_FI_DEV_FB_FREE{${gpu}}`, values: "3410x30" },
                    ],
                    alert_rule_test: [{ eval_time: "20m", alertname: "KfstackGpuMemoryNearlyFull", exp_alerts: expAlerts }],
                },
            ],
        });
        const firing = {
            exp_labels: {
                severity: "warning",
                node: "ip-10-0-4-17.us-west-2.compute.internal",
                gpu: "0",
                UUID: "GPU-5f3c2a9e-81d4-4b7a-9c1e-2d6f0a8b3c47",
                modelName: "NVIDIA A10G",
                exported_namespace: "team-vision",
                exported_pod: "train-resnet-worker-0",
                exported_container: "pytorch",
            },
            exp_annotations: {
                summary: "A GPU has more than 80% of its memory in use.",
                description:
                    "GPU 0 (NVIDIA A10G) on node ip-10-0-4-17.us-west-2.compute.internal, used by pod team-vision/train-resnet-worker-0, has 85.0% of its memory in use; the next allocation may fail with CUDA out of memory.",
                source: "dcgm-exporter: DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_FREE",
            },
        };
        const directory = writeYamlFiles({
            "rules-80.yaml": rulesYaml({ ...DEFAULTS, gpuMemoryUsedPercent: 80 }),
            "rules-default.yaml": rulesYaml(DEFAULTS),
            "at-80.yaml": testFile("rules-80.yaml", [firing]),
            "at-default.yaml": testFile("rules-default.yaml", []),
        });
        const result = promtool(["test", "rules", "at-80.yaml", "at-default.yaml"], directory);
        expect(result.status, result.output).toBe(0);
    });
});
