// PLAT-02: NetworkPolicies are planned only where something enforces them: on
// EKS the VPC CNI add-on with its network policy agent on, on GKE Dataplane V2
// or the network-policy add-on, on an existing cluster the network plugin its
// stack declares (kfstack:existing.provides.networkPolicy). The reading is the
// core's (core/network-policy/enforcement.ts), which the tenancy audit shares.
import { enforcementGaps } from "../../core/network-policy/enforcement";
import { stackPolicy } from "../lib/policy";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

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
        for (const gap of enforcementGaps(args.resources)) {
            reportViolation(`${gap.what} gets ${policies.length} NetworkPolicies but enforces none: it ${gap.shortfall}.`, gap.cluster.urn);
        }
    },
});
