// The RBAC half of the tenancy audit. The attacker of a tenant is any of its
// people (every role kfstack grants, view included) and its ServiceAccounts,
// and every ServiceAccount they can run pods as: creating a Pod, a Notebook, a
// PyTorchJob, a Workflow, an InferenceService… in namespace N naming
// ServiceAccount S is acting as S, so S's grants are followed too (a fixpoint).
// Each subject's grants are computed once (rbac.grantsOf is cached).
import type { TenantFacts } from "../../core/facts";
import type { Rbac } from "../../core/rbac/authorizer";
import { type AccessPath, type Subject, describeRequest, describeSubject } from "../../core/rbac/model";
import { type AccessLevel, type GrantedRequest, changesPolicy, isClusterWrite, isNamespaced, makesPods, requestsOf } from "./rbac-requests";

export type { AccessLevel };

export interface RbacCell {
    subject: string;
    tenant: string;
    namespace: string;
    access: AccessLevel;
    /** For read or write access to another tenant: one path per kind of access found. */
    paths: string[];
}

export interface RbacFinding {
    /** Stable across plans: what kfstack:tenancy.acknowledge names. */
    id: string;
    kind: "rbac" | "policy";
    message: string;
    path: string[];
}

/** One identity the attacker acts as, and how it got there (empty for the tenant's own people and ServiceAccounts). */
interface Actor {
    subject: Subject;
    via: string[];
}

const RANK: Record<AccessLevel, number> = { none: 0, read: 1, write: 2 };

export function describePath(path: AccessPath): string[] {
    return [
        describeSubject(path.subject),
        path.binding,
        path.role,
        ...(path.via ?? []),
        ...(path.aggregatedFrom ? [path.aggregatedFrom] : []),
        `rule ${JSON.stringify({ apiGroups: path.rule.apiGroups, resources: path.rule.resources, ...(path.rule.resourceNames ? { resourceNames: path.rule.resourceNames } : {}), verbs: path.rule.verbs })}`,
    ];
}

/**
 * What the stack declares a subject may do in a tenant's namespace: its owner
 * and edit members write, view members and the people of tenants that read
 * from it read; a service account works only in its own namespace.
 */
function declaredAccess(tenants: readonly TenantFacts[], subject: Subject, namespace: string): AccessLevel {
    if (subject.kind === "ServiceAccount") return subject.namespace === namespace ? "write" : "none";
    const tenant = tenants.find((candidate) => candidate.name === namespace);
    if (!tenant) return "none";
    if (tenant.owner === subject.name) return "write";
    const member = tenant.members.find((candidate) => candidate.email === subject.name);
    if (member?.role === "edit") return "write";
    const reader = tenants.some(
        (other) => other.readsFrom.includes(namespace) && [other.owner, ...other.members.map((candidate) => candidate.email)].includes(subject.name),
    );
    return member || reader ? "read" : "none";
}

/** The subjects a tenant's people and workloads act as. */
function subjectsOf(tenant: TenantFacts): Subject[] {
    return [
        { kind: "User", name: tenant.owner },
        ...tenant.members.map((member) => ({ kind: "User" as const, name: member.email })),
        ...["default-editor", "default-viewer", "default"].map((name) => ({ kind: "ServiceAccount" as const, name, namespace: tenant.name })),
    ];
}

const key = (subject: Subject) => describeSubject(subject);
const idOf = (subject: Subject) => `${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}`;
const strongest = (requests: readonly GrantedRequest[]): AccessLevel => requests[0]?.level ?? "none";
const explain = (request: GrantedRequest) => `${describeRequest(request.check)}: ${describePath(request.grant.path).join(" → ")}`;

export interface RbacAuditInput {
    tenants: readonly TenantFacts[];
    rbac: Rbac;
    /** The ServiceAccounts of each namespace a pod could name ("default" is in every namespace). */
    serviceAccounts: ReadonlyMap<string, readonly string[]>;
}

export function auditRbac(input: RbacAuditInput): { cells: RbacCell[]; findings: RbacFinding[] } {
    const cells: RbacCell[] = [];
    const findings: RbacFinding[] = [];
    for (const tenant of input.tenants) {
        const direct = subjectsOf(tenant);
        const seen = new Set(direct.map(key));
        const queue: Actor[] = direct.map((subject) => ({ subject, via: [] }));
        for (let index = 0; index < queue.length; index++) {
            const actor = queue[index]!;
            const requests = input.rbac
                .grantsOf(actor.subject, actor.subject.kind === "User" ? ["system:authenticated"] : [])
                .flatMap(requestsOf)
                .sort((a, b) => RANK[b.level] - RANK[a.level]);
            const origin = actor.via.length ? undefined : actor.subject;
            judgeNamespaces(input, tenant, actor, requests, origin, cells, findings);
            judgeOwnPolicy(tenant, actor, requests, findings);
            for (const reached of podIdentities(input, actor, requests)) {
                if (seen.has(key(reached.subject))) continue;
                seen.add(key(reached.subject));
                queue.push(reached);
            }
        }
    }
    return { cells, findings };
}

function describeActor(actor: Actor, tenant: TenantFacts): string {
    return actor.via.length
        ? `${describeSubject(actor.subject)}, which tenant ${tenant.name}'s attacker can run pods as,`
        : `${describeSubject(actor.subject)} of tenant ${tenant.name}`;
}

/** The actor's access in each tenant namespace; beyond what the stack declares for the tenant's subject (or the ServiceAccount itself) is a finding. */
function judgeNamespaces(
    input: RbacAuditInput,
    tenant: TenantFacts,
    actor: Actor,
    requests: readonly GrantedRequest[],
    origin: Subject | undefined,
    cells: RbacCell[],
    findings: RbacFinding[],
): void {
    const namespaced = requests.filter((request) => isNamespaced(request.check));
    for (const { name: namespace } of input.tenants) {
        const inScope = namespaced.filter((request) => request.grant.namespace === "*" || request.grant.namespace === namespace);
        const access = strongest(inScope);
        if (origin)
            cells.push({
                subject: describeSubject(origin),
                tenant: tenant.name,
                namespace,
                access,
                paths: namespace === tenant.name ? [] : inScope.slice(0, 1).map(explain),
            });
        if (namespace === tenant.name) continue;
        const declared = [origin ?? actor.subject, actor.subject].map((subject) => declaredAccess(input.tenants, subject, namespace));
        const allowed = declared.reduce((a, b) => (RANK[a] >= RANK[b] ? a : b));
        if (RANK[access] <= RANK[allowed]) continue;
        const found = inScope.find((request) => RANK[request.level] > RANK[allowed])!;
        findings.push({
            id: `cross-tenant-rbac:${idOf(actor.subject)}:${namespace}`,
            kind: "rbac",
            message: `${describeActor(actor, tenant)} can ${describeRequest(found.check)} in tenant ${namespace}'s namespace${allowed === "read" ? ", beyond the read access the stack declares" : ", which the stack does not declare"}`,
            path: [...actor.via, ...describePath(found.grant.path)],
        });
    }
    const clusterWrite = requests.find((request) => !isNamespaced(request.check) && isClusterWrite(request));
    if (clusterWrite)
        findings.push({
            id: `cluster-write:${idOf(actor.subject)}`,
            kind: "rbac",
            message: `${describeActor(actor, tenant)} can ${describeRequest(clusterWrite.check)} cluster-wide`,
            path: [...actor.via, ...describePath(clusterWrite.grant.path)],
        });
}

/** Writes to the objects that isolate the tenant (NetworkPolicies, Istio objects) or escalate / bind / impersonate, in its own namespace or cluster-wide. */
function judgeOwnPolicy(tenant: TenantFacts, actor: Actor, requests: readonly GrantedRequest[], findings: RbacFinding[]): void {
    const found = requests.find((request) => (request.grant.namespace === "*" || request.grant.namespace === tenant.name) && changesPolicy(request));
    if (!found) return;
    const where = found.grant.namespace === "*" ? "cluster-wide" : `in its own namespace ${tenant.name}`;
    findings.push({
        id: `tenant-policy-write:${idOf(actor.subject)}`,
        kind: "policy",
        message: `${describeActor(actor, tenant)} can ${describeRequest(found.check)} ${where}, so the isolation kfstack sets there is only advisory`,
        path: [...actor.via, ...describePath(found.grant.path)],
    });
}

/** The ServiceAccounts the actor can run pods as: any in a namespace where it can create a pod or an object a controller turns into pods. */
function podIdentities(input: RbacAuditInput, actor: Actor, requests: readonly GrantedRequest[]): Actor[] {
    const reached: Actor[] = [];
    for (const request of requests.filter(makesPods)) {
        const namespaces = request.grant.namespace === "*" ? [...input.serviceAccounts.keys()] : [request.grant.namespace];
        for (const namespace of namespaces) {
            for (const name of input.serviceAccounts.get(namespace) ?? ["default"]) {
                const step = `${describeRequest(request.check)} in namespace ${namespace} naming serviceAccountName ${name}`;
                reached.push({ subject: { kind: "ServiceAccount", name, namespace }, via: [...actor.via, ...describePath(request.grant.path), step] });
            }
        }
    }
    return reached;
}
