// Whether anything in a plan enforces NetworkPolicy: on EKS the VPC CNI add-on
// with its network policy agent on, on GKE Dataplane V2 or the network-policy
// add-on, on an existing cluster the plugin its stack declares. Without it a
// NetworkPolicy is accepted and ignored. One reading, shared by PLAT-02 and the
// tenancy audit.
import { EKS_ADDON, EKS_CLUSTER, GKE_CLUSTER } from "../cloud-types";
import { CLUSTER_FACTS_TYPE_PREFIX, type ClusterFacts } from "../facts";
import { recordAt } from "../records";

export interface PlanResource {
    type: string;
    name?: string;
    props: Record<string, unknown>;
}

/** A cluster that enforces no NetworkPolicy, and why, as a sentence's predicate ("plans no vpc-cni add-on, …; add …"). */
export interface EnforcementGap<R extends PlanResource> {
    cluster: R;
    /** `EKS cluster "kfstack-prod"`, `existing cluster "kfstack-onprem"`. */
    what: string;
    shortfall: string;
}

/** The VPC CNI add-on's configurationValues, parsed; undefined when absent or not JSON. */
function vpcCniConfiguration(addon: PlanResource): Record<string, unknown> | undefined {
    const values: unknown = addon.props["configurationValues"];
    if (typeof values !== "string") return undefined;
    try {
        return recordAt({ values: JSON.parse(values) as unknown }, "values");
    } catch {
        return undefined;
    }
}

function eksShortfall(resources: readonly PlanResource[]): string | undefined {
    const cni = resources.find((resource) => resource.type === EKS_ADDON && resource.props["addonName"] === "vpc-cni");
    if (!cni)
        return 'plans no vpc-cni add-on, so the VPC CNI\'s network policy agent stays off; add the vpc-cni add-on with configurationValues {"enableNetworkPolicy":"true"}';
    const enabled = vpcCniConfiguration(cni)?.["enableNetworkPolicy"];
    if (enabled === "true") return undefined;
    return `plans the vpc-cni add-on "${cni.name ?? "vpc-cni"}" with enableNetworkPolicy ${enabled === undefined ? "not set" : JSON.stringify(enabled)}, so its network policy agent stays off; set its configurationValues to {"enableNetworkPolicy":"true"}`;
}

function gkeShortfall(cluster: PlanResource): string | undefined {
    if (cluster.props["datapathProvider"] === "ADVANCED_DATAPATH") return undefined;
    const addon = recordAt(recordAt(cluster.props, "addonsConfig"), "networkPolicyConfig")["disabled"] === false;
    if (addon && recordAt(cluster.props, "networkPolicy")["enabled"] === true) return undefined;
    return 'has neither Dataplane V2 (datapathProvider "ADVANCED_DATAPATH") nor the network-policy add-on (networkPolicy.enabled true with addonsConfig.networkPolicyConfig.disabled false); set datapathProvider to "ADVANCED_DATAPATH"';
}

/** An existing cluster whose stack declares enforcedBy none; one that declares nothing is not judged. */
function existingShortfall<R extends PlanResource>(resources: readonly R[]): EnforcementGap<R> | undefined {
    const holder = resources.find((resource) => resource.type.startsWith(CLUSTER_FACTS_TYPE_PREFIX) && "nodePools" in resource.props);
    const facts = holder?.props as ClusterFacts | undefined;
    const networkPolicy = facts?.cloud === "existing" ? facts.provides?.networkPolicy : undefined;
    if (!holder || !networkPolicy || networkPolicy.enforced) return undefined;
    return {
        cluster: holder,
        what: `existing cluster "${holder.name ?? "cluster"}"`,
        shortfall:
            "is declared with kfstack:existing.provides.networkPolicy.enforcedBy none; declare the network plugin that enforces them (calico, cilium, antrea, kube-router), or plan no NetworkPolicy",
    };
}

/** Every cluster of the plan that would leave its NetworkPolicies inert. */
export function enforcementGaps<R extends PlanResource>(resources: readonly R[]): EnforcementGap<R>[] {
    const gaps: EnforcementGap<R>[] = [];
    const existing = existingShortfall(resources);
    if (existing) gaps.push(existing);
    for (const cluster of resources) {
        const shortfall = cluster.type === EKS_CLUSTER ? eksShortfall(resources) : cluster.type === GKE_CLUSTER ? gkeShortfall(cluster) : undefined;
        const kind = cluster.type === EKS_CLUSTER ? "EKS cluster" : "GKE cluster";
        if (shortfall) gaps.push({ cluster, what: `${kind} "${cluster.name ?? "cluster"}"`, shortfall });
    }
    return gaps;
}
