// Every pod template a Kubernetes object carries, for the policy pack and for
// kfstack's own changes to upstream objects. Lives with the policy pack because
// a published pack can only use code inside its own directory.
import { isRecord } from "./records";

/** A container's environment variable: a literal value, or where the value comes from (a Secret's or ConfigMap's key). */
export interface EnvVar {
    name: string;
    value?: unknown;
    valueFrom?: { secretKeyRef?: { name?: string; key?: string }; configMapKeyRef?: { name?: string; key?: string }; [source: string]: unknown };
}

export interface Container {
    name: string;
    image?: string;
    resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
    [key: string]: unknown;
}

export interface PodSpec {
    containers: Container[];
    initContainers?: Container[];
    [key: string]: unknown;
}

export interface PodTemplate {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: PodSpec;
}

export interface PodCarrier {
    kind: string;
    spec?: unknown;
    metadata?: unknown;
}

function asTemplate(value: unknown): PodTemplate | undefined {
    return isRecord(value) && isRecord(value["spec"]) && Array.isArray(value["spec"]["containers"]) ? (value as unknown as PodTemplate) : undefined;
}

/** KServe v1beta1 model formats: each is one container (named kserve-container) of the component's pod. */
const KSERVE_MODEL_FIELDS = ["model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "pmml", "lightgbm", "paddle", "huggingface"];

/** An InferenceService's predictor, transformer and explainer, each a pod spec plus at most one model container. */
function inferenceServiceTemplates(spec: Record<string, unknown>): PodTemplate[] {
    return ["predictor", "transformer", "explainer"]
        .map((role) => spec[role])
        .filter(isRecord)
        .map((component) => {
            const models = KSERVE_MODEL_FIELDS.map((field) => component[field])
                .filter(isRecord)
                .map((model) => ({ name: "kserve-container", ...model }));
            const containers = [...(Array.isArray(component["containers"]) ? (component["containers"] as Container[]) : []), ...models];
            const podSpec = Object.fromEntries(Object.entries(component).filter(([key]) => !KSERVE_MODEL_FIELDS.includes(key)));
            return { metadata: isRecord(component["metadata"]) ? component["metadata"] : undefined, spec: { ...podSpec, containers } };
        });
}

/**
 * Every pod template an object carries: Pod itself, the apps/batch workloads,
 * CronJob's job template, the replica specs of Kubeflow training jobs
 * (PyTorchJob, TFJob, MPIJob …) and the components of a KServe InferenceService.
 */
export function podTemplates(object: PodCarrier): PodTemplate[] {
    const spec = object["spec"];
    if (!isRecord(spec)) return [];
    if (object.kind === "InferenceService") return inferenceServiceTemplates(spec);
    if (object.kind === "Pod") {
        const self = asTemplate({ metadata: object.metadata, spec });
        return self ? [self] : [];
    }
    const direct = asTemplate(spec["template"]);
    if (direct) return [direct];
    const jobTemplate = spec["jobTemplate"];
    if (isRecord(jobTemplate) && isRecord(jobTemplate["spec"])) {
        const template = asTemplate(jobTemplate["spec"]["template"]);
        return template ? [template] : [];
    }
    return Object.entries(spec)
        .filter(([key, value]) => key.endsWith("ReplicaSpecs") && isRecord(value))
        .flatMap(([, replicaSpecs]) => Object.values(replicaSpecs as Record<string, unknown>))
        .flatMap((replica) => (isRecord(replica) ? [asTemplate(replica["template"])] : []))
        .filter((template): template is PodTemplate => template !== undefined);
}
