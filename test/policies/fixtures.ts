// Fixture factories for policy tests: each builds a resource that every
// policy accepts; a failing fixture changes one field with `changed`.
import type { PolicyPackConfig } from "@pulumi/policy";
import { type PolicyRecord, type Violation, evaluatePolicies } from "../../engine/policy-check";
import type { KfstackPolicy } from "../../policies/lib/policy";

type Props = Record<string, unknown>;

export function record(type: string, props: Props, name?: string): PolicyRecord {
    const metadata = (props["metadata"] ?? {}) as { name?: string; namespace?: string };
    const resourceName = name ?? (metadata.namespace ? `${metadata.namespace}/${metadata.name}` : (metadata.name ?? "resource"));
    return { type, name: resourceName, urn: `urn:pulumi:test::kfstack::${type}::${resourceName}`, props };
}

/** A deep copy of `value` with the property at `path` set (or removed when `to` is undefined). */
export function changed<T>(value: T, path: (string | number)[], to: unknown): T {
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (to === undefined) delete node[last];
    else node[last] = to;
    return copy as T;
}

export function container(name = "app"): Props {
    return {
        name,
        image: "registry.example.com/team/app:1.4.2",
        resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        securityContext: { allowPrivilegeEscalation: false, privileged: false },
    };
}

export function podSpec(): Props {
    return { containers: [container()], initContainers: [container("setup")] };
}

const metadata = (name: string, namespace = "team-a") => ({ name, namespace, labels: { app: name } });

/** One compliant resource of every pod-template carrier, with its type token. */
export function podCarriers(): PolicyRecord[] {
    const template = () => ({ metadata: { labels: { app: "app" } }, spec: podSpec() });
    return [
        record("kubernetes:core/v1:Pod", { apiVersion: "v1", kind: "Pod", metadata: metadata("pod"), spec: podSpec() }),
        record("kubernetes:apps/v1:Deployment", { apiVersion: "apps/v1", kind: "Deployment", metadata: metadata("deployment"), spec: { selector: { matchLabels: { app: "app" } }, template: template() } }),
        record("kubernetes:apps/v1:StatefulSet", { apiVersion: "apps/v1", kind: "StatefulSet", metadata: metadata("statefulset"), spec: { selector: { matchLabels: { app: "app" } }, template: template() } }),
        record("kubernetes:apps/v1:DaemonSet", { apiVersion: "apps/v1", kind: "DaemonSet", metadata: metadata("daemonset"), spec: { selector: { matchLabels: { app: "app" } }, template: template() } }),
        record("kubernetes:apps/v1:ReplicaSet", { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: metadata("replicaset"), spec: { selector: { matchLabels: { app: "app" } }, template: template() } }),
        record("kubernetes:batch/v1:Job", { apiVersion: "batch/v1", kind: "Job", metadata: metadata("job"), spec: { template: template() } }),
        record("kubernetes:batch/v1:CronJob", { apiVersion: "batch/v1", kind: "CronJob", metadata: metadata("cronjob"), spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: template() } } } }),
        record("kubernetes:kubeflow.org/v1:PyTorchJob", {
            apiVersion: "kubeflow.org/v1",
            kind: "PyTorchJob",
            metadata: metadata("pytorchjob"),
            spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: template() }, Worker: { replicas: 2, template: template() } } },
        }),
        record("kubernetes:serving.kserve.io/v1beta1:InferenceService", {
            apiVersion: "serving.kserve.io/v1beta1",
            kind: "InferenceService",
            metadata: metadata("inferenceservice"),
            spec: { predictor: { containers: [container("kserve-container")] } },
        }),
    ];
}

/** The violations one policy reports on `records`, as `message` strings (with the resource they name). */
export async function violationsOf(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const report = await evaluatePolicies(records, { policies: [policy], config });
    return report.violations;
}

export async function messagesOf(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<string[]> {
    return (await violationsOf(policy, records, config)).map((violation) => violation.message);
}
