// The install order of a set of Kubernetes objects: which objects must exist
// (or be ready) before each other object can be created, so every object can be
// its own Pulumi resource with `dependsOn`, instead of upstream's "kubectl apply
// in a loop until it works". Three rules, each following the API server:
//
// 1. A namespaced object needs its Namespace ("Namespaces", concepts/overview/
//    working-with-objects/namespaces: objects are created in an existing namespace).
// 2. A custom resource needs the CustomResourceDefinition of its group and kind
//    (tasks/extend-kubernetes/custom-resources/custom-resource-definitions).
// 3. An object an admission webhook intercepts on CREATE needs the workloads behind
//    the webhook's Service, since the Pulumi provider waits for them to be ready,
//    and the webhook configuration itself, without which it would not be called
//    (reference/access-authn-authz/extensible-admission-controllers, "Matching
//    requests": rules, scope, namespaceSelector, objectSelector, matchPolicy).
//    Pod-template carriers count as creating pods.
import { BUILT_IN_KINDS, type ResourceInfo } from "../../../core/kinds";
import { type CompiledSelector, compileLabelSelector, type LabelSelector, type Labels } from "../../../core/label-selectors";
import { podTemplates } from "../../../core/pod-templates";
import { apiGroup, describeObject, type KubernetesObject, objectKey } from "../../../core/objects";

export interface InstallDependency {
    /** objectKey of the object needed first. */
    on: string;
    /** Why, e.g. `Namespace kubeflow must exist`. */
    reason: string;
}

export interface BrokenCycle {
    from: string;
    on: string;
    reason: string;
}

export interface InstallPlan {
    /** Objects in an order where every object comes after everything it depends on (stable: keep input order where free). */
    order: KubernetesObject[];
    /** objectKey → what it depends on (direct dependencies only, deduplicated); every object has an entry. */
    dependencies: Map<string, InstallDependency[]>;
    /** Webhook dependencies left out because they would have formed a cycle, with the cycle explained. */
    brokenCycles: BrokenCycle[];
}

/** Webhooks are never called for these kinds (IsExemptAdmissionConfigurationResource in the API server). */
const EXEMPT_FROM_WEBHOOKS = new Set(
    ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"].map(
        (kind) => `admissionregistration.k8s.io/${kind}`,
    ),
);
const WORKLOAD_KINDS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet"]);
/** Set on every Namespace by the API server (defaulting, GA in 1.22), so namespaceSelectors can use it. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

type Target = "it" | "its pods";

/** One thing the API server would admit on CREATE: the object itself, or the pods of one of its pod templates. */
interface Request {
    node: Node;
    target: Target;
    group: string;
    version: string;
    /** Plural resource name; unknown for kinds neither built in nor defined by a CRD among the objects. */
    resource: string | undefined;
    /** Versions a matchPolicy Equivalent rule may name instead of `version`. */
    versions: string[];
    namespaced: boolean;
    labels: Labels;
}

interface Node {
    index: number;
    object: KubernetesObject;
    key: string;
    groupKind: string;
    /** The namespace it lives in; undefined for cluster-scoped objects, or namespaced ones without metadata.namespace. */
    namespace: string | undefined;
}

interface Rule {
    apiGroups: string[];
    apiVersions: string[];
    resources: string[];
    operations: string[];
    scope: string;
}

interface Webhook {
    config: KubernetesObject;
    name: string;
    service: { namespace: string; name: string } | undefined;
    rules: Rule[];
    equivalent: boolean;
    namespaceSelector: CompiledSelector;
    objectSelector: CompiledSelector;
}

interface Admission {
    config: KubernetesObject;
    webhook: string;
    target: Target;
}

export function planInstall(objects: KubernetesObject[]): InstallPlan {
    const index = new ObjectIndex(objects);
    const dependencies = new Map<string, InstallDependency[]>(index.nodes.map((node) => [node.key, []]));
    const add = (from: Node, on: Node, reason: string) => dependencies.get(from.key)!.push({ on: on.key, reason });

    for (const node of index.nodes) {
        const namespace = node.namespace === undefined ? undefined : index.namespaces.get(node.namespace);
        if (namespace) add(node, namespace, `Namespace ${node.namespace} must exist`);
        const crd = index.crds.get(node.groupKind);
        if (crd) add(node, crd, `CustomResourceDefinition ${crd.object.metadata.name} defines ${node.object.kind}`);
    }

    const brokenCycles: BrokenCycle[] = [];
    for (const { from, on, admissions } of webhookCandidates(index)) {
        const reason = webhookReason(on, admissions);
        const path = from === on ? [on] : findPath(dependencies, index, on, from);
        if (!path) {
            add(from, on, reason);
            // The configuration too: created after the object, the webhook would never have seen it (pods without sidecars).
            for (const config of new Set(admissions.map((admission) => admission.config))) {
                const configuration = index.byKey.get(objectKey(config))!;
                if (!dependencies.get(from.key)!.some((dependency) => dependency.on === configuration.key)) {
                    add(from, configuration, `${describeObject(config)} must be registered first, or the API server would not call it for ${admissions.find((admission) => admission.config === config)!.target}`);
                }
            }
        } else if (from === on) {
            brokenCycles.push({ from: from.key, on: on.key, reason: `${reason}, but ${describeObject(on.object)} cannot wait for itself` });
        } else {
            const cycle = [from, ...path].map((node) => describeObject(node.object)).join(" → ");
            brokenCycles.push({ from: from.key, on: on.key, reason: `${reason}, but waiting for it would close the cycle ${cycle}` });
        }
    }

    return { order: topologicalOrder(index, dependencies), dependencies, brokenCycles };
}

class ObjectIndex {
    readonly nodes: Node[] = [];
    readonly byKey = new Map<string, Node>();
    readonly namespaces = new Map<string, Node>();
    /** CRDs by the `group/Kind` they define. */
    readonly crds = new Map<string, Node>();
    readonly services = new Map<string, Node>();
    readonly workloadsByNamespace = new Map<string, Node[]>();
    /** Admission requests by API group, in input order. */
    readonly requestsByGroup = new Map<string, Request[]>();
    readonly allRequests: Request[] = [];
    readonly webhooks: Webhook[] = [];
    private readonly customKinds = new Map<string, ResourceInfo>();

    constructor(objects: KubernetesObject[]) {
        for (const [position, object] of objects.entries()) {
            const group = apiGroup(object.apiVersion);
            const groupKind = `${group}/${object.kind}`;
            const key = objectKey(object);
            const node: Node = { index: position, object, key, groupKind, namespace: undefined };
            const existing = this.byKey.get(key);
            if (existing) {
                throw new Error(`Objects at input positions ${existing.index} and ${position} are both ${describeObject(object)} (${key}); remove one of them.`);
            }
            this.byKey.set(key, node);
            this.nodes.push(node);
            if (groupKind === "/Namespace") this.namespaces.set(object.metadata.name, node);
            if (groupKind === "apiextensions.k8s.io/CustomResourceDefinition") this.indexCrd(node);
        }
        for (const node of this.nodes) {
            const info = this.resourceInfo(node);
            // A cluster-scoped object's metadata.namespace is ignored by the API server.
            node.namespace = info?.namespaced === false ? undefined : node.object.metadata.namespace;
            if (node.groupKind === "/Service" && node.namespace) this.services.set(`${node.namespace}/${node.object.metadata.name}`, node);
            if (WORKLOAD_KINDS.has(node.groupKind) && node.namespace) push(this.workloadsByNamespace, node.namespace, node);
            if (node.groupKind === "admissionregistration.k8s.io/MutatingWebhookConfiguration" || node.groupKind === "admissionregistration.k8s.io/ValidatingWebhookConfiguration") {
                this.webhooks.push(...parseWebhooks(node.object));
            }
            if (!EXEMPT_FROM_WEBHOOKS.has(node.groupKind)) this.indexRequests(node, info);
        }
    }

    /** Labels of a namespace for namespaceSelector matching; undefined when the Namespace is not among the objects. */
    namespaceLabels(name: string): Labels | undefined {
        const namespace = this.namespaces.get(name);
        return namespace && { ...namespace.object.metadata.labels, [NAMESPACE_NAME_LABEL]: name };
    }

    private indexCrd(node: Node): void {
        const spec = record(node.object["spec"]);
        const names = record(spec["names"]);
        if (typeof spec["group"] !== "string" || typeof names["kind"] !== "string" || typeof names["plural"] !== "string") return;
        const groupKind = `${spec["group"]}/${names["kind"]}`;
        this.crds.set(groupKind, node);
        const versions = Array.isArray(spec["versions"]) ? spec["versions"].map(record).filter((version) => version["served"] !== false) : [];
        this.customKinds.set(groupKind, {
            resource: names["plural"],
            namespaced: spec["scope"] !== "Cluster",
            versions: versions.map((version) => String(version["name"])),
        });
    }

    private resourceInfo(node: Node): ResourceInfo | undefined {
        return this.customKinds.get(node.groupKind) ?? BUILT_IN_KINDS[node.groupKind];
    }

    private indexRequests(node: Node, info: ResourceInfo | undefined): void {
        const { apiVersion, metadata } = node.object;
        const group = apiGroup(apiVersion);
        const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
        const self: Request = {
            node,
            target: "it",
            group,
            version,
            resource: info?.resource,
            versions: info?.versions ?? [version],
            // Kinds of unknown scope: namespaced exactly when they name a namespace.
            namespaced: info?.namespaced ?? metadata.namespace !== undefined,
            labels: metadata.labels ?? {},
        };
        const requests = [self];
        if (node.groupKind !== "/Pod") {
            // The pods a controller creates carry the pod template's labels (plus pod-template-hash and the
            // like, which no selector here can know the values of) and live in the carrier's namespace.
            for (const template of podTemplates(node.object)) {
                requests.push({ node, target: "its pods", group: "", version: "v1", resource: "pods", versions: ["v1"], namespaced: true, labels: template.metadata?.labels ?? {} });
            }
        }
        for (const request of requests) {
            push(this.requestsByGroup, request.group, request);
            this.allRequests.push(request);
        }
    }
}

function parseWebhooks(config: KubernetesObject): Webhook[] {
    const entries = Array.isArray(config["webhooks"]) ? config["webhooks"].map(record) : [];
    // admissionregistration.k8s.io/v1 defaults matchPolicy to Equivalent; v1beta1 defaulted to Exact.
    const defaultPolicy = config.apiVersion === "admissionregistration.k8s.io/v1beta1" ? "Exact" : "Equivalent";
    return entries.map((entry) => {
        const name = String(entry["name"]);
        const where = `webhook ${name} of ${describeObject(config)}`;
        const service = record(record(entry["clientConfig"])["service"]);
        return {
            config,
            name,
            service: typeof service["name"] === "string" && typeof service["namespace"] === "string" ? { namespace: service["namespace"], name: service["name"] } : undefined,
            rules: (Array.isArray(entry["rules"]) ? entry["rules"] : []).map(record).map((rule) => ({
                apiGroups: strings(rule["apiGroups"]),
                apiVersions: strings(rule["apiVersions"]),
                resources: strings(rule["resources"]),
                operations: strings(rule["operations"]),
                scope: typeof rule["scope"] === "string" ? rule["scope"] : "*",
            })),
            equivalent: (entry["matchPolicy"] ?? defaultPolicy) === "Equivalent",
            // matchConditions (CEL) can only narrow a match; they are not evaluated, so a dependency may be kept that is not needed.
            namespaceSelector: compileLabelSelector(entry["namespaceSelector"] as LabelSelector | undefined, `namespaceSelector of ${where}`),
            objectSelector: compileLabelSelector(entry["objectSelector"] as LabelSelector | undefined, `objectSelector of ${where}`),
        };
    });
}

/** Every (object, workload) pair where a webhook served by the workload admits the object, in discovery order. */
function webhookCandidates(index: ObjectIndex): { from: Node; on: Node; admissions: Admission[] }[] {
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
                const duplicate = candidate.admissions.some((seen) => seen.config === webhook.config && seen.webhook === webhook.name && seen.target === request.target);
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
    const selector = record(record(service?.object["spec"])["selector"]);
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
        (webhook.equivalent && webhook.rules.some((rule) => request.versions.some((version) => version !== request.version && ruleMatches(rule, request, version))));
    return matchesRule && namespaceSelectorMatches(index, webhook.namespaceSelector, request) && webhook.objectSelector.matches(request.labels);
}

function ruleMatches(rule: Rule, request: Request, version: string): boolean {
    const isNamespace = request.group === "" && request.resource === "namespaces";
    // scope: a Namespace counts as cluster-scoped; "*" (the default) matches everything.
    const scope = rule.scope === "*" || (rule.scope === "Namespaced" ? request.namespaced && !isNamespace : rule.scope === "Cluster" ? !request.namespaced || isNamespace : false);
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
function webhookReason(workload: Node, admissions: Admission[]): string {
    const targets = [...new Set(admissions.map((admission) => admission.target))];
    const parts = targets.map((target) => {
        const configs = new Map<KubernetesObject, string[]>();
        for (const admission of admissions.filter((candidate) => candidate.target === target)) push(configs, admission.config, admission.webhook);
        const items = [...configs].map(([config, names]) => `${describeObject(config)} (${names.length > 1 ? "webhooks" : "webhook"} ${names.join(", ")})`);
        return `${joinWithAnd(items)}, which ${items.length > 1 ? "admit" : "admits"} ${target}`;
    });
    return `${describeObject(workload.object)} serves ${parts.join(", and ")}`;
}

/** The shortest dependency path from `start` to `goal` (both included), or undefined when `goal` is not reachable. */
function findPath(dependencies: Map<string, InstallDependency[]>, index: ObjectIndex, start: Node, goal: Node): Node[] | undefined {
    const parents = new Map<string, string | null>([[start.key, null]]);
    const queue = [start.key];
    for (let head = 0; head < queue.length; head++) {
        const key = queue[head]!;
        if (key === goal.key) {
            const path: Node[] = [];
            for (let step: string | null | undefined = key; step; step = parents.get(step)) path.unshift(index.byKey.get(step)!);
            return path;
        }
        for (const { on } of dependencies.get(key) ?? []) {
            if (parents.has(on)) continue;
            parents.set(on, key);
            queue.push(on);
        }
    }
    return undefined;
}

/** Kahn's algorithm, always taking the ready object that came first in the input: the order closest to the input's. */
function topologicalOrder(index: ObjectIndex, dependencies: Map<string, InstallDependency[]>): KubernetesObject[] {
    const waitingFor = new Map<string, number>();
    const dependents = new Map<string, Node[]>();
    for (const node of index.nodes) {
        const needs = dependencies.get(node.key)!;
        waitingFor.set(node.key, needs.length);
        for (const { on } of needs) push(dependents, on, node);
    }
    const ready = new MinHeap();
    for (const node of index.nodes) if (waitingFor.get(node.key) === 0) ready.push(node.index);
    const order: KubernetesObject[] = [];
    for (let position = ready.pop(); position !== undefined; position = ready.pop()) {
        const node = index.nodes[position]!;
        order.push(node.object);
        for (const dependent of dependents.get(node.key) ?? []) {
            const left = waitingFor.get(dependent.key)! - 1;
            waitingFor.set(dependent.key, left);
            if (left === 0) ready.push(dependent.index);
        }
    }
    if (order.length < index.nodes.length) throw cycleError(index, dependencies, waitingFor);
    return order;
}

/** Names one cycle among the objects that could not be ordered. */
function cycleError(index: ObjectIndex, dependencies: Map<string, InstallDependency[]>, waitingFor: Map<string, number>): Error {
    const stuck = (key: string) => waitingFor.get(key)! > 0;
    const path: string[] = [];
    const position = new Map<string, number>();
    let key = index.nodes.find((node) => stuck(node.key))!.key;
    // Every stuck object waits for another stuck one, so following those links must come back round.
    while (!position.has(key)) {
        position.set(key, path.length);
        path.push(key);
        key = dependencies.get(key)!.find((dependency) => stuck(dependency.on))!.on;
    }
    const cycle = [...path.slice(position.get(key)), key];
    const name = (key: string) => describeObject(index.byKey.get(key)!.object);
    const steps = cycle.slice(0, -1).map((from, step) => {
        const on = cycle[step + 1]!;
        return `${name(from)} needs ${name(on)}: ${dependencies.get(from)!.find((dependency) => dependency.on === on)!.reason}`;
    });
    return new Error(`The install dependencies form a cycle, so none of these objects can be created first: ${cycle.map(name).join(" → ")} (${steps.join("; ")}).`);
}

class MinHeap {
    private readonly items: number[] = [];

    push(value: number): void {
        const items = this.items;
        items.push(value);
        for (let child = items.length - 1; child > 0; ) {
            const parent = (child - 1) >> 1;
            if (items[parent]! <= value) break;
            items[child] = items[parent]!;
            items[parent] = value;
            child = parent;
        }
    }

    pop(): number | undefined {
        const items = this.items;
        const top = items[0];
        const last = items.pop();
        if (items.length === 0 || last === undefined) return top;
        items[0] = last;
        for (let parent = 0; ; ) {
            const left = 2 * parent + 1;
            const right = left + 1;
            let smallest = parent;
            if (left < items.length && items[left]! < items[smallest]!) smallest = left;
            if (right < items.length && items[right]! < items[smallest]!) smallest = right;
            if (smallest === parent) break;
            [items[parent], items[smallest]] = [items[smallest]!, items[parent]!];
            parent = smallest;
        }
        return top;
    }
}

function joinWithAnd(items: string[]): string {
    return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
}

function record(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.map(String) : [];
}
