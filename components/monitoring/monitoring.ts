// Monitoring, pinned by the bill of materials like Kubeflow: kube-prometheus
// (Prometheus Operator, Prometheus, Alertmanager, Grafana, node-exporter,
// kube-state-metrics), the NVIDIA device plugin and DCGM exporter on GPU
// nodes, ServiceMonitors for Kubeflow, kfstack's alerts and dashboards. Every
// object is its own resource, ordered with the platform it watches.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KubernetesObject } from "../../core/objects";
import type { BomComponent } from "../bom/schema";
import { PLATFORM_NAMESPACES } from "../config/schema";
import { BomComponentGroup } from "../manifests/component-group";
import type { KubernetesObjectResource } from "../manifests/kubernetes-object";
import { type Customizations, ManifestLayer, type ManifestSource, type Platform } from "../manifests/layer";
import { readComponentData } from "../manifests/read";
import { alertsPrometheusRule } from "./alerts";
import {
    configureDcgmExporter,
    configureGrafana,
    configurePrometheus,
    dropUnservedParts,
    grafanaThroughGateway,
    placeOnGpuNodes,
    provisionDashboards,
    refreshGrafanaChecksums,
    routeAlerts,
} from "./customize";
import { kubeflowScrapeTargets } from "./scrape-targets";
import { MONITORING_NAMESPACE, type MonitoringSettings } from "./settings";

export interface MonitoringArgs extends ManifestSource {
    /** The BOM's monitoring-layer components this stack installs (components/config/install.ts). */
    readonly components: readonly BomComponent[];
    readonly settings: MonitoringSettings;
    /** Grafana's admin password (a Pulumi secret); generated when unset. */
    readonly grafanaAdminPassword?: pulumi.Input<string>;
    /** The installed platform: what monitoring objects scrape and depend on (CRDs, namespaces, the gateway). */
    readonly platform: Platform;
}

const DASHBOARDS_DIRECTORY = join(__dirname, "dashboards");

/** kfstack's Grafana dashboards: components/monitoring/dashboards/<name>.json. */
export function kfstackDashboards(): { name: string; json: string }[] {
    return readdirSync(DASHBOARDS_DIRECTORY)
        .filter((file) => file.endsWith(".json"))
        .sort()
        .map((file) => ({ name: file.slice(0, -".json".length), json: readFileSync(join(DASHBOARDS_DIRECTORY, file), "utf8") }));
}

/** kfstack's own monitoring objects, grouped apart from the BOM's components. */
const TARGETS_AND_ALERTS = "targets-and-alerts";

/** kube-prometheus as kfstack runs it, with the objects it adds (Grafana's admin Secret, dashboards, the route through the gateway) first. */
function customizeKubePrometheus(upstream: KubernetesObject[], settings: MonitoringSettings, grafanaAdminPassword: pulumi.Input<string>): KubernetesObject[] {
    const objects = dropUnservedParts(upstream, settings.cloud);
    configurePrometheus(objects, settings);
    if (settings.alertRouting) routeAlerts(objects, settings.alertRouting);
    const added = [configureGrafana(objects, settings, grafanaAdminPassword), ...provisionDashboards(objects, kfstackDashboards())];
    refreshGrafanaChecksums(objects);
    if (settings.grafanaExposure === "gateway") added.push(...grafanaThroughGateway());
    return [...added, ...objects];
}

/** kfstack's changes to the monitoring components, and its own scrape targets and alerts. */
function monitoringCustomizations(args: MonitoringArgs, grafanaAdminPassword: pulumi.Input<string>): Customizations {
    return {
        component: (component, objects) => {
            if (component.name === "kube-prometheus") return customizeKubePrometheus(objects, args.settings, grafanaAdminPassword);
            if (component.name === "dcgm-exporter")
                return [configureDcgmExporter(objects, readComponentData(args.manifestsDir, args.bom, component, "default-counters.csv")), ...objects];
            if (component.name === "nvidia-device-plugin") placeOnGpuNodes(objects);
            return objects;
        },
        layer: () =>
            [
                ...kubeflowScrapeTargets(args.platform.objects, args.bom.release),
                alertsPrometheusRule(args.settings.alerts, PLATFORM_NAMESPACES, MONITORING_NAMESPACE),
            ].map((object) => ({
                object,
                group: TARGETS_AND_ALERTS,
            })),
    };
}

export class Monitoring extends pulumi.ComponentResource {
    /** objectKey → the resource of that object. */
    readonly objects: Map<string, KubernetesObjectResource>;
    /** Grafana's admin password (secret). */
    readonly grafanaAdminPassword: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:monitoring:Monitoring", name, { components: args.components.map((component) => `${component.name} ${component.version}`) }, opts);
        const password =
            args.grafanaAdminPassword ?? new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this }).result;
        this.grafanaAdminPassword = pulumi.secret(password);

        const layer = new ManifestLayer(args.platform);
        const entries = layer.prepare(args, args.components, monitoringCustomizations(args, this.grafanaAdminPassword));
        const groups = new Map(
            [...new Set(entries.map((entry) => entry.group))].map((group) => {
                const component = args.components.find((candidate) => candidate.name === group);
                const resource = component
                    ? new BomComponentGroup(`${name}-${group}`, { component }, { parent: this })
                    : new TargetsAndAlerts(`${name}-${group}`, {}, { parent: this });
                return [group, resource] as const;
            }),
        );
        this.objects = layer.register(entries, groups).resources;
        this.registerOutputs({ objects: this.objects.size, grafanaAdminPassword: this.grafanaAdminPassword });
    }
}

/** Groups kfstack's own monitoring objects: the Kubeflow scrape targets and the alert rules. */
export class TargetsAndAlerts extends pulumi.ComponentResource {
    constructor(name: string, args: Record<string, never>, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:monitoring:TargetsAndAlerts", name, args, opts);
        this.registerOutputs({});
    }
}
