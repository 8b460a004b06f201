// What policies know about the platform beyond single resources: the kfstack
// components record these facts as their inputs, so a stack policy reads them
// from the same preview it checks (and `npm run check -- --stack-config` adds
// them for a bare list of resources).

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
    props: Record<string, unknown>;
}

export function clusterFacts(resources: readonly TypedProps[]): ClusterFacts | undefined {
    const cluster = resources.find((resource) => resource.type.startsWith(CLUSTER_FACTS_TYPE_PREFIX) && "nodePools" in resource.props);
    return cluster?.props as ClusterFacts | undefined;
}

export function kubeflowFacts(resources: readonly TypedProps[]): KubeflowFacts | undefined {
    return resources.find((resource) => resource.type === KUBEFLOW_FACTS_TYPE)?.props as KubeflowFacts | undefined;
}

/** A tenancy audit finding the stack accepts knowingly (kfstack:tenancy.acknowledge). */
export interface TenancyAcknowledgement {
    finding: string;
    reason: string;
}

export function tenancyAcknowledgements(resources: readonly TypedProps[]): TenancyAcknowledgement[] {
    return (resources.find((resource) => resource.type === TENANCY_FACTS_TYPE)?.props["acknowledge"] as TenancyAcknowledgement[] | undefined) ?? [];
}

export function tenancyFacts(resources: readonly TypedProps[]): TenantFacts[] {
    return (resources.find((resource) => resource.type === TENANCY_FACTS_TYPE)?.props["tenants"] as TenantFacts[] | undefined) ?? [];
}
