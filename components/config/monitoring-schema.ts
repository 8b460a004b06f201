// The `monitoring` section of the stack file's schema.
import { z } from "zod";
import { secretValue } from "./fields";

const promDuration = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, { error: "must be a Prometheus duration such as 30m, 6h or 15d" });
const percent = z.number().min(0, { error: "must be a percentage from 0 to 100" }).max(100, { error: "must be a percentage from 0 to 100" });

const alertThresholds = z
    .strictObject({
        gpuIdleUtilizationPercent: percent.default(10).describe("A GPU allocated to a pod counts as idle below this utilization (DCGM_FI_DEV_GPU_UTIL)."),
        gpuIdleFor: promDuration.default("1h").describe("How long an allocated GPU must stay idle before the alert fires."),
        gpuMemoryUsedPercent: percent.default(95).describe("GPU memory (framebuffer) use that counts as nearly full."),
        nodeStorageFreePercent: percent.default(10).describe("Free space left on a node's NVMe / kubelet filesystem that counts as pressure."),
        pvcUsedPercent: percent.default(90).describe("Use of a PersistentVolumeClaim that counts as almost full."),
        certificateExpiryDays: z.number().int().min(1).default(14).describe("cert-manager certificates expiring within this many days alert."),
        apiServerP99Seconds: z.number().positive().default(1).describe("99th-percentile Kubernetes API request latency (non-watch) that alerts."),
        objectStoreP95Seconds: z.number().positive().default(2).describe("95th-percentile latency of requests to Pipelines' MinIO that alerts."),
        objectStoreErrorPercent: percent.default(5).describe("Share of MinIO requests answered with 5xx that alerts."),
    })
    .prefault({})
    .describe("Alert thresholds of kfstack's PrometheusRule.");

const alertRouting = z
    .strictObject({
        slack: z
            .strictObject({
                webhookUrl: secretValue.describe("The channel's incoming-webhook URL, as a secret."),
                channel: z
                    .string()
                    .regex(/^#[-a-z0-9_.]+$/, { error: "must be a Slack channel such as #ml-platform-alerts" })
                    .describe("Channel to post to."),
            })
            .optional()
            .describe("Post every alert (warning and critical) to a Slack channel."),
        pagerDuty: z
            .strictObject({ routingKey: secretValue.describe("Integration (routing) key of a PagerDuty Events API v2 service, as a secret.") })
            .optional()
            .describe("Page on critical alerts."),
        webhook: z
            .strictObject({ url: secretValue.describe("Receiver URL, as a secret (it may carry a token).") })
            .optional()
            .describe("POST every alert in Alertmanager's webhook format (in an enclave: the site's own alert gateway)."),
    })
    .optional()
    .describe("Where Alertmanager sends alerts; without it alerts are only visible in Alertmanager and Grafana.");

export const monitoring = z
    .strictObject({
        enabled: z
            .boolean()
            .default(true)
            .describe("Install Prometheus, Alertmanager, Grafana and the exporters (kube-prometheus), GPU metrics and kfstack's alerts and dashboards."),
        retention: promDuration.default("15d").describe("How long Prometheus keeps samples."),
        storageSize: z
            .string()
            .regex(/^[0-9]+(Mi|Gi|Ti)$/, { error: "must be a size such as 100Gi" })
            .optional()
            .describe("Size of each Prometheus replica's PersistentVolumeClaim (default: 50Gi testing, 200Gi production)."),
        storageClass: z.string().min(1).optional().describe("StorageClass of the Prometheus volumes (default: the cluster's default class)."),
        prometheusMemoryLimit: z
            .string()
            .regex(/^[0-9]+(Mi|Gi)$/, { error: "must be a memory size such as 8Gi" })
            .optional()
            .describe("Memory limit of each Prometheus replica, requested at half (default: 4Gi testing, 16Gi production)."),
        grafanaAdminPassword: secretValue.optional().describe("Grafana's admin password; generated (a stack output, secret) when unset."),
        grafanaExposure: z
            .enum(["gateway", "portForward"])
            .default("gateway")
            .describe("gateway: Grafana at /grafana/ on the Kubeflow gateway, behind Kubeflow's login; portForward: only by kubectl port-forward."),
        devicePlugin: z
            .enum(["install", "provided"])
            .optional()
            .describe(
                "NVIDIA device plugin on GPU nodes: install (default on aws) or provided by the platform (GKE always; default on existing clusters, which usually run the GPU operator).",
            ),
        alerts: alertThresholds,
        alertRouting,
    })
    .prefault({})
    .describe("Monitoring: pinned kube-prometheus, GPU metrics (DCGM), kfstack's alerts and dashboards.");
