// The pods that stand for a namespace, since a plan holds no Pods of tenant namespaces: its workloads' pod templates
// and the symbolic pods a user could create (see docs/network-policy-evaluation.md, "Approximations").
import type { LabelSelector, Labels } from "../label-selectors";
import { type KubernetesObject, describeObject } from "../objects";
import { type PodTemplate, podTemplates } from "../pod-templates";
import { isRecord } from "../records";
import type { PodIdentity } from "./policy";
import type { DestinationPorts } from "./ports";

export interface Pod extends PodIdentity {
    ports: DestinationPorts;
    description: string;
    symbolic: boolean;
}

const labelsText = (labels: Labels) =>
    Object.keys(labels)
        .sort()
        .map((key) => `${key}=${labels[key] === "" ? '""' : labels[key]}`)
        .join(", ");

function declaredPorts(template: PodTemplate): Map<string, number[]> {
    const ports = new Map<string, number[]>();
    for (const container of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
        for (const port of Array.isArray(container["ports"]) ? (container["ports"] as unknown[]) : []) {
            if (!isRecord(port) || typeof port["name"] !== "string" || typeof port["containerPort"] !== "number") continue;
            const key = `${typeof port["protocol"] === "string" ? port["protocol"] : "TCP"}/${port["name"]}`;
            ports.set(key, [...(ports.get(key) ?? []), port["containerPort"]]);
        }
    }
    return ports;
}

/** The pods of every workload, one per pod template. */
export function workloadPods(objects: readonly KubernetesObject[]): Pod[] {
    return objects.flatMap((object) => {
        const templates = podTemplates(object);
        return templates.map((template, index): Pod => {
            const namespace = object.metadata.namespace ?? "default";
            const which = templates.length > 1 ? ` (template ${index + 1} of ${templates.length})` : "";
            return {
                namespace,
                labels: template.metadata?.labels ?? {},
                ports: declaredPorts(template),
                description: `pods of ${describeObject(object)}${which}`,
                symbolic: false,
            };
        });
    });
}

/** Label sets that satisfy a selector: matchLabels, each combination of `In` values, `Exists` keys with an empty value. */
export function labelSetsOf(selector: LabelSelector): Record<string, string>[] {
    let sets: Record<string, string>[] = [{ ...(selector.matchLabels ?? {}) }];
    const expressions = selector.matchExpressions ?? [];
    for (const { key, values } of expressions.filter((expression) => expression.operator === "In")) {
        sets = sets.flatMap((set) => {
            const fitting = (values ?? []).filter((value) => !Object.hasOwn(set, key) || set[key] === value);
            return fitting.length > 0 ? fitting.map((value) => ({ ...set, [key]: value })) : [set];
        });
    }
    for (const { key } of expressions.filter((expression) => expression.operator === "Exists")) {
        sets = sets.map((set) => (Object.hasOwn(set, key) ? set : { ...set, [key]: "" }));
    }
    return sets;
}

const labelsKey = (labels: Labels) =>
    JSON.stringify(
        Object.keys(labels)
            .sort()
            .map((key) => [key, labels[key]]),
    );

function symbolicLabelSets(named: Record<string, string>[]): Record<string, string>[] {
    const sets = new Map<string, Record<string, string>>([[labelsKey({}), {}]]);
    for (const labels of named) sets.set(labelsKey(labels), labels);
    const singles = [...sets.values()];
    for (const [index, a] of singles.entries()) {
        for (const b of singles.slice(index + 1)) {
            if (Object.keys(b).every((key) => !Object.hasOwn(a, key) || a[key] === b[key])) {
                const merged = { ...a, ...b };
                if (!sets.has(labelsKey(merged))) sets.set(labelsKey(merged), merged);
            }
        }
    }
    return [...sets.values()];
}

/** The pods a user could create in `namespace`: one with no labels, one per named label set, one per compatible pair. */
export function symbolicPods(namespace: string, named: Record<string, string>[]): Pod[] {
    return symbolicLabelSets(named).map((set) => ({
        namespace,
        labels: set,
        ports: "chosen",
        description: Object.keys(set).length === 0 ? `a pod of ${namespace} with no labels` : `a pod of ${namespace} labelled ${labelsText(set)}`,
        symbolic: true,
    }));
}
