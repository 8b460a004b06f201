// kfstack's changes to the upstream monitoring objects: Prometheus sized and
// kept on a volume, control-plane targets a managed cloud hides dropped,
// Grafana without its default password or internet calls, and the GPU node
// agents placed on GPU nodes only, in the monitoring namespace.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { parseQuantity } from "../../core/quantity";
import { type Container, podTemplates } from "../../core/pod-templates";
import type { AlertRouting } from "../config/schema";
import { GPU_PRODUCT_LABEL, GPU_TAINT } from "../../core/gpu";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { MONITORING_NAMESPACE, type MonitoringSettings } from "./settings";
import { CustomizeError, requiredObject } from "../manifests/customize";

/** The one data source Grafana is provisioned with; dashboards refer to it by this uid. */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;
export const GRAFANA_PATH_PREFIX = "/grafana/";
const GRAFANA_ADMIN_SECRET = "grafana-admin";

const find = (objects: readonly KubernetesObject[], key: string) => requiredObject(objects, key, "components/monitoring/customize.ts");

const spec = (object: KubernetesObject) => object["spec"] as Record<string, unknown>;

/** Half of a memory size, in Mi: the request that goes with a limit. */
function halfOf(size: string): string {
    return `${Math.floor(parseQuantity(size)! / 2 ** 21)}Mi`;
}

/** Retention, a volume per replica, and a memory limit: Prometheus is the pod most likely to OOM a node. */
export function configurePrometheus(objects: KubernetesObject[], settings: MonitoringSettings): void {
    const prometheus = spec(find(objects, `monitoring.coreos.com/Prometheus/${MONITORING_NAMESPACE}/k8s`));
    prometheus["retention"] = settings.retention;
    prometheus["resources"] = { requests: { memory: halfOf(settings.prometheusMemoryLimit) }, limits: { memory: settings.prometheusMemoryLimit } };
    prometheus["storage"] = {
        volumeClaimTemplate: {
            spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: settings.storageSize } },
                ...(settings.storageClass ? { storageClassName: settings.storageClass } : {}),
            },
        },
    };
}

/**
 * kube-prometheus's Alertmanager configuration with the stack's receivers:
 * every alert to Slack and the webhook, critical ones also to PagerDuty.
 * Upstream's routes, inhibitions and Watchdog stay as they are.
 */
export function alertmanagerConfig(upstream: string, routing: AlertRouting): string {
    const config = parse(upstream) as { receivers: Record<string, unknown>[] };
    const everyAlert = {
        ...(routing.slack ? { slack_configs: [{ api_url: routing.slack.webhookUrl, channel: routing.slack.channel, send_resolved: true }] } : {}),
        ...(routing.webhook ? { webhook_configs: [{ url: routing.webhook.url, send_resolved: true }] } : {}),
    };
    const wanted: Record<string, Record<string, unknown>> = {
        Default: everyAlert,
        Critical: { ...everyAlert, ...(routing.pagerDuty ? { pagerduty_configs: [{ routing_key: routing.pagerDuty.routingKey, send_resolved: true }] } : {}) },
    };
    for (const name of Object.keys(wanted)) {
        const receiver = config.receivers.find((candidate) => candidate["name"] === name);
        if (!receiver)
            throw new CustomizeError(
                `kube-prometheus's Alertmanager configuration has no receiver ${name} to route alerts to; update components/monitoring/customize.ts for this release.`,
            );
        Object.assign(receiver, wanted[name]);
    }
    return stringify(config);
}

/** Writes the stack's receivers into the alertmanager-main Secret; the URLs and keys stay Pulumi secrets. */
export function routeAlerts(objects: KubernetesObject[], routing: AlertRouting): void {
    const stringData = find(objects, `/Secret/${MONITORING_NAMESPACE}/alertmanager-main`)["stringData"] as Record<string, pulumi.Input<string>>;
    stringData["alertmanager.yaml"] = pulumi.secret(alertmanagerConfig(stringData["alertmanager.yaml"] as string, routing));
}

/** Control-plane components a managed cloud runs out of sight: their ServiceMonitors find nothing and their "down" alerts would always fire. */
const HIDDEN_CONTROL_PLANE = [
    { serviceMonitor: "kube-controller-manager", ruleGroup: "kubernetes-system-controller-manager" },
    { serviceMonitor: "kube-scheduler", ruleGroup: "kubernetes-system-scheduler" },
];

/**
 * What a cloud makes pointless or harmful: control-plane scrapes on EKS and
 * GKE, and on GKE prometheus-adapter, whose APIService would take
 * metrics.k8s.io from the metrics-server GKE always runs.
 */
export function dropUnservedParts(objects: KubernetesObject[], cloud: MonitoringSettings["cloud"]): KubernetesObject[] {
    if (cloud === "existing") return objects;
    const rules = spec(find(objects, `monitoring.coreos.com/PrometheusRule/${MONITORING_NAMESPACE}/kubernetes-monitoring-rules`));
    const hiddenGroups = new Set(HIDDEN_CONTROL_PLANE.map((part) => part.ruleGroup));
    rules["groups"] = (rules["groups"] as { name: string }[]).filter((group) => !hiddenGroups.has(group.name));
    const hiddenMonitors = new Set(HIDDEN_CONTROL_PLANE.map((part) => `monitoring.coreos.com/ServiceMonitor/${MONITORING_NAMESPACE}/${part.serviceMonitor}`));
    const adapter = (object: KubernetesObject) => cloud === "gcp" && object.metadata.labels?.["app.kubernetes.io/name"] === "prometheus-adapter";
    return objects.filter((object) => !hiddenMonitors.has(objectKey(object)) && !adapter(object));
}

function grafanaContainer(objects: KubernetesObject[]): { container: Container; volumes: Record<string, unknown>[] } {
    const template = podTemplates(find(objects, `apps/Deployment/${MONITORING_NAMESPACE}/grafana`))[0]!;
    const container = template.spec.containers.find((candidate) => candidate.name === "grafana")!;
    return { container, volumes: (template.spec["volumes"] ??= []) as Record<string, unknown>[] };
}

/** A Secret whose values are Pulumi outputs (secrets stay secret in state). */
function secret(name: string, stringData: Record<string, pulumi.Input<string>>): KubernetesObject {
    return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: MONITORING_NAMESPACE }, type: "Opaque", stringData };
}

/**
 * Grafana's admin password from a Secret instead of the built-in admin/admin,
 * no calls home (an air-gapped Grafana would log them failing), and, behind
 * the Kubeflow gateway, served under /grafana/. Returns the admin Secret.
 */
export function configureGrafana(objects: KubernetesObject[], settings: MonitoringSettings, adminPassword: pulumi.Input<string>): KubernetesObject {
    const { container } = grafanaContainer(objects);
    const fromAdminSecret = (key: string) => ({ secretKeyRef: { name: GRAFANA_ADMIN_SECRET, key } });
    container.env = [
        ...((container.env as Record<string, unknown>[] | undefined) ?? []),
        { name: "GF_SECURITY_ADMIN_USER", valueFrom: fromAdminSecret("admin-user") },
        { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: fromAdminSecret("admin-password") },
    ];

    const config = find(objects, `/Secret/${MONITORING_NAMESPACE}/grafana-config`);
    const stringData = config["stringData"] as Record<string, string>;
    const server =
        settings.grafanaExposure === "gateway"
            ? ["[server]", `root_url = %(protocol)s://%(domain)s:%(http_port)s${GRAFANA_PATH_PREFIX}`, "serve_from_sub_path = true", ""]
            : [];
    stringData["grafana.ini"] = [
        stringData["grafana.ini"]!.trimEnd(),
        "",
        "[analytics]",
        "reporting_enabled = false",
        "check_for_updates = false",
        "check_for_plugin_updates = false",
        "",
        "[users]",
        "allow_sign_up = false",
        "",
        "[auth.anonymous]",
        "enabled = false",
        "",
        ...server,
    ].join("\n");

    // A fixed uid, so kfstack's dashboards name this data source and no other.
    const datasources = find(objects, `/Secret/${MONITORING_NAMESPACE}/grafana-datasources`)["stringData"] as Record<string, string>;
    const provisioned = JSON.parse(datasources["datasources.yaml"]!) as { datasources: Record<string, unknown>[] };
    if (provisioned.datasources.length !== 1 || provisioned.datasources[0]!["type"] !== PROMETHEUS_DATASOURCE.type) {
        throw new CustomizeError(
            "kube-prometheus's grafana-datasources no longer provisions exactly one Prometheus data source; update components/monitoring/customize.ts.",
        );
    }
    provisioned.datasources[0]!["uid"] = PROMETHEUS_DATASOURCE.uid;
    datasources["datasources.yaml"] = JSON.stringify(provisioned, null, 4);

    return secret(GRAFANA_ADMIN_SECRET, { "admin-user": "admin", "admin-password": adminPassword });
}

/** Dashboards as ConfigMaps mounted into Grafana under their own folder, the way kube-prometheus provisions its own. */
export function provisionDashboards(objects: KubernetesObject[], dashboards: { name: string; json: string }[]): KubernetesObject[] {
    const folder = "/grafana-dashboard-definitions/kfstack";
    const providers = find(objects, `/ConfigMap/${MONITORING_NAMESPACE}/grafana-dashboards`)["data"] as Record<string, string>;
    const provisioning = JSON.parse(providers["dashboards.yaml"]!) as { providers: Record<string, unknown>[] };
    provisioning.providers.push({ folder: "kfstack", folderUid: "kfstack", name: "kfstack", options: { path: folder }, orgId: 1, type: "file" });
    providers["dashboards.yaml"] = JSON.stringify(provisioning, null, 4);

    const { container, volumes } = grafanaContainer(objects);
    const mounts = (container["volumeMounts"] ??= []) as Record<string, unknown>[];
    return dashboards.map(({ name, json }) => {
        const configMap = `grafana-dashboard-kfstack-${name}`;
        volumes.push({ name: configMap, configMap: { name: configMap } });
        mounts.push({ name: configMap, mountPath: `${folder}/${name}`, readOnly: true });
        return {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: {
                name: configMap,
                namespace: MONITORING_NAMESPACE,
                labels: { "app.kubernetes.io/component": "grafana", "app.kubernetes.io/name": "grafana", "app.kubernetes.io/part-of": "kfstack" },
            },
            data: { [`${name}.json`]: json },
        };
    });
}

/**
 * Upstream's checksum annotations on Grafana's pod template, recomputed from
 * the configuration as kfstack leaves it: a change to grafana.ini, the data
 * source or the dashboard providers then rolls Grafana, as upstream intends.
 * Call after every change to them.
 */
export function refreshGrafanaChecksums(objects: KubernetesObject[]): void {
    const template = podTemplates(find(objects, `apps/Deployment/${MONITORING_NAMESPACE}/grafana`))[0]!;
    const annotations = ((template.metadata ??= {}).annotations ??= {});
    const sources: Record<string, { key: string; field: string }> = {
        "checksum/grafana-config": { key: `/Secret/${MONITORING_NAMESPACE}/grafana-config`, field: "stringData" },
        "checksum/grafana-datasources": { key: `/Secret/${MONITORING_NAMESPACE}/grafana-datasources`, field: "stringData" },
        "checksum/grafana-dashboardproviders": { key: `/ConfigMap/${MONITORING_NAMESPACE}/grafana-dashboards`, field: "data" },
    };
    for (const [annotation, { key, field }] of Object.entries(sources)) {
        if (!(annotation in annotations))
            throw new CustomizeError(`kube-prometheus's Grafana no longer carries the ${annotation} annotation; update components/monitoring/customize.ts.`);
        annotations[annotation] = createHash("md5")
            .update(JSON.stringify(find(objects, key)[field]))
            .digest("hex");
    }
}

/**
 * Grafana at /grafana/ on the Kubeflow gateway, so Kubeflow's login guards it,
 * and the one NetworkPolicy allowance that route needs; upstream's policies stay.
 */
export function grafanaThroughGateway(): KubernetesObject[] {
    const grafanaPods = { "app.kubernetes.io/component": "grafana", "app.kubernetes.io/name": "grafana", "app.kubernetes.io/part-of": "kube-prometheus" };
    return [
        {
            apiVersion: "networking.istio.io/v1beta1",
            kind: "VirtualService",
            metadata: { name: "grafana", namespace: MONITORING_NAMESPACE },
            spec: {
                gateways: ["kubeflow/kubeflow-gateway"],
                hosts: ["*"],
                http: [
                    {
                        match: [{ uri: { prefix: GRAFANA_PATH_PREFIX } }],
                        route: [{ destination: { host: `grafana.${MONITORING_NAMESPACE}.svc.cluster.local`, port: { number: 3000 } } }],
                    },
                ],
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "grafana-from-kubeflow-gateway", namespace: MONITORING_NAMESPACE },
            spec: {
                podSelector: { matchLabels: grafanaPods },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
                                podSelector: { matchLabels: { app: "istio-ingressgateway", istio: "ingressgateway" } },
                            },
                        ],
                        ports: [{ protocol: "TCP", port: 3000 }],
                    },
                ],
            },
        },
    ];
}

/** GPU node agents: tolerate the GPU taint and run only where a GPU product label says there are GPUs. */
export function placeOnGpuNodes(objects: KubernetesObject[]): void {
    for (const template of objects.flatMap((object) => podTemplates(object))) {
        const tolerations = (template.spec["tolerations"] ??= []) as Record<string, unknown>[];
        if (!tolerations.some((toleration) => toleration["key"] === GPU_TAINT.key))
            tolerations.push({ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect });
        template.spec["affinity"] = {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_PRODUCT_LABEL, operator: "Exists" }] }] },
            },
        };
    }
}

/** DCGM fields kfstack's alerts and dashboards read; the counters file must collect them. */
export const REQUIRED_DCGM_FIELDS = [
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_FB_FREE",
    "DCGM_FI_DEV_XID_ERRORS",
];
const PROFILING_HELP: Record<string, string> = { DCGM_FI_PROF_GR_ENGINE_ACTIVE: "gauge, Ratio of time the graphics engine is active." };

/** The fields a dcgm-exporter counters CSV enables (comments and blank lines skipped, whitespace trimmed). */
export function enabledDcgmFields(csv: string): string[] {
    return csv
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
        .map((line) => line.split(",")[0]!.trim());
}

/**
 * dcgm-exporter in the monitoring namespace (upstream names none), reading a
 * counters file kfstack mounts: upstream's default set, plus any required
 * field it lacks, so what is collected is explicit and checked. The
 * ServiceMonitor adds the node name, which the GPU metrics lack otherwise.
 */
export function configureDcgmExporter(objects: KubernetesObject[], defaultCounters: string): KubernetesObject {
    const missing = REQUIRED_DCGM_FIELDS.filter((field) => !enabledDcgmFields(defaultCounters).includes(field));
    const unknown = missing.filter((field) => !PROFILING_HELP[field]);
    if (unknown.length > 0)
        throw new CustomizeError(
            `dcgm-exporter's default counters lack ${unknown.join(", ")}, which kfstack's alerts and dashboards read; update components/monitoring/customize.ts for this release.`,
        );
    const counters = [defaultCounters.trimEnd(), ...missing.map((field) => `${field}, ${PROFILING_HELP[field]}`)].join("\n") + "\n";

    for (const object of objects) object.metadata.namespace = MONITORING_NAMESPACE;
    placeOnGpuNodes(objects);
    const daemonSet = objects.find((object) => object.kind === "DaemonSet")!;
    const template = podTemplates(daemonSet)[0]!;
    const exporter = template.spec.containers[0]!;
    const countersPath = "/etc/dcgm-exporter/kfstack";
    exporter.env = [
        ...((exporter.env as Record<string, unknown>[] | undefined) ?? []),
        { name: "DCGM_EXPORTER_COLLECTORS", value: `${countersPath}/counters.csv` },
    ];
    exporter["volumeMounts"] = [
        ...((exporter["volumeMounts"] as Record<string, unknown>[] | undefined) ?? []),
        { name: "kfstack-counters", mountPath: countersPath, readOnly: true },
    ];
    template.spec["volumes"] = [
        ...((template.spec["volumes"] as Record<string, unknown>[] | undefined) ?? []),
        { name: "kfstack-counters", configMap: { name: "dcgm-exporter-counters" } },
    ];

    const serviceMonitor = objects.find((object) => object.kind === "ServiceMonitor")!;
    for (const endpoint of spec(serviceMonitor)["endpoints"] as Record<string, unknown>[]) {
        endpoint["relabelings"] = [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }];
    }
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: "dcgm-exporter-counters",
            namespace: MONITORING_NAMESPACE,
            labels: { "app.kubernetes.io/name": "dcgm-exporter", "app.kubernetes.io/part-of": "kfstack" },
        },
        data: { "counters.csv": counters },
    };
}
