// What policies know about the platform beyond single resources: the kfstack
// components record these facts as their inputs and register them as their
// outputs, which is what a preview gives stack policies, so a stack policy reads
// them from the same preview it checks (and `npm run check -- --stack-config`
// adds them for a bare list of resources). A record that lacks a fact leaves the
// policies that read it undecided (policies/lib/facts.ts).

import type { ControllerOwnedField } from "./controller-owned-fields";

export const CLUSTER_FACTS_TYPE_PREFIX = "kfstack:cluster:";
export const KUBEFLOW_FACTS_TYPE = "kfstack:kubeflow:Kubeflow";
export const TENANCY_FACTS_TYPE = "kfstack:tenancy:Tenancy";

export interface NodePoolFacts {
    name: string;
    instanceType?: string;
    minNodes: number;
    desiredNodes: number;
    maxNodes: number;
    vcpu: number;
    memoryGiB: number;
    nvmeGB: number;
    gpu?: { model: string; product: string; count: number; cudaVersion: string; driverVersion: string; amiReleaseVersion?: string; gkeInstallation?: string };
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: string }[];
}

/**
 * What an existing cluster provides, as its stack declares it (kfstack:existing.provides):
 * the platform's needs are checked against it, since nothing in the plan creates these.
 */
export interface ClusterCapabilities {
    /** StorageClasses the cluster has; `default` marks the one claims without a class get. */
    storageClasses: { name: string; default: boolean }[];
    /** Whether NetworkPolicies are enforced, and by which network plugin (calico, cilium …). */
    networkPolicy: { enforced: boolean; by?: string };
    /** The LoadBalancer Service implementation (metallb, f5 …); absent when there is none. */
    loadBalancer?: string;
    /** Whether something adds nodes for pending pods (so a pool may be declared with 0 minimum). */
    autoscaling: boolean;
}

export interface ClusterFacts {
    cloud: "aws" | "gcp" | "existing";
    topology: "testing" | "production";
    kubernetesVersion: string;
    nodePools: NodePoolFacts[];
    undersizedReason?: string;
    /**
     * The pod network, the blocks pods take their addresses from: on EKS the VPC's (the VPC CNI gives pods VPC
     * addresses), on GKE the pods secondary range, on an existing cluster what its stack declares. NetworkPolicy
     * leaves it undefined whether an ipBlock matches pods; Calico and the VPC CNI's agent match pod addresses, so the
     * tenancy audit counts an ipBlock overlapping these as matching every pod.
     */
    podCidrs: string[];
    /** Existing clusters only: what the stack declares the cluster provides. */
    provides?: ClusterCapabilities;
}

export interface KubeflowFacts {
    release: string;
    kubernetesVersion: string;
    /** The release's supported Kubernetes window, narrowed by its components'. */
    window: { min: string; max: string; tested: string[] };
    acknowledgedKubernetesVersion?: { version: string; reason: string };
    /** Every container image the BOM pins for the installed components (on an air-gapped stack, as its mirror serves them). */
    images: string[];
    /** The fields controllers own after install (components/bom/controller-owned-fields.yaml), which DRIFT-01 checks the plan against. */
    controllerOwnedFields?: ControllerOwnedField[];
}

/** A tenant as the stack declares it: who owns it, who is a member, whose namespaces it reads, who may also edit elsewhere. */
export interface TenantFacts {
    name: string;
    owner: string;
    members: { email: string; role: "edit" | "view" }[];
    readsFrom: string[];
    sharedEditors: string[];
}

interface TypedProps {
    type: string;
    urn?: string;
    name?: string;
    props: Record<string, unknown>;
}

/** The components that record the cluster facts, one per cloud. */
export const CLUSTER_FACTS_TYPES: readonly string[] = ["EksCluster", "GkeCluster", "ExistingCluster"].map((name) => `${CLUSTER_FACTS_TYPE_PREFIX}${name}`);

/** Facts as a component records them: where (its URN, or name), and the keys the facts contract requires that its record lacks. */
export interface RecordedFacts<T> {
    facts: T;
    urn: string;
    missing: string[];
}

/** The keys (dotted paths) a record of facts must hold, and of what JSON type. */
type Shape = Record<string, "string" | "array" | "object">;

const CLUSTER_SHAPE: Shape = { cloud: "string", topology: "string", kubernetesVersion: "string", nodePools: "array", podCidrs: "array" };
const KUBEFLOW_SHAPE: Shape = {
    release: "string",
    kubernetesVersion: "string",
    window: "object",
    "window.min": "string",
    "window.max": "string",
    "window.tested": "array",
    images: "array",
};
const TENANT_SHAPE: Shape = { name: "string", owner: "string", members: "array", readsFrom: "array", sharedEditors: "array" };

function jsonType(value: unknown): string {
    return Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
}

/** The paths of `shape` that `value` lacks or holds as another type, under `prefix`. */
function missingOf(value: Record<string, unknown>, shape: Shape, prefix = ""): string[] {
    const missing = Object.entries(shape).flatMap(([path, type]) => {
        const found = path
            .split(".")
            .reduce<unknown>((at, key) => (typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined), value);
        return jsonType(found) === type ? [] : [path];
    });
    // A missing object's own keys go unsaid: "window", not also "window.min".
    return missing.filter((path) => !missing.some((other) => path.startsWith(`${other}.`))).map((path) => `${prefix}${path}`);
}

function recorded<T>(holder: TypedProps | undefined, missing: (props: Record<string, unknown>) => string[]): RecordedFacts<T> | undefined {
    if (!holder) return undefined;
    return { facts: holder.props as T, urn: holder.urn ?? holder.name ?? holder.type, missing: missing(holder.props) };
}

/** The cluster facts as the cluster component records them; undefined when no component of the stack does. */
export function recordedClusterFacts(resources: readonly TypedProps[]): RecordedFacts<ClusterFacts> | undefined {
    const holder = resources.find((resource) => CLUSTER_FACTS_TYPES.includes(resource.type));
    return recorded(holder, (props) => missingOf(props, CLUSTER_SHAPE));
}

export function recordedKubeflowFacts(resources: readonly TypedProps[]): RecordedFacts<KubeflowFacts> | undefined {
    return recorded(
        resources.find((resource) => resource.type === KUBEFLOW_FACTS_TYPE),
        (props) => missingOf(props, KUBEFLOW_SHAPE),
    );
}

/** A tenancy audit finding the stack accepts knowingly (kfstack:tenancy.acknowledge). */
export interface TenancyAcknowledgement {
    finding: string;
    reason: string;
}

export interface TenancyFacts {
    tenants: TenantFacts[];
    acknowledge?: TenancyAcknowledgement[];
}

export function recordedTenancyFacts(resources: readonly TypedProps[]): RecordedFacts<TenancyFacts> | undefined {
    return recorded(
        resources.find((resource) => resource.type === TENANCY_FACTS_TYPE),
        (props) => {
            const tenants = props["tenants"];
            if (!Array.isArray(tenants)) return ["tenants"];
            return tenants.flatMap((tenant: unknown, index) =>
                typeof tenant === "object" && tenant !== null
                    ? missingOf(tenant as Record<string, unknown>, TENANT_SHAPE, `tenants[${index}].`)
                    : [`tenants[${index}]`],
            );
        },
    );
}

/** Complete facts only: a record that lacks a required key is read as no facts. */
const complete = <T>(found: RecordedFacts<T> | undefined): T | undefined => (found && found.missing.length === 0 ? found.facts : undefined);

export function clusterFacts(resources: readonly TypedProps[]): ClusterFacts | undefined {
    return complete(recordedClusterFacts(resources));
}

export function kubeflowFacts(resources: readonly TypedProps[]): KubeflowFacts | undefined {
    return complete(recordedKubeflowFacts(resources));
}

export function tenancyAcknowledgements(resources: readonly TypedProps[]): TenancyAcknowledgement[] {
    return complete(recordedTenancyFacts(resources))?.acknowledge ?? [];
}

export function tenancyFacts(resources: readonly TypedProps[]): TenantFacts[] {
    return complete(recordedTenancyFacts(resources))?.tenants ?? [];
}
