// kfstack's platform alerts: the kfstack-specific, configurable ones that
// kube-prometheus's own rules do not already cover. Every threshold comes from
// kfstack:monitoring.alerts; only the `for` durations are fixed. Windows suit
// kube-prometheus's 30s scrape interval (at least 10 samples per rate window).
import type { AlertThresholds } from "../config/schema";
import type { KubernetesObject } from "../../core/objects";

export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: "warning" | "critical" };
    annotations: { summary: string; description: string; source: string };
}

export interface AlertRuleGroup {
    name: string;
    rules: AlertingRule[];
}

type RuleSpec = Omit<AlertingRule, "labels" | "annotations"> & AlertingRule["labels"] & AlertingRule["annotations"];

function rule({ alert, expr, for: holdFor, severity, summary, description, source }: RuleSpec): AlertingRule {
    return { alert, expr, ...(holdFor ? { for: holdFor } : {}), labels: { severity }, annotations: { summary, description, source } };
}

/** A PromQL string literal of a regex matching exactly one of `values` (Prometheus anchors regexes). */
function anyOf(values: string[]): string {
    return JSON.stringify(values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}

const KSM = 'job="kube-state-metrics"';
const KUBELET = 'job="kubelet", metrics_path="/metrics"';

// dcgm-exporter is scraped without honorLabels, so the pod it maps a GPU to
// arrives as exported_namespace / exported_pod / exported_container; `node`
// comes from kfstack's relabeling (Hostname is the exporter pod's name).
const GPU = "node, gpu, UUID, modelName";
const GPU_AND_POD = `${GPU}, exported_namespace, exported_pod, exported_container`;

// MinIO of Kubeflow Pipelines as its Istio sidecar reports the requests it serves.
const MINIO_REQUESTS = 'reporter="destination", destination_workload="minio", destination_workload_namespace="kubeflow"';

// A cert-manager Certificate's namespace: exported_namespace while the scrape keeps
// the target's own namespace label (no honorLabels, as kfstack scrapes it), else namespace.
const CERTIFICATE = "{{ or $labels.exported_namespace $labels.namespace }}/{{ $labels.name }}";
const CERTIFICATE_BY = "namespace, exported_namespace, name, issuer_kind, issuer_name";

function workloadRules(platformNamespaces: string[]): AlertingRule[] {
    const tenant = `${KSM}, namespace!~${anyOf(platformNamespaces)}`;
    return [
        // Pods that never restart (pipeline steps, restartPolicy Never) keep the
        // OOMKilled in their current state instead: the second half sees it appear.
        rule({
            alert: "KfstackTenantContainerOOMKilled",
            expr: `(
  max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${tenant}}[10m])) > 0
  and on (namespace, pod, container)
  max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${KSM}, reason="OOMKilled"}) == 1
)
or
(
  max by (namespace, pod, container) (kube_pod_container_status_terminated_reason{${tenant}, reason="OOMKilled"}) == 1
  unless on (namespace, pod, container)
  max by (namespace, pod, container) (kube_pod_container_status_terminated_reason{${tenant}, reason="OOMKilled"} offset 10m) == 1
)`,
            severity: "warning",
            summary: "A container in a tenant namespace was killed for running out of memory.",
            description:
                "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} was OOMKilled in the last 10 minutes: it reached its memory limit, or its node ran out of memory. Raise its memory limit or lower the memory it uses.",
            source: "kube-state-metrics: kube_pod_container_status_restarts_total, kube_pod_container_status_last_terminated_reason, kube_pod_container_status_terminated_reason",
        }),
        // kube-system is left out: the cloud's own node agents there run without limits and are not kfstack's to change.
        rule({
            alert: "KfstackContainerWithoutMemoryLimit",
            expr: `(
  max by (namespace, pod, container) (kube_pod_container_info{${KSM}, namespace!="kube-system"})
  and on (namespace, pod)
  max by (namespace, pod) (kube_pod_status_phase{${KSM}, phase="Running"} == 1)
)
unless on (namespace, pod, container)
kube_pod_container_resource_limits{${KSM}, resource="memory"}`,
            for: "15m",
            severity: "warning",
            summary: "A running container has no memory limit.",
            description:
                "Container {{ $labels.container }} of running pod {{ $labels.namespace }}/{{ $labels.pod }} has no memory limit, so it can take its node's memory and get every pod there killed. Set resources.limits.memory (tenant namespaces default it through their LimitRange).",
            source: "kube-state-metrics: kube_pod_container_info, kube_pod_status_phase, kube_pod_container_resource_limits",
        }),
        // The operator creates a namespace's counter at its first failure, so
        // increase() would miss it; a series that is new counts from zero.
        rule({
            alert: "KfstackTrainingJobFailed",
            expr: `sum by (job_namespace, framework) (
  clamp_min(training_operator_jobs_failed_total - (training_operator_jobs_failed_total offset 10m or training_operator_jobs_failed_total * 0), 0)
) > 0`,
            severity: "warning",
            summary: "A training job failed.",
            description:
                '{{ $value | printf "%.0f" }} {{ $labels.framework }} training job(s) in namespace {{ $labels.job_namespace }} failed in the last 10 minutes. List them with kubectl get pytorchjobs,tfjobs,mpijobs,xgboostjobs,paddlejobs,mxjobs -n {{ $labels.job_namespace }}.',
            source: "Training Operator: training_operator_jobs_failed_total",
        }),
    ];
}

function gpuRules(thresholds: AlertThresholds): AlertingRule[] {
    const idle = thresholds.gpuIdleUtilizationPercent;
    return [
        // The coarse utilization (any kernel running) decides; the graphics engine's
        // active ratio, when the exporter has it, vetoes a GPU that is busy after all.
        rule({
            alert: "KfstackGpuIdle",
            expr: `(
  max by (${GPU_AND_POD}) (DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}) < ${idle}
)
unless on (node, UUID)
(
  max by (node, UUID) (DCGM_FI_PROF_GR_ENGINE_ACTIVE) >= ${idle / 100}
)`,
            for: thresholds.gpuIdleFor,
            severity: "warning",
            summary: `A GPU allocated to a pod has been idle (below ${idle}% utilization) for ${thresholds.gpuIdleFor}.`,
            description: `GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on node {{ $labels.node }} is allocated to pod {{ $labels.exported_namespace }}/{{ $labels.exported_pod }} but has been below ${idle}% utilization for ${thresholds.gpuIdleFor} (now {{ $value }}%). Free it for other work: stop the idle notebook or job.`,
            source: "dcgm-exporter: DCGM_FI_DEV_GPU_UTIL, DCGM_FI_PROF_GR_ENGINE_ACTIVE",
        }),
        // The gauge keeps the last XID until the driver reloads, and the pod labels
        // change when the pod goes: alert when a GPU's XID changes to a new one.
        rule({
            alert: "KfstackGpuXidError",
            expr: `(
  max by (${GPU}, err_msg) (DCGM_FI_DEV_XID_ERRORS) > 0
)
unless on (node, UUID)
(
  max by (node, UUID) (DCGM_FI_DEV_XID_ERRORS offset 10m) == max by (node, UUID) (DCGM_FI_DEV_XID_ERRORS)
)`,
            severity: "warning",
            summary: "A GPU reported a new XID error.",
            description:
                "GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on node {{ $labels.node }} reported XID {{ $value }}: {{ $labels.err_msg }}. See https://docs.nvidia.com/deploy/xid-errors/ for whether the GPU needs a reset or the node a drain.",
            source: "dcgm-exporter: DCGM_FI_DEV_XID_ERRORS",
        }),
        rule({
            alert: "KfstackGpuMemoryNearlyFull",
            expr: `max by (${GPU_AND_POD}) (
  DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) * 100
) > ${thresholds.gpuMemoryUsedPercent}`,
            for: "15m",
            severity: "warning",
            summary: `A GPU has more than ${thresholds.gpuMemoryUsedPercent}% of its memory in use.`,
            description: `GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on node {{ $labels.node }}{{ with $labels.exported_pod }}, used by pod {{ $labels.exported_namespace }}/{{ . }},{{ end }} has {{ $value | printf "%.1f" }}% of its memory in use; the next allocation may fail with CUDA out of memory.`,
            source: "dcgm-exporter: DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_FREE",
        }),
    ];
}

function storageRules(thresholds: AlertThresholds): AlertingRule[] {
    // node-exporter runs with --path.rootfs, so mountpoints read as on the host. The kubelet's and containerd's
    // data live on "/" or, on kfstack's EKS nodes, on the NVMe RAID0 bind-mounted at the other three paths.
    const filesystem = `job="node-exporter", mountpoint=~"/|/var/lib/kubelet|/var/lib/containerd|/var/log/pods", fstype!~"tmpfs|ramfs|overlay|squashfs"`;
    return [
        rule({
            // One alert per device, not per bind mount of it.
            alert: "KfstackNodeStorageLow",
            expr: `min by (instance, device) (
  node_filesystem_avail_bytes{${filesystem}} / node_filesystem_size_bytes{${filesystem}} * 100
) < ${thresholds.nodeStorageFreePercent}`,
            for: "10m",
            severity: "warning",
            summary: `A node's kubelet / containerd storage has less than ${thresholds.nodeStorageFreePercent}% free space.`,
            description:
                "Filesystem {{ $labels.device }} on node {{ $labels.instance }}, which holds the kubelet's and containerd's data (images, emptyDir volumes, container logs), has {{ $value | printf \"%.1f\" }}% free space. The kubelet evicts pods when it runs out.",
            source: "node-exporter: node_filesystem_avail_bytes, node_filesystem_size_bytes",
        }),
        // A read-only claim (a data set) may well be full.
        rule({
            alert: "KfstackPersistentVolumeClaimAlmostFull",
            expr: `max by (namespace, persistentvolumeclaim) (
  kubelet_volume_stats_used_bytes{${KUBELET}} / kubelet_volume_stats_capacity_bytes{${KUBELET}}
) * 100 > ${thresholds.pvcUsedPercent}
unless on (namespace, persistentvolumeclaim)
kube_persistentvolumeclaim_access_mode{${KSM}, access_mode="ReadOnlyMany"} == 1`,
            for: "10m",
            severity: "warning",
            summary: `A PersistentVolumeClaim is more than ${thresholds.pvcUsedPercent}% full.`,
            description:
                'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | printf "%.1f" }}% full. Expand it or delete data before writes fail.',
            source: "kubelet: kubelet_volume_stats_used_bytes, kubelet_volume_stats_capacity_bytes; kube-state-metrics: kube_persistentvolumeclaim_access_mode",
        }),
    ];
}

function platformRules(thresholds: AlertThresholds): AlertingRule[] {
    const objectStoreP95 = thresholds.objectStoreP95Seconds;
    return [
        // An expiration of 0 is a certificate not issued yet.
        rule({
            alert: "KfstackCertificateExpiringSoon",
            expr: `min by (${CERTIFICATE_BY}) (
  certmanager_certificate_expiration_timestamp_seconds > 0
) - time() < ${thresholds.certificateExpiryDays} * 86400`,
            for: "15m",
            severity: "warning",
            summary: `A cert-manager certificate expires within ${thresholds.certificateExpiryDays} days.`,
            description: `Certificate ${CERTIFICATE} (issuer {{ $labels.issuer_kind }} {{ $labels.issuer_name }}) expires in {{ $value | humanizeDuration }} and cert-manager has not renewed it. Check kubectl describe certificate and the cert-manager logs.`,
            source: "cert-manager controller: certmanager_certificate_expiration_timestamp_seconds",
        }),
        rule({
            alert: "KfstackCertificateNotReady",
            expr: `max by (${CERTIFICATE_BY}) (certmanager_certificate_ready_status{condition="False"}) == 1`,
            for: "15m",
            severity: "warning",
            summary: "A cert-manager certificate is not ready.",
            description: `Certificate ${CERTIFICATE} (issuer {{ $labels.issuer_kind }} {{ $labels.issuer_name }}) has been not ready for 15 minutes, so its Secret is missing or stale. Check kubectl describe certificate and the cert-manager logs.`,
            source: "cert-manager controller: certmanager_certificate_ready_status",
        }),
        // Rejections because the API server could not call the webhook (not the webhook's own denials, error_type no_error).
        rule({
            alert: "KfstackAdmissionWebhookErrors",
            expr: `sum by (name, type, operation, error_type) (
  increase(apiserver_admission_webhook_rejection_count{job="apiserver", error_type=~"calling_webhook_error|apiserver_internal_error"}[5m])
) > 0`,
            for: "10m",
            severity: "warning",
            summary: "The API server is rejecting requests because it cannot call an admission webhook.",
            description:
                'The API server rejected {{ $value | printf "%.0f" }} {{ $labels.operation }} request(s) in the last 5 minutes with {{ $labels.error_type }} from {{ $labels.type }} webhook {{ $labels.name }}. Check that the webhook\'s Service has ready endpoints and that its serving certificate is valid.',
            source: "Kubernetes API server: apiserver_admission_webhook_rejection_count",
        }),
        rule({
            alert: "KfstackObjectStoreErrors",
            expr: `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${MINIO_REQUESTS}, response_code=~"5.."}[5m]))
/
sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${MINIO_REQUESTS}}[5m]))
* 100 > ${thresholds.objectStoreErrorPercent}`,
            for: "10m",
            severity: "warning",
            summary: `More than ${thresholds.objectStoreErrorPercent}% of requests to the Pipelines object store fail.`,
            description:
                '{{ $value | printf "%.1f" }}% of requests to MinIO ({{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }}) were answered with a 5xx in the last 5 minutes; pipeline runs cannot read or write their artifacts.',
            source: "Istio sidecar of MinIO: istio_requests_total",
        }),
        rule({
            alert: "KfstackObjectStoreSlow",
            expr: `histogram_quantile(0.95,
  sum by (destination_workload_namespace, destination_workload, le) (rate(istio_request_duration_milliseconds_bucket{${MINIO_REQUESTS}}[5m]))
) / 1000 > ${objectStoreP95}`,
            for: "10m",
            severity: "warning",
            summary: `The Pipelines object store answers more than 5% of requests slower than ${objectStoreP95}s.`,
            description:
                "The 95th-percentile latency of requests to MinIO ({{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }}) is {{ $value | humanizeDuration }} over the last 5 minutes; pipeline steps wait on their artifacts.",
            source: "Istio sidecar of MinIO: istio_request_duration_milliseconds_bucket",
        }),
        // kube-prometheus keeps only some `le` buckets; histogram_quantile interpolates between those.
        rule({
            alert: "KfstackApiServerSlow",
            expr: `histogram_quantile(0.99,
  sum by (verb, le) (rate(apiserver_request_duration_seconds_bucket{job="apiserver", verb!~"WATCH|CONNECT", subresource!~"proxy|attach|log|exec|portforward"}[5m]))
) > ${thresholds.apiServerP99Seconds}`,
            for: "10m",
            severity: "warning",
            summary: `The Kubernetes API server answers more than 1% of requests slower than ${thresholds.apiServerP99Seconds}s.`,
            description:
                "The 99th-percentile latency of {{ $labels.verb }} requests to the Kubernetes API server is {{ $value | humanizeDuration }} over the last 5 minutes; controllers, Pipelines and the dashboard slow down with it.",
            source: "Kubernetes API server: apiserver_request_duration_seconds_bucket",
        }),
    ];
}

/** kfstack's alerting rules; "tenant namespaces" are all namespaces but `platformNamespaces`. */
export function alertRuleGroups(thresholds: AlertThresholds, platformNamespaces: string[]): AlertRuleGroup[] {
    return [
        { name: "kfstack-workloads", rules: workloadRules(platformNamespaces) },
        { name: "kfstack-gpu", rules: gpuRules(thresholds) },
        { name: "kfstack-storage", rules: storageRules(thresholds) },
        { name: "kfstack-platform", rules: platformRules(thresholds) },
    ];
}

/** The PrometheusRule kube-prometheus's Prometheus (k8s) loads. */
export function alertsPrometheusRule(thresholds: AlertThresholds, platformNamespaces: string[], namespace: string): KubernetesObject {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
            name: "kfstack-alerts",
            namespace,
            labels: {
                "app.kubernetes.io/name": "kfstack",
                "app.kubernetes.io/component": "alert-rules",
                "app.kubernetes.io/part-of": "kfstack",
                prometheus: "k8s",
                role: "alert-rules",
            },
        },
        spec: { groups: alertRuleGroups(thresholds, platformNamespaces) },
    };
}
