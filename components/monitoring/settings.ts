// The monitoring settings of a stack, with every default applied here: sizes
// by topology, the device plugin by cloud, Grafana's exposure.
import type { AlertRouting, AlertThresholds, StackConfig } from "../config/schema";

export const MONITORING_NAMESPACE = "monitoring";

export interface MonitoringSettings {
    cloud: StackConfig["cloud"];
    retention: string;
    storageSize: string;
    storageClass?: string;
    prometheusMemoryLimit: string;
    grafanaExposure: "gateway" | "portForward";
    alerts: AlertThresholds;
    /** Where Alertmanager sends alerts; none configured leaves upstream's empty receivers. */
    alertRouting?: AlertRouting;
}

const SIZES = {
    testing: { storageSize: "50Gi", prometheusMemoryLimit: "4Gi" },
    // Kubeflow plus a GPU fleet is ~1-2 million active series: 8-16 GiB of Prometheus memory.
    production: { storageSize: "200Gi", prometheusMemoryLimit: "16Gi" },
} as const;

export function monitoringSettingsOf(config: StackConfig): MonitoringSettings {
    const monitoring = config.monitoring;
    return {
        cloud: config.cloud,
        retention: monitoring.retention,
        storageSize: monitoring.storageSize ?? SIZES[config.topology].storageSize,
        ...(monitoring.storageClass ? { storageClass: monitoring.storageClass } : {}),
        prometheusMemoryLimit: monitoring.prometheusMemoryLimit ?? SIZES[config.topology].prometheusMemoryLimit,
        grafanaExposure: monitoring.grafanaExposure,
        alerts: monitoring.alerts,
        ...(monitoring.alertRouting ? { alertRouting: monitoring.alertRouting } : {}),
    };
}
