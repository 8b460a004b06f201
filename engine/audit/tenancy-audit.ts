// The tenancy audit: from the planned objects alone, who of each tenant can
// read, write or delete in which tenant's namespace (RBAC), and which
// namespaces' pods can open connections to which (NetworkPolicy). Anything a
// tenant can do to another beyond the stack's declared sharing is a finding,
// and so is any namespace but the platform's entry points reaching a tenant's
// pods; each finding carries the path that allows it.
import { profileControllerObjects } from "../../components/tenancy/profile-controller";
import type { KubernetesObject } from "../../core/objects";
import { type TenantFacts, tenancyFacts } from "../../core/facts";
import { kubernetesKind } from "../../core/kubernetes-resources";
import type { ConnectionVerdict } from "../../core/network-policy/connections";
import { buildNetwork } from "../../core/network-policy/network";
import { buildRbac } from "../../core/rbac/authorizer";
import { type AccessPath, type Check, type Subject, describeRequest, describeSubject } from "../../core/rbac/model";

/** What a tenant's work consists of: the objects whose reading, changing or deleting crosses a tenant boundary. */
const WORK: Check[] = [
    { apiGroup: "", resource: "secrets" },
    { apiGroup: "", resource: "configmaps" },
    { apiGroup: "", resource: "pods" },
    { apiGroup: "", resource: "persistentvolumeclaims" },
    { apiGroup: "kubeflow.org", resource: "notebooks" },
    { apiGroup: "kubeflow.org", resource: "pytorchjobs" },
    { apiGroup: "argoproj.io", resource: "workflows" },
    { apiGroup: "serving.kserve.io", resource: "inferenceservices" },
].map((check) => ({ ...check, verb: "" }));

/** Namespaces whose pods may reach into tenant namespaces: the gateway, Kubeflow's web apps and Pipelines, KServe's activator, metrics scrapes. */
const PLATFORM_SOURCES = new Set(["istio-system", "kubeflow", "knative-serving", "monitoring"]);

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch"];
const DELETE = ["delete", "deletecollection"];

export type AccessLevel = "none" | "read" | "write";

export interface RbacCell {
    subject: string;
    tenant: string;
    namespace: string;
    access: AccessLevel;
    /** For read or write access to another tenant: one path per kind of access found. */
    paths: string[];
}

export interface NetworkCell {
    from: string;
    to: string;
    allowed: boolean;
    ports: string;
    because: string[];
}

export interface AuditFinding {
    kind: "rbac" | "network";
    message: string;
    path: string[];
}

export interface TenancyAudit {
    tenants: string[];
    rbac: RbacCell[];
    network: NetworkCell[];
    findings: AuditFinding[];
}

interface Resource {
    type: string;
    props: Record<string, unknown>;
}

function describePath(path: AccessPath): string[] {
    return [
        describeSubject(path.subject),
        path.binding,
        path.role,
        ...(path.via ?? []),
        ...(path.aggregatedFrom ? [path.aggregatedFrom] : []),
        `rule ${JSON.stringify({ apiGroups: path.rule.apiGroups, resources: path.rule.resources, verbs: path.rule.verbs })}`,
    ];
}

const RANK: Record<AccessLevel, number> = { none: 0, read: 1, write: 2 };

/**
 * What the stack declares a subject may do in a tenant's namespace: its owner
 * and edit members write, view members and the people of tenants that read
 * from it read; a service account works only in its own namespace.
 */
function declaredAccess(tenants: TenantFacts[], subject: Subject, namespace: string): AccessLevel {
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

/** The Kubernetes objects of a plan (or of a JSON resource list), with what the profile controller will add for each tenant. */
function objectsOf(resources: Resource[], tenants: TenantFacts[]): KubernetesObject[] {
    const planned = resources.filter((resource) => kubernetesKind(resource.type)).map((resource) => resource.props as unknown as KubernetesObject);
    return [...planned, ...tenants.flatMap((tenant) => profileControllerObjects(tenant))];
}

export function auditTenancy(resources: Resource[]): TenancyAudit {
    const tenants = tenancyFacts(resources);
    const objects = objectsOf(resources, tenants);
    const rbac = buildRbac(objects);
    const network = buildNetwork(objects);
    const names = tenants.map((tenant) => tenant.name);
    const findings: AuditFinding[] = [];
    const cells: RbacCell[] = [];

    for (const tenant of tenants) {
        for (const subject of subjectsOf(tenant)) {
            const groups = subject.kind === "User" ? ["system:authenticated"] : [];
            // A subject without a grant in a namespace has no access there: only those with one are asked about each check.
            const granted = new Set(rbac.grantsOf(subject, groups).map((grant) => grant.namespace));
            for (const namespace of names) {
                if (!granted.has("*") && !granted.has(namespace)) {
                    cells.push({ subject: describeSubject(subject), tenant: tenant.name, namespace, access: "none", paths: [] });
                    continue;
                }
                const allowed = (verbs: string[]) =>
                    WORK.flatMap((work) =>
                        verbs.map((verb) => ({ check: { ...work, verb }, paths: rbac.can(subject, { ...work, verb, namespace }, groups) })),
                    ).filter((found) => found.paths.length > 0);
                const writes = [...allowed(WRITE), ...allowed(DELETE)];
                const reads = allowed(READ);
                const access: AccessLevel = writes.length ? "write" : reads.length ? "read" : "none";
                const shown = [...writes, ...reads].slice(0, 1).map((found) => `${describeRequest(found.check)}: ${describePath(found.paths[0]!).join(" → ")}`);
                cells.push({ subject: describeSubject(subject), tenant: tenant.name, namespace, access, paths: namespace === tenant.name ? [] : shown });
                if (namespace === tenant.name) continue;
                const declared = declaredAccess(tenants, subject, namespace);
                if (RANK[access] <= RANK[declared]) continue;
                const found = (declared === "read" ? writes[0] : (writes[0] ?? reads[0]))!;
                findings.push({
                    kind: "rbac",
                    message: `${describeSubject(subject)} of tenant ${tenant.name} can ${describeRequest(found.check)} in tenant ${namespace}'s namespace${declared === "read" ? ", beyond the read access the stack declares" : ", which the stack does not declare"}`,
                    path: describePath(found.paths[0]!),
                });
            }
        }
    }

    const networkCells: NetworkCell[] = [];
    const namespaces = network.namespaces();
    for (const from of namespaces) {
        for (const to of names) {
            if (from === to) continue;
            const verdict: ConnectionVerdict = network.canReach(from, to);
            networkCells.push({ from, to, allowed: verdict.allowed, ports: verdict.ports, because: verdict.because });
            if (verdict.allowed && !PLATFORM_SOURCES.has(from)) {
                const source = names.includes(from) ? `tenant ${from}` : `namespace ${from} (not one of the platform's entry points)`;
                findings.push({
                    kind: "network",
                    message: `Pods of ${source} can open connections to pods of tenant ${to} (${verdict.ports})`,
                    path: verdict.because,
                });
            }
        }
    }
    return { tenants: names, rbac: cells, network: networkCells, findings };
}
