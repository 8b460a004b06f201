// Monitoring, pinned by the bill of materials like Kubeflow: kube-prometheus
// (Prometheus Operator, Prometheus, Alertmanager, Grafana, node-exporter,
// kube-state-metrics), the NVIDIA device plugin and DCGM exporter on GPU
// nodes, ServiceMonitors for Kubeflow, kfstack's alerts and dashboards. Every
// object is its own resource, ordered with the platform it watches.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Bom, BomComponent } from "../bom/schema";
import { PLATFORM_NAMESPACES } from "../config/schema";
import { assertServed } from "../kubeflow/api-removals";
import { applyContainerResources, assertUnique } from "../kubeflow/customize";
import { clearClusterScopedNamespaces } from "../../core/kinds";
import { BomComponentGroup } from "../kubeflow";
import { KubernetesObjectResource } from "../kubeflow/kubernetes-object";
import { readComponent, readComponentData } from "../kubeflow/manifests";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { planInstall } from "../kubeflow/ordering";
import { type Mirror, entriesAtMirror } from "../images/rewrite";
import { alertsPrometheusRule } from "./alerts";
import { configureDcgmExporter, configureGrafana, configurePrometheus, dropUnservedParts, grafanaThroughGateway, placeOnGpuNodes, provisionDashboards, refreshGrafanaChecksums, routeAlerts } from "./customize";
import { kubeflowScrapeTargets } from "./scrape-targets";
import { MONITORING_NAMESPACE, type MonitoringSettings } from "./settings";

export interface MonitoringArgs {
    bom: Bom;
    /** The BOM's monitoring-layer components this stack installs (components/config/install.ts). */
    components: BomComponent[];
    manifestsDir: string;
    settings: MonitoringSettings;
    kubernetesVersion: string;
    /** Grafana's admin password (a Pulumi secret); generated when unset. */
    grafanaAdminPassword?: pulumi.Input<string>;
    /** Air-gapped: every image reference is rewritten to this mirror. */
    mirror?: Mirror;
    /** The installed platform: what monitoring objects scrape and depend on (CRDs, namespaces, the gateway). */
    platform: { objects: KubernetesObject[]; resources: ReadonlyMap<string, pulumi.Resource> };
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

/** The objects of the monitoring layer as kfstack installs them, each with the BOM component (or TARGETS_AND_ALERTS) it belongs to. */
export function monitoringObjects(args: MonitoringArgs, grafanaAdminPassword: pulumi.Input<string>): { component: string; object: KubernetesObject }[] {
    const entries: { component: string; object: KubernetesObject }[] = [];
    for (const component of args.components) {
        let objects = readComponent(args.manifestsDir, args.bom, component);
        clearClusterScopedNamespaces(objects);
        const add = (object: KubernetesObject) => entries.push({ component: component.name, object });
        if (component.name === "kube-prometheus") {
            objects = dropUnservedParts(objects, args.settings.cloud);
            configurePrometheus(objects, args.settings);
            if (args.settings.alertRouting) routeAlerts(objects, args.settings.alertRouting);
            add(configureGrafana(objects, args.settings, grafanaAdminPassword));
            provisionDashboards(objects, kfstackDashboards()).forEach(add);
            refreshGrafanaChecksums(objects);
            if (args.settings.grafanaExposure === "gateway") grafanaThroughGateway().forEach(add);
        } else if (component.name === "dcgm-exporter") {
            add(configureDcgmExporter(objects, readComponentData(args.manifestsDir, args.bom, component, "default-counters.csv")));
        } else if (component.name === "nvidia-device-plugin") {
            placeOnGpuNodes(objects);
        }
        applyContainerResources(component, objects);
        objects.forEach(add);
    }
    const addOwn = (object: KubernetesObject) => entries.push({ component: TARGETS_AND_ALERTS, object });
    kubeflowScrapeTargets(args.platform.objects).forEach(addOwn);
    addOwn(alertsPrometheusRule(args.settings.alerts, PLATFORM_NAMESPACES, MONITORING_NAMESPACE));
    assertUnique(entries);
    assertServed(
        entries.map((entry) => entry.object),
        args.kubernetesVersion,
        args.bom.release,
    );
    return entriesAtMirror(entries, args.mirror);
}

export class Monitoring extends pulumi.ComponentResource {
    /** objectKey → the resource of that object. */
    readonly objects = new Map<string, KubernetesObjectResource>();
    /** Grafana's admin password (secret). */
    readonly grafanaAdminPassword: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:monitoring:Monitoring", name, { components: args.components.map((component) => `${component.name} ${component.version}`) }, opts);
        const password = args.grafanaAdminPassword ?? new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this }).result;
        this.grafanaAdminPassword = pulumi.secret(password);

        const entries = monitoringObjects(args, this.grafanaAdminPassword);
        const componentOf = new Map(entries.map(({ object, component }) => [objectKey(object), component]));
        const groups = new Map(
            [...new Set(entries.map((entry) => entry.component))].map((component) => {
                const bomComponent = args.components.find((candidate) => candidate.name === component);
                const group = bomComponent
                    ? new BomComponentGroup(`${name}-${component}`, { component: bomComponent }, { parent: this })
                    : new TargetsAndAlerts(`${name}-${component}`, {}, { parent: this });
                return [component, group] as const;
            }),
        );

        const plan = planInstall([...args.platform.objects, ...entries.map((entry) => entry.object)]);
        for (const object of plan.order) {
            const key = objectKey(object);
            const component = componentOf.get(key);
            if (component === undefined) continue;
            const dependsOn = (plan.dependencies.get(key) ?? []).map((dependency) => args.platform.resources.get(dependency.on) ?? this.objects.get(dependency.on)!);
            this.objects.set(key, new KubernetesObjectResource(object, { parent: groups.get(component), dependsOn }));
        }
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
