// PLAT-02: NetworkPolicies are planned only where something enforces them: on
// EKS the VPC CNI add-on with its network policy agent on, on GKE Dataplane V2
// or the network-policy add-on, on an existing cluster the network plugin its
// stack declares (kfstack:existing.provides.networkPolicy).
import type { PolicyResource } from "@pulumi/policy";
import { recordAt } from "../../core/records";
import { stackPolicy } from "../lib/policy";
import { EKS_ADDON, EKS_CLUSTER, GKE_CLUSTER, clusterFactsWithUrn, describeCloudResource } from "./resources";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** The VPC CNI add-on's configurationValues, parsed; undefined when absent or not JSON. */
function vpcCniConfiguration(addon: PolicyResource): Record<string, unknown> | undefined {
    const values: unknown = addon.props["configurationValues"];
    if (typeof values !== "string") return undefined;
    try {
        return recordAt({ values: JSON.parse(values) as unknown }, "values");
    } catch {
        return undefined;
    }
}

/** Why the planned EKS cluster does not enforce NetworkPolicy, or undefined when it does. */
function eksShortfall(resources: readonly PolicyResource[]): string | undefined {
    const cni = resources.find((resource) => resource.type === EKS_ADDON && resource.props["addonName"] === "vpc-cni");
    if (!cni)
        return 'plans no vpc-cni add-on, so the VPC CNI\'s network policy agent stays off; add the vpc-cni add-on with configurationValues {"enableNetworkPolicy":"true"}';
    const enabled = vpcCniConfiguration(cni)?.["enableNetworkPolicy"];
    if (enabled === "true") return undefined;
    return `plans the vpc-cni add-on "${cni.name}" with enableNetworkPolicy ${enabled === undefined ? "not set" : JSON.stringify(enabled)}, so its network policy agent stays off; set its configurationValues to {"enableNetworkPolicy":"true"}`;
}

/** The existing cluster whose stack declares no enforcement, with why; undefined for any other cluster. */
function existingShortfall(resources: readonly PolicyResource[]): { cluster: PolicyResource; shortfall: string } | undefined {
    const facts = clusterFactsWithUrn(resources);
    const networkPolicy = facts?.facts.cloud === "existing" ? facts.facts.provides?.networkPolicy : undefined;
    if (!facts || !networkPolicy || networkPolicy.enforced) return undefined;
    return {
        cluster: resources.find((resource) => resource.urn === facts.urn)!,
        shortfall:
            "is declared with kfstack:existing.provides.networkPolicy.enforcedBy none; declare the network plugin that enforces them (calico, cilium, antrea, kube-router), or plan no NetworkPolicy",
    };
}

/** Why the planned GKE cluster does not enforce NetworkPolicy, or undefined when it does. */
function gkeShortfall(cluster: PolicyResource): string | undefined {
    if (cluster.props["datapathProvider"] === "ADVANCED_DATAPATH") return undefined;
    const addon = recordAt(recordAt(cluster.props, "addonsConfig"), "networkPolicyConfig")["disabled"] === false;
    if (addon && recordAt(cluster.props, "networkPolicy")["enabled"] === true) return undefined;
    return 'has neither Dataplane V2 (datapathProvider "ADVANCED_DATAPATH") nor the network-policy add-on (networkPolicy.enabled true with addonsConfig.networkPolicyConfig.disabled false); set datapathProvider to "ADVANCED_DATAPATH"';
}

export const networkPolicyEnforcement = stackPolicy({
    id: "PLAT-02",
    slug: "network-policy-enforcement",
    description:
        'NetworkPolicies are planned only on a cluster that enforces them: EKS with the vpc-cni add-on and enableNetworkPolicy "true" in its configuration values, GKE with Dataplane V2 or the network-policy add-on, an existing cluster whose stack declares the network plugin that enforces them (kfstack:existing.provides.networkPolicy.enforcedBy).',
    reason: "Without an enforcing network plugin a NetworkPolicy is accepted and ignored: every tenant's default-deny and egress rules are inert, and one tenant's pods reach another's.",
    remediation:
        'On EKS let kfstack install the vpc-cni add-on with {"enableNetworkPolicy":"true"}; on GKE keep datapathProvider "ADVANCED_DATAPATH" (or enable the network-policy add-on); on an existing cluster run a plugin that enforces NetworkPolicy (Calico, Cilium, Antrea, kube-router) and declare it.',
    validateStack: (args, reportViolation) => {
        const policies = args.resources.filter((resource) => resource.type === NETWORK_POLICY);
        if (!policies.length) return;
        const existing = existingShortfall(args.resources);
        if (existing) {
            reportViolation(
                `existing cluster "${existing.cluster.name}" gets ${policies.length} NetworkPolicies but enforces none: it ${existing.shortfall}.`,
                existing.cluster.urn,
            );
        }
        for (const cluster of args.resources) {
            const shortfall = cluster.type === EKS_CLUSTER ? eksShortfall(args.resources) : cluster.type === GKE_CLUSTER ? gkeShortfall(cluster) : undefined;
            if (!shortfall) continue;
            reportViolation(
                `${describeCloudResource(cluster.type, cluster.name)} gets ${policies.length} NetworkPolicies but enforces none: it ${shortfall}.`,
                cluster.urn,
            );
        }
    },
});
