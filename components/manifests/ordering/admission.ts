// Which objects an admission webhook intercepts on CREATE, and which
// workloads serve it: the third ordering rule (docs/manifest-ordering.md).
import type { CompiledSelector } from "../../../core/label-selectors";
import { podTemplates } from "../../../core/pod-templates";
import { describeObject, type KubernetesObject } from "../../../core/objects";
import { push } from "./multimap";
import { NAMESPACE_NAME_LABEL, type Node, type ObjectIndex, type Request, type Target } from "./object-index";
import { asRecord } from "../../../core/records";
import type { Rule, Webhook } from "./webhook-configurations";

export interface Admission {
    config: KubernetesObject;
    webhook: string;
    target: Target;
}

/** Every (object, workload) pair where a webhook served by the workload admits the object, in discovery order. */
export function webhookCandidates(index: ObjectIndex): { from: Node; on: Node; admissions: Admission[] }[] {
    const candidates = new Map<string, { from: Node; on: Node; admissions: Admission[] }>();
    for (const webhook of index.webhooks) {
        const workloads = backingWorkloads(index, webhook);
        if (workloads.length === 0) continue;
        for (const request of candidateRequests(index, webhook)) {
            if (!admits(index, webhook, request)) continue;
            for (const workload of workloads) {
                const pair = `${request.node.key}\u0000${workload.key}`;
                let candidate = candidates.get(pair);
                if (!candidate) candidates.set(pair, (candidate = { from: request.node, on: workload, admissions: [] }));
                const duplicate = candidate.admissions.some(
                    (seen) => seen.config === webhook.config && seen.webhook === webhook.name && seen.target === request.target,
                );
                if (!duplicate) candidate.admissions.push({ config: webhook.config, webhook: webhook.name, target: request.target });
            }
        }
    }
    return [...candidates.values()];
}

/** Deployments, StatefulSets and DaemonSets whose pod template labels match the selector of the webhook's Service. */
function backingWorkloads(index: ObjectIndex, webhook: Webhook): Node[] {
    if (!webhook.service) return [];
    const service = index.services.get(`${webhook.service.namespace}/${webhook.service.name}`);
    const selector = asRecord(asRecord(service?.object["spec"])["selector"]);
    // A Service without a selector has no pods behind it (its endpoints are managed by hand).
    if (!service || Object.keys(selector).length === 0) return [];
    return (index.workloadsByNamespace.get(webhook.service.namespace) ?? []).filter((workload) =>
        podTemplates(workload.object).some((template) => Object.entries(selector).every(([key, value]) => template.metadata?.labels?.[key] === String(value))),
    );
}

/** The requests in the API groups the webhook's rules name, in input order. */
function candidateRequests(index: ObjectIndex, webhook: Webhook): Request[] {
    const groups = new Set(webhook.rules.flatMap((rule) => rule.apiGroups));
    if (groups.has("*")) return index.allRequests;
    const requests = [...groups].flatMap((group) => index.requestsByGroup.get(group) ?? []);
    return groups.size > 1 ? requests.sort((a, b) => a.node.index - b.node.index || (a.target === "it" ? -1 : 1)) : requests;
}

/** Whether the API server would call the webhook when the request's object is created ("Matching requests"). */
function admits(index: ObjectIndex, webhook: Webhook, request: Request): boolean {
    const matchesRule =
        webhook.rules.some((rule) => ruleMatches(rule, request, request.version)) ||
        // matchPolicy Equivalent: a rule naming another version the same resource is served at also applies.
        (webhook.equivalent &&
            webhook.rules.some((rule) => request.versions.some((version) => version !== request.version && ruleMatches(rule, request, version))));
    return matchesRule && namespaceSelectorMatches(index, webhook.namespaceSelector, request) && webhook.objectSelector.matches(request.labels);
}

function ruleMatches(rule: Rule, request: Request, version: string): boolean {
    const isNamespace = request.group === "" && request.resource === "namespaces";
    // scope: a Namespace counts as cluster-scoped; "*" (the default) matches everything.
    const scope =
        rule.scope === "*" ||
        (rule.scope === "Namespaced" ? request.namespaced && !isNamespace : rule.scope === "Cluster" ? !request.namespaced || isNamespace : false);
    return (
        scope &&
        (rule.operations.includes("CREATE") || rule.operations.includes("*")) &&
        (rule.apiGroups.includes(request.group) || rule.apiGroups.includes("*")) &&
        (rule.apiVersions.includes(version) || rule.apiVersions.includes("*")) &&
        rule.resources.some((entry) => {
            // As the API server splits `resource/subresource`: `pods/status` never matches a create of pods,
            // while `pods/*` and `*/*` do (a `*` subresource also matches the empty one).
            const slash = entry.indexOf("/");
            const resource = slash < 0 ? entry : entry.slice(0, slash);
            const subresource = slash < 0 ? "" : entry.slice(slash + 1);
            return (resource === "*" || resource === request.resource) && (subresource === "*" || subresource === "");
        })
    );
}

function namespaceSelectorMatches(index: ObjectIndex, selector: CompiledSelector, request: Request): boolean {
    const isNamespace = request.group === "" && request.resource === "namespaces";
    // Cluster-scoped objects other than Namespaces are never exempted by a namespaceSelector.
    if (!request.namespaced && !isNamespace) return true;
    if (selector.empty) return true;
    const { object } = request.node;
    // A Namespace being created is matched on its own labels.
    if (isNamespace) return selector.matches({ ...object.metadata.labels, [NAMESPACE_NAME_LABEL]: object.metadata.name });
    const namespace = request.node.namespace;
    const labels = namespace === undefined ? undefined : index.namespaceLabels(namespace);
    // A namespace that is not among the objects has labels we cannot know: assume the selector does not match.
    return labels !== undefined && selector.matches(labels);
}

/** `Deployment ns/x serves MutatingWebhookConfiguration y (webhook z), which admits it`, listing every webhook that applies. */
export function webhookReason(workload: Node, admissions: Admission[]): string {
    const targets = [...new Set(admissions.map((admission) => admission.target))];
    const parts = targets.map((target) => {
        const configs = new Map<KubernetesObject, string[]>();
        for (const admission of admissions.filter((candidate) => candidate.target === target)) push(configs, admission.config, admission.webhook);
        const items = [...configs].map(([config, names]) => `${describeObject(config)} (${names.length > 1 ? "webhooks" : "webhook"} ${names.join(", ")})`);
        return `${joinWithAnd(items)}, which ${items.length > 1 ? "admit" : "admits"} ${target}`;
    });
    return `${describeObject(workload.object)} serves ${parts.join(", and ")}`;
}

function joinWithAnd(items: string[]): string {
    return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
