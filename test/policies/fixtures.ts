// Fixture factories for policy tests: each builds a resource that every
// policy accepts; a failing fixture changes one field with `changed`. The
// check helpers also run every rejected fixture through the CLI.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { expect, vi } from "vitest";
import { runCli } from "../../cli/commands";
import { type PolicyRecord, type PolicyReport, type Violation, evaluatePolicies } from "../../engine/policy-check";
import { Secret, Unknown } from "../../engine/values";
import type { KfstackPolicy } from "../../policies/lib/policy";

type Props = Record<string, unknown>;

export function record(type: string, props: Props, name?: string): PolicyRecord {
    const metadata = (props["metadata"] ?? {}) as { name?: string; namespace?: string };
    const resourceName = name ?? (metadata.namespace ? `${metadata.namespace}/${metadata.name}` : (metadata.name ?? "resource"));
    return { type, name: resourceName, urn: `urn:pulumi:test::kfstack::${type}::${resourceName}`, props };
}

/** A deep copy that keeps Unknown and Secret markers what they are (structuredClone would turn them into plain objects). */
function copy<T>(value: T): T {
    if (value instanceof Unknown || value instanceof Secret) return value;
    if (Array.isArray(value)) return value.map(copy) as T;
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, copy(inner)])) as T;
    return value;
}

/** A deep copy of `value` with the property at `path` set (or removed when `to` is undefined). */
export function changed<T>(value: T, path: (string | number)[], to: unknown): T {
    const result = copy(value) as Record<string | number, unknown>;
    let node = result;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (to === undefined) delete node[last];
    else node[last] = to;
    return result as T;
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
        ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((kind) =>
            record(`kubernetes:apps/v1:${kind}`, {
                apiVersion: "apps/v1",
                kind,
                metadata: metadata(kind.toLowerCase()),
                spec: { selector: { matchLabels: { app: "app" } }, template: template() },
            }),
        ),
        record("kubernetes:batch/v1:Job", { apiVersion: "batch/v1", kind: "Job", metadata: metadata("job"), spec: { template: template() } }),
        record("kubernetes:batch/v1:CronJob", {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: metadata("cronjob"),
            spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: template() } } },
        }),
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

/** The kinds podCarriers() builds before its PyTorchJob and InferenceService, in order. */
export const WORKLOAD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];

/** The kind each violation message names ("… in Deployment …"): which carriers a policy walked. */
export function kindsNamedIn(messages: string[]): string[] {
    return messages.map((message) => /in (\w+) /.exec(message)![1]!);
}

/** Runs `kfstack check --resources … --json` in-process; the exit code and the violations it printed. */
export async function checkThroughCli(records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<{ code: number; violations: Omit<Violation, "id">[] }> {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-check-"));
    const resources = join(directory, "resources.json");
    const policyConfig = join(directory, "policy-config.json");
    writeFileSync(resources, JSON.stringify(records));
    writeFileSync(policyConfig, JSON.stringify(config));
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
    try {
        const code = await runCli(["check", "--resources", resources, "--policy-config", policyConfig, "--json"]);
        return { code, violations: printed.length ? (JSON.parse(printed.join("\n")) as { violations: Omit<Violation, "id">[] }).violations : [] };
    } finally {
        log.mockRestore();
        rmSync(directory, { recursive: true, force: true });
    }
}

/** The violation a mandatory policy reports for one finding on `resource`, as violationsOf returns it: the policy's name and id, the resource's URN and the full message. */
export function mandatoryViolation(of: { policy: string; id: string }, resource: Pick<PolicyRecord, "urn">, message: string) {
    return { ...of, enforcement: "mandatory", resource: resource.urn, message };
}

/**
 * The violations one policy reports on `records`. Every fixture a policy
 * rejects is also run through `kfstack check --resources`, which must report
 * the same violations for that policy and fail on mandatory ones.
 */
export async function violationsOf(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const report = await evaluatePolicies(records, { policies: [policy], config });
    if (report.violations.length > 0) {
        const cli = await checkThroughCli(records, config);
        expect(
            cli.violations.filter((violation) => violation.policy === policy.name),
            "kfstack check --resources reports the same",
        ).toEqual(report.violations.map(({ policy: name, enforcement, resource, message }) => ({ policy: name, enforcement, resource, message })));
        if (report.violations.some((violation) => violation.enforcement === "mandatory")) expect(cli.code, "kfstack check exits 1").toBe(1);
    }
    return report.violations;
}

export async function messagesOf(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<string[]> {
    return (await violationsOf(policy, records, config)).map((violation) => violation.message);
}

/** What one policy leaves undecided on `records` during a preview, where it must report no violation either: it neither passes nor fails what it cannot know. */
export async function undecidedOf(policy: KfstackPolicy, records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<PolicyReport["undecided"]> {
    const report = await evaluatePolicies(records, { policies: [policy], config });
    expect(report.violations).toEqual([]);
    return report.undecided;
}
