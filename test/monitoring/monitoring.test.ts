// Monitoring as kfstack installs it, proven on the offline plans of the shipped
// stacks with the real upstream manifests (KFSTACK_MANIFESTS_DIR).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadBom } from "../../components/bom/load";
import { PLATFORM_NAMESPACES } from "../../components/config/schema";
import { CustomizeError } from "../../components/manifests/customize";
import type { KubernetesObject } from "../../core/objects";
import { kfstackDashboards } from "../../components/monitoring/monitoring";
import { alertmanagerConfig, configureDcgmExporter, enabledDcgmFields } from "../../components/monitoring/customize";
import { KUBEFLOW_METRICS_ENDPOINTS, kubeflowScrapeTargets } from "../../components/monitoring/scrape-targets";
import type { Plan } from "../../engine/plan";
import { plannedStack } from "../planned-stacks";
import { Secret } from "../../engine/values";
import { type PlannedResource, resource, resourcesOfType } from "../helpers";
import { itWithTool, runTool, writeYamlFiles } from "./tools";
import { fixturesDirectory, skipWithoutFixtures } from "../requirements";

const skipFixtures = skipWithoutFixtures("the monitoring plans and kube-prometheus's Alertmanager configuration");
const describeWithManifests = skipFixtures ? describe.skip : describe;

const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

interface PodSpec {
    containers: {
        name: string;
        image: string;
        env?: { name: string; value?: string; valueFrom?: unknown }[];
        resources?: { limits?: Record<string, string> };
    }[];
    tolerations?: Record<string, string>[];
    affinity?: unknown;
    volumes?: Record<string, unknown>[];
}
const podSpec = (planned: PlannedResource) => (planned.inputs as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const imagesOf = (planned: PlannedResource) => podSpec(planned).containers.map((container) => container.image);
const specOf = (planned: PlannedResource) => (planned.inputs as { spec: Record<string, unknown> }).spec;

const GPU_NODES_ONLY = {
    nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "nvidia.com/gpu.product", operator: "Exists" }] }] },
    },
};

describeWithManifests("monitoring on the prod stack (EKS, GPU pool)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it("installs Prometheus, Alertmanager, Grafana, node-exporter and kube-state-metrics from kube-prometheus v0.16.0, images pinned", () => {
        expect(specOf(resource(plan, "kubernetes:monitoring.coreos.com/v1:Prometheus", "monitoring/k8s"))).toMatchObject({
            image: "quay.io/prometheus/prometheus:v3.5.0",
            version: "3.5.0",
        });
        expect(specOf(resource(plan, "kubernetes:monitoring.coreos.com/v1:Alertmanager", "monitoring/main"))).toMatchObject({
            image: "quay.io/prometheus/alertmanager:v0.28.1",
        });
        expect(imagesOf(resource(plan, DEPLOYMENT, "monitoring/grafana"))).toEqual(["grafana/grafana:12.1.0"]);
        expect(imagesOf(resource(plan, DAEMON_SET, "monitoring/node-exporter"))).toEqual([
            "quay.io/prometheus/node-exporter:v1.9.1",
            "quay.io/brancz/kube-rbac-proxy:v0.19.1",
        ]);
        expect(imagesOf(resource(plan, DEPLOYMENT, "monitoring/kube-state-metrics"))[0]).toBe("registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0");
        expect(imagesOf(resource(plan, DEPLOYMENT, "monitoring/prometheus-operator"))[0]).toBe("quay.io/prometheus-operator/prometheus-operator:v0.85.0");
    });

    it("keeps Prometheus on a volume for the configured retention, with a memory limit", () => {
        expect(specOf(resource(plan, "kubernetes:monitoring.coreos.com/v1:Prometheus", "monitoring/k8s"))).toMatchObject({
            retention: "15d",
            resources: { requests: { memory: "8192Mi" }, limits: { memory: "16Gi" } },
            storage: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "200Gi" } } } } },
        });
    });

    it("runs the NVIDIA device plugin and the DCGM exporter on GPU nodes only, DCGM scraped through a ServiceMonitor", () => {
        for (const name of ["kube-system/nvidia-device-plugin-daemonset", "monitoring/dcgm-exporter"]) {
            const spec = podSpec(resource(plan, DAEMON_SET, name));
            expect(spec.tolerations, name).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
            expect(spec.affinity, name).toEqual(GPU_NODES_ONLY);
        }
        expect(imagesOf(resource(plan, DAEMON_SET, "kube-system/nvidia-device-plugin-daemonset"))).toEqual(["nvcr.io/nvidia/k8s-device-plugin:v0.20.0"]);
        expect(imagesOf(resource(plan, DAEMON_SET, "monitoring/dcgm-exporter"))).toEqual(["nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless"]);
        expect(specOf(resource(plan, SERVICE_MONITOR, "monitoring/dcgm-exporter"))).toMatchObject({
            endpoints: [
                {
                    port: "metrics",
                    path: "/metrics",
                    relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }],
                },
            ],
        });
    });

    it("collects GPU utilization and graphics-engine activity from a counters file it mounts", () => {
        const exporter = podSpec(resource(plan, DAEMON_SET, "monitoring/dcgm-exporter")).containers[0]!;
        expect(exporter.env).toContainEqual({ name: "DCGM_EXPORTER_COLLECTORS", value: "/etc/dcgm-exporter/kfstack/counters.csv" });
        const counters = (resource(plan, "kubernetes:core/v1:ConfigMap", "monitoring/dcgm-exporter-counters").inputs as { data: Record<string, string> }).data[
            "counters.csv"
        ]!;
        expect(enabledDcgmFields(counters)).toEqual(expect.arrayContaining(["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE"]));
        expect(enabledDcgmFields(counters)).toHaveLength(26);
    });

    it("collects every DCGM field its alerts and dashboards read", () => {
        const counters = (resource(plan, "kubernetes:core/v1:ConfigMap", "monitoring/dcgm-exporter-counters").inputs as { data: Record<string, string> }).data[
            "counters.csv"
        ]!;
        const rules = JSON.stringify(specOf(resource(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "monitoring/kfstack-alerts")));
        const dashboards = kfstackDashboards()
            .map((dashboard) => dashboard.json)
            .join("\n");
        const read = [...new Set(`${rules}\n${dashboards}`.match(/DCGM_FI_[A-Z_]+/g))].sort();
        expect(read.length).toBeGreaterThan(5);
        expect(read.filter((field) => !enabledDcgmFields(counters).includes(field))).toEqual([]);
    });

    it("scrapes every Kubeflow component that has a metrics endpoint", () => {
        const monitors = resourcesOfType(plan, SERVICE_MONITOR)
            .filter((planned) => planned.name.startsWith("monitoring/kubeflow-"))
            .map((planned) => specOf(planned) as { namespaceSelector: { matchNames: string[] }; endpoints: { port: string }[] })
            .map((spec) => `${spec.namespaceSelector.matchNames[0]} ${spec.endpoints[0]!.port}`);
        expect(monitors).toHaveLength(KUBEFLOW_METRICS_ENDPOINTS.length);
        expect(new Set(KUBEFLOW_METRICS_ENDPOINTS.map((endpoint) => endpoint.component))).toEqual(
            new Set([
                "cert-manager",
                "istio",
                "knative-serving",
                "pipelines",
                "katib",
                "training-operator",
                "kserve",
                "pvcviewer-controller",
                "tensorboard-controller",
            ]),
        );
        expect(
            resourcesOfType(plan, "kubernetes:monitoring.coreos.com/v1:PodMonitor")
                .map((planned) => planned.name)
                .sort(),
        ).toEqual(["monitoring/istio-envoy", "monitoring/knative-queue-proxy"]);
    });

    it("misses no metrics port of the installed Kubeflow: every Service port or Service named for metrics is in the table", () => {
        const kubeflowServices = resourcesOfType(plan, "kubernetes:core/v1:Service").filter((planned) => planned.parent?.includes("kfstack:kubeflow:"));
        const metricsPorts = kubeflowServices.flatMap((planned) => {
            const { name, namespace } = planned.inputs.metadata as { name: string; namespace: string };
            const ports = (specOf(planned) as { ports: { name?: string }[] }).ports.map((port) => port.name ?? "");
            return ports
                .filter((port) => /metrics|monitoring|prometheus/.test(port) || (/metrics/.test(name) && port !== ""))
                .map((port) => `${namespace}/${name}:${port}`);
        });
        expect(metricsPorts.sort()).toEqual(KUBEFLOW_METRICS_ENDPOINTS.map((endpoint) => `${endpoint.namespace}/${endpoint.service}:${endpoint.port}`).sort());
    });

    it("drops the control-plane scrapes and alerts EKS hides, and keeps prometheus-adapter (EKS runs no metrics-server)", () => {
        const names = resourcesOfType(plan, SERVICE_MONITOR).map((planned) => planned.name);
        expect(names).not.toContain("monitoring/kube-scheduler");
        expect(names).not.toContain("monitoring/kube-controller-manager");
        const groups = (
            specOf(resource(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "monitoring/kubernetes-monitoring-rules")).groups as { name: string }[]
        ).map((group) => group.name);
        expect(groups).not.toContain("kubernetes-system-scheduler");
        expect(groups).toContain("kubernetes-system-apiserver");
        expect(resource(plan, "kubernetes:apiregistration.k8s.io/v1:APIService", "v1beta1.metrics.k8s.io")).toBeDefined();
    });

    it("gives Grafana a generated admin password from a Secret, never the built-in admin/admin", () => {
        const grafana = podSpec(resource(plan, DEPLOYMENT, "monitoring/grafana")).containers[0]!;
        expect(grafana.env).toEqual([
            { name: "GF_SECURITY_ADMIN_USER", valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-user" } } },
            { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-password" } } },
        ]);
        const admin = resource(plan, "kubernetes:core/v1:Secret", "monitoring/grafana-admin").inputs as { stringData: Record<string, unknown> };
        expect(admin.stringData["admin-password"]).toBeInstanceOf(Secret);
        expect(resourcesOfType(plan, "random:index/randomPassword:RandomPassword").map((planned) => planned.name)).toContain(
            "kfstack-prod-monitoring-grafana-admin",
        );
    });

    it("serves Grafana at /grafana/ behind the Kubeflow gateway's login, never on a Service of its own", () => {
        expect((specOf(resource(plan, "kubernetes:core/v1:Service", "monitoring/grafana")) as { type?: string }).type ?? "ClusterIP").toBe("ClusterIP");
        const exposed = resourcesOfType(plan, "kubernetes:core/v1:Service").filter((planned) =>
            ["LoadBalancer", "NodePort"].includes(String(specOf(planned).type)),
        );
        expect(exposed.map((planned) => planned.name)).toEqual(["istio-system/istio-ingressgateway"]);
        expect(specOf(resource(plan, "kubernetes:networking.istio.io/v1beta1:VirtualService", "monitoring/grafana"))).toMatchObject({
            gateways: ["kubeflow/kubeflow-gateway"],
            http: [
                {
                    match: [{ uri: { prefix: "/grafana/" } }],
                    route: [{ destination: { host: "grafana.monitoring.svc.cluster.local", port: { number: 3000 } } }],
                },
            ],
        });
        const ini = (resource(plan, "kubernetes:core/v1:Secret", "monitoring/grafana-config").inputs as { stringData: Record<string, string> }).stringData[
            "grafana.ini"
        ]!;
        expect(ini).toContain("serve_from_sub_path = true");
        expect(ini).toContain("reporting_enabled = false");
    });

    it("rolls Grafana when its configuration changes: the checksum annotations follow kfstack's grafana.ini, data source and providers", () => {
        const md5 = (type: string, name: string, field: string) =>
            createHash("md5")
                .update(JSON.stringify((resource(plan, type, name).inputs as Record<string, unknown>)[field]))
                .digest("hex");
        const annotations = (
            resource(plan, DEPLOYMENT, "monitoring/grafana").inputs as { spec: { template: { metadata: { annotations: Record<string, string> } } } }
        ).spec.template.metadata.annotations;
        expect(annotations).toEqual({
            "checksum/grafana-config": md5("kubernetes:core/v1:Secret", "monitoring/grafana-config", "stringData"),
            "checksum/grafana-datasources": md5("kubernetes:core/v1:Secret", "monitoring/grafana-datasources", "stringData"),
            "checksum/grafana-dashboardproviders": md5("kubernetes:core/v1:ConfigMap", "monitoring/grafana-dashboards", "data"),
        });
        // Upstream's value for its own grafana.ini.
        expect(annotations["checksum/grafana-config"]).not.toBe("fbb6fa9bc8072c0f9758c30eac1a7ce6");
    });

    it("provisions kfstack's four dashboards next to kube-prometheus's, on the one data source", () => {
        const configMaps = resourcesOfType(plan, "kubernetes:core/v1:ConfigMap").map((planned) => planned.name);
        expect(configMaps.filter((name) => name.startsWith("monitoring/grafana-dashboard-kfstack-")).sort()).toEqual([
            "monitoring/grafana-dashboard-kfstack-gpu-fleet",
            "monitoring/grafana-dashboard-kfstack-model-serving",
            "monitoring/grafana-dashboard-kfstack-tenant-quotas",
            "monitoring/grafana-dashboard-kfstack-training-jobs",
        ]);
        const mounts = (
            podSpec(resource(plan, DEPLOYMENT, "monitoring/grafana")).containers[0] as unknown as { volumeMounts: { mountPath: string }[] }
        ).volumeMounts.map((mount) => mount.mountPath);
        expect(mounts).toContain("/grafana-dashboard-definitions/kfstack/gpu-fleet");
        const datasources = (resource(plan, "kubernetes:core/v1:Secret", "monitoring/grafana-datasources").inputs as { stringData: Record<string, string> })
            .stringData["datasources.yaml"]!;
        expect(JSON.parse(datasources).datasources).toEqual([expect.objectContaining({ name: "prometheus", type: "prometheus", uid: "prometheus" })]);
    });

    it("keeps kube-prometheus's NetworkPolicies and orders custom resources after their CRDs", () => {
        const policies = resourcesOfType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((planned) => planned.name.startsWith("monitoring/"));
        expect(policies.map((planned) => planned.name).sort()).toEqual([
            "monitoring/alertmanager-main",
            "monitoring/blackbox-exporter",
            "monitoring/grafana",
            "monitoring/grafana-from-kubeflow-gateway",
            "monitoring/kube-state-metrics",
            "monitoring/node-exporter",
            "monitoring/prometheus-adapter",
            "monitoring/prometheus-k8s",
            "monitoring/prometheus-operator",
        ]);
        const crd = resource(plan, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "servicemonitors.monitoring.coreos.com");
        expect(resource(plan, SERVICE_MONITOR, "monitoring/dcgm-exporter").dependsOn).toContain(crd.urn);
    });

    it("routes alerts to the stack's receivers, keeping the URLs and keys secret", () => {
        const alertmanager = resource(plan, "kubernetes:core/v1:Secret", "monitoring/alertmanager-main").inputs as { stringData: Record<string, unknown> };
        expect(alertmanager.stringData["alertmanager.yaml"]).toBeInstanceOf(Secret);
        expect(plan.summary.warnings.filter((warning) => warning.startsWith("kfstack:monitoring.alertRouting is not set"))).toEqual([]);
    });

    it("counts every namespace it installs into as the platform's, so tenant alerts cover only tenants", () => {
        const tenants = ["vision", "nlp"];
        const namespaces = new Set(
            plan.resources.flatMap((planned) =>
                (planned.inputs.metadata as { namespace?: string } | undefined)?.namespace
                    ? [(planned.inputs.metadata as { namespace: string }).namespace]
                    : [],
            ),
        );
        expect([...namespaces].filter((namespace) => !tenants.includes(namespace) && !PLATFORM_NAMESPACES.includes(namespace))).toEqual([]);
    });

    it("passes the policy pack, exemptions for node-exporter, DCGM and the device plugin included", () => {
        expect(plan.policy.violations.filter((violation) => violation.enforcement === "mandatory")).toEqual([]);
    });
});

describeWithManifests("monitoring elsewhere", () => {
    it("warns when no one would be told about an alert", async () => {
        const dev = await plannedStack("dev");
        expect(dev.summary.warnings).toContain(
            "kfstack:monitoring.alertRouting is not set: alerts reach Alertmanager and Grafana, but nobody is notified; set slack, pagerDuty or webhook.",
        );
    });

    it("installs no GPU agents without GPU nodes, and no device plugin where GKE provides one", async () => {
        const dev = await plannedStack("dev");
        expect(resourcesOfType(dev, DAEMON_SET).map((planned) => planned.name)).toEqual(["monitoring/node-exporter"]);
        // A GKE stack with a GPU pool: DCGM on its GPU nodes, but GKE's own device plugin, and GKE's metrics-server.
        const gke = await plannedStack("gke-prod");
        expect(
            resourcesOfType(gke, DAEMON_SET)
                .map((planned) => planned.name)
                .sort(),
        ).toEqual(["monitoring/dcgm-exporter", "monitoring/node-exporter"]);
        expect(resourcesOfType(gke, "kubernetes:apiregistration.k8s.io/v1:APIService").map((planned) => planned.name)).not.toContain("v1beta1.metrics.k8s.io");
        expect(resourcesOfType(gke, DEPLOYMENT).map((planned) => planned.name)).not.toContain("monitoring/prometheus-adapter");
    });

    it("pulls every monitoring image from the mirror on the air-gapped stack", async () => {
        const airgap = await plannedStack("airgap");
        const monitoringImages = airgap.images.images.filter((entry) => entry.usedBy.some((use) => / monitoring\//.test(use.resource)));
        expect(monitoringImages.length).toBeGreaterThanOrEqual(8);
        expect(monitoringImages.filter((entry) => !entry.image.startsWith("registry.enclave.example:5000/kubeflow/")).map((entry) => entry.image)).toEqual([]);
        const prometheus = airgap.resources.find((planned) => planned.type === "kubernetes:monitoring.coreos.com/v1:Prometheus")!;
        expect(specOf(prometheus).image).toBe("registry.enclave.example:5000/kubeflow/prometheus/prometheus:v3.5.0");
    });
});

describe("monitoring customizations on their own", () => {
    it("refuses a Kubeflow release whose metrics Service is gone, naming the table to fix", () => {
        expect(() => kubeflowScrapeTargets([], "kubeflow-1.8.1")).toThrow(
            new CustomizeError(
                "kfstack scrapes cert-manager at Service cert-manager/cert-manager port tcp-prometheus-servicemonitor, but the installed manifests have no such Service; update KUBEFLOW_METRICS_ENDPOINTS in components/monitoring/scrape-targets.ts.",
            ),
        );
    });

    const dcgmObjects = (): KubernetesObject[] => [
        {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata: { name: "dcgm-exporter" },
            spec: { template: { spec: { containers: [{ name: "dcgm-exporter", image: "dcgm" }] } } },
        },
        { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "dcgm-exporter" }, spec: { endpoints: [{ port: "metrics" }] } },
    ];
    const counters = (fields: string[]) =>
        ["# DCGM FIELD, Prometheus metric type, help message", ...fields.map((field) => `${field}, gauge, ${field}.`)].join("\n");
    const REQUIRED_BUT_PROFILING = ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_XID_ERRORS"];

    it("enables the profiling counter DCGM_FI_PROF_GR_ENGINE_ACTIVE when the default set lacks it", () => {
        const configMap = configureDcgmExporter(dcgmObjects(), counters(REQUIRED_BUT_PROFILING));
        expect(enabledDcgmFields((configMap["data"] as Record<string, string>)["counters.csv"]!)).toEqual([
            ...REQUIRED_BUT_PROFILING,
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
        ]);
    });

    it("refuses a default set without GPU utilization, which it cannot enable on its own", () => {
        expect(() => configureDcgmExporter(dcgmObjects(), counters(REQUIRED_BUT_PROFILING.slice(1)))).toThrow(
            "dcgm-exporter's default counters lack DCGM_FI_DEV_GPU_UTIL, which kfstack's alerts and dashboards read; update components/monitoring/customize.ts for this release.",
        );
    });

    const UPSTREAM_ALERTMANAGER = () => {
        const secret = parse(readFileSync(join(fixturesDirectory(), "kube-prometheus-v0.16.0/alertmanager-secret.yaml"), "utf8")) as {
            stringData: Record<string, string>;
        };
        return secret.stringData["alertmanager.yaml"]!;
    };
    const ROUTING = {
        slack: { webhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX", channel: "#ml-platform-alerts" },
        pagerDuty: { routingKey: "0123456789abcdef0123456789abcdef" },
        webhook: { url: "https://alerts.enclave.example/hook" },
    };

    it.skipIf(skipFixtures)("sends every alert to Slack and the webhook and pages critical ones, keeping upstream's routes", () => {
        const config = parse(alertmanagerConfig(UPSTREAM_ALERTMANAGER(), ROUTING)) as { receivers: Record<string, unknown>[]; route: unknown };
        const slack = { api_url: ROUTING.slack.webhookUrl, channel: "#ml-platform-alerts", send_resolved: true };
        const webhook = { url: ROUTING.webhook.url, send_resolved: true };
        expect(config.receivers).toEqual([
            { name: "Default", slack_configs: [slack], webhook_configs: [webhook] },
            { name: "Watchdog" },
            {
                name: "Critical",
                slack_configs: [slack],
                webhook_configs: [webhook],
                pagerduty_configs: [{ routing_key: ROUTING.pagerDuty.routingKey, send_resolved: true }],
            },
            { name: "null" },
        ]);
        expect(config.route).toEqual((parse(UPSTREAM_ALERTMANAGER()) as { route: unknown }).route);
    });

    (skipFixtures ? it.skip : itWithTool("amtool", __filename))("writes an Alertmanager configuration amtool accepts, and amtool rejects a broken one", () => {
        const directory = writeYamlFiles({
            "alertmanager.yaml": alertmanagerConfig(UPSTREAM_ALERTMANAGER(), ROUTING),
            "broken.yaml": alertmanagerConfig(UPSTREAM_ALERTMANAGER(), { webhook: { url: "not a url" } }),
        });
        const good = runTool("amtool", ["check-config", "alertmanager.yaml"], directory);
        expect(good.output, good.output).toContain("SUCCESS");
        expect(good.status).toBe(0);
        const broken = runTool("amtool", ["check-config", "broken.yaml"], directory);
        expect(broken.status).not.toBe(0);
        expect(broken.output).toMatch(/FAILED|unsupported scheme|url/i);
    });

    it("pins the monitoring layer's images in the bill of materials", () => {
        const images = loadBom("kubeflow-1.8.1")
            .components.filter((component) => component.layer === "monitoring")
            .flatMap((component) => component.images);
        expect(images.filter((image) => !/:[^/]+$/.test(image) || image.endsWith(":latest"))).toEqual([]);
    });
});
