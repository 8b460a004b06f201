import { describe, expect, it } from "vitest";
import { networkPolicyEnforcement } from "../../policies/cloud/plat-02-network-policy-enforcement";
import { mandatoryViolation, messagesOf, violationsOf } from "./fixtures";
import { changed, clusterFactsRecord, eksCluster, expectAcceptedOutright, gkeCluster } from "./fixtures-cloud";
import { existingClusterFacts, networkPolicy, vpcCniAddon } from "./fixtures-platform";

const PLAT_02 = { policy: "plat-02-network-policy-enforcement", id: "PLAT-02" };

const cniOff = (setting: string) =>
    `EKS cluster "kfstack-prod" gets 1 NetworkPolicies but enforces none: it plans the vpc-cni add-on "kfstack-prod-vpc-cni" with enableNetworkPolicy ${setting}, so its network policy agent stays off; set its configurationValues to {"enableNetworkPolicy":"true"}.`;

describe("PLAT-02 NetworkPolicy enforcement", () => {
    it("accepts NetworkPolicies on EKS with the vpc-cni add-on enforcing them", async () => {
        await expectAcceptedOutright(networkPolicyEnforcement, [eksCluster(), vpcCniAddon(), networkPolicy()]);
    });

    it("accepts NetworkPolicies on GKE with Dataplane V2", async () => {
        await expectAcceptedOutright(networkPolicyEnforcement, [gkeCluster(), networkPolicy()]);
    });

    it("accepts NetworkPolicies on GKE with the network-policy add-on instead of Dataplane V2", async () => {
        let cluster = changed(gkeCluster(), ["props", "datapathProvider"], "LEGACY_DATAPATH");
        cluster = changed(cluster, ["props", "networkPolicy"], { enabled: true, provider: "CALICO" });
        cluster = changed(cluster, ["props", "addonsConfig"], { networkPolicyConfig: { disabled: false } });
        await expectAcceptedOutright(networkPolicyEnforcement, [cluster, networkPolicy()]);
    });

    it("accepts an EKS cluster without the add-on when it plans no NetworkPolicy", async () => {
        await expectAcceptedOutright(networkPolicyEnforcement, [eksCluster()]);
    });

    it("accepts NetworkPolicies on an existing cluster whose stack declares the plugin enforcing them", async () => {
        await expectAcceptedOutright(networkPolicyEnforcement, [existingClusterFacts(), networkPolicy()]);
    });

    it("accepts an existing cluster that enforces no NetworkPolicy when the plan has none", async () => {
        await expectAcceptedOutright(networkPolicyEnforcement, [existingClusterFacts({ networkPolicy: { enforced: false } })]);
    });

    it("leaves alone an existing cluster whose facts record no declaration of its enforcement", async () => {
        await expectAcceptedOutright(networkPolicyEnforcement, [clusterFactsRecord({ cloud: "existing" }), networkPolicy()]);
    });

    it("rejects NetworkPolicies on EKS without the vpc-cni add-on", async () => {
        const cluster = eksCluster();
        expect(await violationsOf(networkPolicyEnforcement, [cluster, networkPolicy()])).toEqual([
            mandatoryViolation(
                PLAT_02,
                cluster,
                'EKS cluster "kfstack-prod" gets 1 NetworkPolicies but enforces none: it plans no vpc-cni add-on, so the VPC CNI\'s network policy agent stays off; add the vpc-cni add-on with configurationValues {"enableNetworkPolicy":"true"}.',
            ),
        ]);
    });

    it("rejects NetworkPolicies on EKS with the vpc-cni add-on left at its defaults", async () => {
        const addon = changed(vpcCniAddon(), ["props", "configurationValues"], undefined);
        expect(await messagesOf(networkPolicyEnforcement, [eksCluster(), addon, networkPolicy()])).toEqual([cniOff("not set")]);
    });

    it("rejects NetworkPolicies on EKS with the vpc-cni network policy agent turned off", async () => {
        const addon = changed(vpcCniAddon(), ["props", "configurationValues"], '{"enableNetworkPolicy":"false"}');
        expect(await messagesOf(networkPolicyEnforcement, [eksCluster(), addon, networkPolicy()])).toEqual([cniOff('"false"')]);
    });

    it("rejects NetworkPolicies on GKE with neither Dataplane V2 nor the network-policy add-on", async () => {
        const cluster = changed(gkeCluster(), ["props", "datapathProvider"], "LEGACY_DATAPATH");
        expect(await messagesOf(networkPolicyEnforcement, [cluster, networkPolicy()])).toEqual([
            'GKE cluster "kfstack-gke-prod" gets 1 NetworkPolicies but enforces none: it has neither Dataplane V2 (datapathProvider "ADVANCED_DATAPATH") nor the network-policy add-on (networkPolicy.enabled true with addonsConfig.networkPolicyConfig.disabled false); set datapathProvider to "ADVANCED_DATAPATH".',
        ]);
    });

    it("rejects NetworkPolicies on an existing cluster whose stack declares no enforcement", async () => {
        const cluster = existingClusterFacts({ networkPolicy: { enforced: false } });
        expect(await violationsOf(networkPolicyEnforcement, [cluster, networkPolicy()])).toEqual([
            mandatoryViolation(
                PLAT_02,
                cluster,
                'existing cluster "kfstack-onprem" gets 1 NetworkPolicies but enforces none: it is declared with kfstack:existing.provides.networkPolicy.enforcedBy none; declare the network plugin that enforces them (calico, cilium, antrea, kube-router), or plan no NetworkPolicy.',
            ),
        ]);
    });
});
