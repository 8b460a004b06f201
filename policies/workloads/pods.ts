// What several workload policies ask of a pod: its GPU requests, whether it
// tolerates the GPU nodes' taint and selects a GPU model, and how to name a
// container in a message.
import type { ReportViolation } from "@pulumi/policy";
import type { Container, PodSpec, PodTemplate } from "../../core/pod-templates";
import { describeResource, kubernetesKind, podTemplatesOf } from "../../core/kubernetes-resources";
import { parseQuantity } from "../../core/quantity";
import { GPU_PRODUCT_LABEL, GPU_RESOURCE, GPU_TAINT } from "../../core/gpu";
import { isRecord } from "../../core/records";

export const GPU_TAINT_TEXT = `${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect}`;

/** A resource under validation that carries pods: its kind, its pod templates and how messages name it. */
export interface Workload {
    kind: string;
    templates: PodTemplate[];
    readonly what: string;
}

/** The workload a resource is, or undefined when it is not a Kubernetes object that carries pods. */
export function workloadOf(resource: { type: string; name: string; props: Record<string, unknown> }): Workload | undefined {
    const kind = kubernetesKind(resource.type)?.kind;
    const templates = kind ? podTemplatesOf(kind, resource.props) : [];
    if (!kind || templates.length === 0) return undefined;
    // Named when a policy reads it: reading metadata the preview cannot know makes the policy undecided for the resource.
    return {
        kind,
        templates,
        get what() {
            return describeResource(kind, resource.props, resource.name);
        },
    };
}

/** "Container" or "Init container", to start a message. */
export function containerNoun(role: "container" | "init container"): string {
    return role === "container" ? "Container" : "Init container";
}

/** How many GPUs a container asks for (the larger of its request and limit), 0 when none. */
export function gpuCount(container: Container): number {
    const resources = isRecord(container.resources) ? container.resources : {};
    const amounts = [resources.requests, resources.limits].map((section) => (isRecord(section) ? section[GPU_RESOURCE] : undefined));
    return Math.max(0, ...amounts.map((amount) => (typeof amount === "string" || typeof amount === "number" ? (parseQuantity(amount) ?? 0) : 0)));
}

export function podContainers(spec: PodSpec): Container[] {
    return [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])];
}

/** The first toleration of the pod that tolerates the GPU taint, as Kubernetes matches them (an empty key with Exists tolerates every taint). */
export function gpuToleration(spec: PodSpec): Record<string, unknown> | undefined {
    const tolerations = Array.isArray(spec["tolerations"]) ? (spec["tolerations"] as unknown[]).filter(isRecord) : [];
    return tolerations.find((toleration) => {
        const { key, operator, value, effect } = toleration;
        if (effect !== undefined && effect !== "" && effect !== GPU_TAINT.effect) return false;
        if (operator === "Exists") return key === undefined || key === "" || key === GPU_TAINT.key;
        return key === GPU_TAINT.key && (operator === undefined || operator === "Equal") && value === GPU_TAINT.value;
    });
}

/** Whether the pod can only land on chosen GPU models: a nodeSelector on the product label, or every required node-affinity term selecting products. */
export function selectsGpuModel(spec: PodSpec): boolean {
    const nodeSelector = spec["nodeSelector"];
    if (isRecord(nodeSelector) && typeof nodeSelector[GPU_PRODUCT_LABEL] === "string" && nodeSelector[GPU_PRODUCT_LABEL] !== "") return true;
    const affinity = isRecord(spec["affinity"]) ? spec["affinity"] : {};
    const nodeAffinity = isRecord(affinity["nodeAffinity"]) ? affinity["nodeAffinity"] : {};
    const required = isRecord(nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"])
        ? nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"]
        : {};
    const terms = Array.isArray(required["nodeSelectorTerms"]) ? (required["nodeSelectorTerms"] as unknown[]) : [];
    return (
        terms.length > 0 &&
        terms.every(
            (term) =>
                isRecord(term) &&
                Array.isArray(term["matchExpressions"]) &&
                (term["matchExpressions"] as unknown[]).some(
                    (expression) =>
                        isRecord(expression) &&
                        expression["key"] === GPU_PRODUCT_LABEL &&
                        expression["operator"] === "In" &&
                        Array.isArray(expression["values"]) &&
                        expression["values"].length > 0,
                ),
        )
    );
}

/** A reportViolation that drops repeats: the replicas of a training job often share one pod template. */
export function reportingOnce(reportViolation: ReportViolation): ReportViolation {
    const seen = new Set<string>();
    return (message, urn) => {
        const key = `${urn ?? ""}\n${message}`;
        if (seen.has(key)) return;
        seen.add(key);
        reportViolation(message, urn);
    };
}

/** A byte count the way Kubernetes users write it, rounded down to a tenth: 2Gi, 115.2Gi, 512Mi. */
export function formatBytes(bytes: number): string {
    const tenths = (value: number) => Math.floor(value * 10 + 1e-9) / 10;
    return bytes >= 2 ** 30 ? `${tenths(bytes / 2 ** 30)}Gi` : `${tenths(bytes / 2 ** 20)}Mi`;
}
