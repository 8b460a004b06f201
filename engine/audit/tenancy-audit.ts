// The tenancy audit: from the planned objects alone, who of each tenant can
// read, write or delete in which tenant's namespace (RBAC), and which
// namespaces' pods can open connections to which (NetworkPolicy). Anything a
// tenant can do to another beyond the stack's declared sharing is a finding,
// and so is any namespace but the platform's entry points reaching a tenant's
// pods (all of them, where nothing enforces NetworkPolicy); each finding
// carries the path that allows it.
import { profileControllerObjects } from "../../components/tenancy/profile-controller";
import type { KubernetesObject } from "../../core/objects";
import { type TenancyAcknowledgement, type TenantFacts, clusterFacts, tenancyAcknowledgements, tenancyFacts } from "../../core/facts";
import { kubernetesKind } from "../../core/kubernetes-resources";
import type { ConnectionVerdict } from "../../core/network-policy/connections";
import { enforcementGaps } from "../../core/network-policy/enforcement";
import { type Network, buildNetwork } from "../../core/network-policy/network";
import { buildRbac } from "../../core/rbac/authorizer";
import { auditCredentials } from "./credentials";
import { buildMesh } from "../../core/istio-routes";
import { KUBEFLOW_USER_HEADER } from "../../core/istio";
import { auditMesh } from "./mesh-identity";
import { auditPlatformServices } from "./platform-services";
import { type AccessLevel, type RbacCell, auditRbac } from "./rbac-audit";

/** Namespaces whose pods may reach into tenant namespaces: the gateway, Kubeflow's web apps and Pipelines, KServe's activator, metrics scrapes. */
const PLATFORM_SOURCES = new Set(["istio-system", "kubeflow", "knative-serving", "monitoring"]);

export type { AccessLevel, RbacCell };

export interface NetworkCell {
    from: string;
    to: string;
    allowed: boolean;
    ports: string;
    because: string[];
}

export interface AuditFinding {
    /** Stable across plans: what kfstack:tenancy.acknowledge names. */
    id: string;
    kind: "rbac" | "policy" | "network" | "credential" | "service" | "mesh" | "acknowledgement";
    message: string;
    path: string[];
    /** The reason the stack gives for accepting it (kfstack:tenancy.acknowledge); absent when unacknowledged. */
    acknowledged?: string;
}

export interface TenancyAudit {
    tenants: string[];
    rbac: RbacCell[];
    network: NetworkCell[];
    findings: AuditFinding[];
}

interface Resource {
    type: string;
    name?: string;
    props: Record<string, unknown>;
}

/** The Kubernetes objects of a plan (or of a JSON resource list), with what the profile controller will add for each tenant. */
function objectsOf(resources: Resource[], tenants: TenantFacts[]): KubernetesObject[] {
    const planned = resources.filter((resource) => kubernetesKind(resource.type)).map((resource) => resource.props as unknown as KubernetesObject);
    return [...planned, ...tenants.flatMap((tenant) => profileControllerObjects(tenant))];
}

/** The ServiceAccounts of each namespace, "default" included (the ServiceAccount controller makes one in every namespace). */
function serviceAccountsOf(objects: readonly KubernetesObject[], tenants: readonly string[]): Map<string, string[]> {
    const accounts = new Map<string, Set<string>>(tenants.map((tenant) => [tenant, new Set(["default"])]));
    for (const object of objects) {
        if (object.apiVersion === "v1" && object.kind === "Namespace")
            accounts.set(object.metadata.name, accounts.get(object.metadata.name) ?? new Set(["default"]));
        if (object.apiVersion !== "v1" || object.kind !== "ServiceAccount" || !object.metadata.namespace) continue;
        const names = accounts.get(object.metadata.namespace) ?? new Set(["default"]);
        accounts.set(object.metadata.namespace, names.add(object.metadata.name));
    }
    return new Map([...accounts].map(([namespace, names]) => [namespace, [...names]]));
}

/** The findings with the stack's acknowledgements applied; one that matches no finding is stale, and a finding itself. */
function acknowledge(findings: AuditFinding[], acknowledgements: readonly TenancyAcknowledgement[]): AuditFinding[] {
    const reasons = new Map(acknowledgements.map((entry) => [entry.finding, entry.reason]));
    const stale = acknowledgements.filter((entry) => !findings.some((finding) => finding.id === entry.finding));
    return [
        ...findings.map((finding) => (reasons.has(finding.id) ? { ...finding, acknowledged: reasons.get(finding.id)! } : finding)),
        ...stale.map((entry) => ({
            id: `stale-acknowledgement:${entry.finding}`,
            kind: "acknowledgement" as const,
            message: `kfstack:tenancy.acknowledge names finding "${entry.finding}", which the audit does not find; remove the entry (or fix its id as npm run audit prints it).`,
            path: [],
        })),
    ];
}

/** The findings the stack does not accept: any of them fails the audit. */
export function unacknowledged(audit: Pick<TenancyAudit, "findings">): AuditFinding[] {
    return audit.findings.filter((finding) => finding.acknowledged === undefined);
}

/** The network as the cluster runs it: where nothing enforces NetworkPolicies, every connection is open, whatever they say. */
function asEnforced(network: Network, resources: Resource[]): Network {
    const gaps = enforcementGaps(resources).map((gap) => `${gap.what} enforces no NetworkPolicy: it ${gap.shortfall}`);
    if (gaps.length === 0) return network;
    const open: ConnectionVerdict = { allowed: true, ports: "all", because: gaps };
    return {
        ...network,
        canReach: () => open,
        canConnect: () => open,
        matrix: (namespaces) => namespaces.flatMap((from) => namespaces.map((to) => ({ from, to, verdict: open }))),
        egressToCidr: () => open,
    };
}

/** Which namespaces' pods reach each tenant's; any but the platform's entry points is a finding. */
function auditNetwork(network: Network, names: readonly string[]): { networkCells: NetworkCell[]; findings: AuditFinding[] } {
    const networkCells: NetworkCell[] = [];
    const findings: AuditFinding[] = [];
    for (const from of network.namespaces()) {
        for (const to of names) {
            if (from === to) continue;
            const verdict = network.canReach(from, to);
            networkCells.push({ from, to, allowed: verdict.allowed, ports: verdict.ports, because: verdict.because });
            if (verdict.allowed && !PLATFORM_SOURCES.has(from)) {
                const source = names.includes(from) ? `tenant ${from}` : `namespace ${from} (not one of the platform's entry points)`;
                findings.push({
                    id: `network:${from}:${to}`,
                    kind: "network",
                    message: `Pods of ${source} can open connections to pods of tenant ${to} (${verdict.ports})`,
                    path: verdict.because,
                });
            }
        }
    }
    return { networkCells, findings };
}

export function auditTenancy(resources: Resource[]): TenancyAudit {
    const tenants = tenancyFacts(resources);
    const objects = objectsOf(resources, tenants);
    const rbac = buildRbac(objects);
    // With the pod network known, an ipBlock over it matches every pod (as Calico and the VPC CNI's agent match pod addresses).
    const network = asEnforced(buildNetwork(objects, [], { podCidrs: clusterFacts(resources)?.podCidrs }), resources);
    const names = tenants.map((tenant) => tenant.name);
    const serviceAccounts = serviceAccountsOf(objects, names);
    const mesh = buildMesh(objects, KUBEFLOW_USER_HEADER);
    const { cells, findings: rbacFindings } = auditRbac({ tenants, rbac, serviceAccounts });
    const { networkCells, findings: networkFindings } = auditNetwork(network, names);
    const reachable = new Set(networkCells.filter((cell) => cell.allowed).map((cell) => `${cell.from} ${cell.to}`));
    const findings: AuditFinding[] = [
        ...rbacFindings,
        ...auditCredentials(tenants, objects, rbac),
        ...auditPlatformServices(tenants, objects, mesh, network),
        ...networkFindings,
        ...auditMesh({ tenants, objects, mesh, network, serviceAccounts, reaches: (from, to) => reachable.has(`${from} ${to}`) }),
    ];
    return { tenants: names, rbac: cells, network: networkCells, findings: acknowledge(findings, tenancyAcknowledgements(resources)) };
}
