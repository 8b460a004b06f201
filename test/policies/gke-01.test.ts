import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { gkeClusterHardening } from "../../policies/cloud/gke-01-cluster-hardening";
import { messagesOf, violationsOf, mandatoryViolation } from "./fixtures";
import { changed, gkeCluster, gkeGpuNodePool, gkeNodePool, expectAcceptedOutright } from "./fixtures-cloud";

describe("GKE-01 cluster hardening", () => {
    it("accepts kfstack's GKE cluster and node pools", async () => {
        await expectAcceptedOutright(gkeClusterHardening, [gkeCluster(), gkeNodePool(), gkeGpuNodePool()]);
    });

    it("rejects a cluster with public nodes", async () => {
        expect(await violationsOf(gkeClusterHardening, [changed(gkeCluster(), ["props", "privateClusterConfig", "enablePrivateNodes"], false)])).toEqual([
            mandatoryViolation(
                { policy: "gke-01-cluster-hardening", id: "GKE-01" },
                gkeCluster(),
                'GKE cluster "kfstack-gke-prod" gives its nodes public IP addresses (privateClusterConfig.enablePrivateNodes is not true); set privateClusterConfig.enablePrivateNodes to true.',
            ),
        ]);
    });

    it("rejects a cluster without Workload Identity", async () => {
        expect(await messagesOf(gkeClusterHardening, [changed(gkeCluster(), ["props", "workloadIdentityConfig"], undefined)])).toEqual([
            'GKE cluster "kfstack-gke-prod" has no Workload Identity (workloadIdentityConfig.workloadPool is not set); set workloadIdentityConfig.workloadPool to "<project>.svc.id.goog".',
        ]);
    });

    it("accepts a workload pool that is unknown until the project is read", async () => {
        await expectAcceptedOutright(gkeClusterHardening, [changed(gkeCluster(), ["props", "workloadIdentityConfig", "workloadPool"], Unknown.instance)]);
    });

    it("rejects a cluster that turns shielded nodes off, and accepts the provider default", async () => {
        expect(await messagesOf(gkeClusterHardening, [changed(gkeCluster(), ["props", "enableShieldedNodes"], false)])).toEqual([
            'GKE cluster "kfstack-gke-prod" turns shielded nodes off (enableShieldedNodes is false); set enableShieldedNodes to true.',
        ]);
        expect(await messagesOf(gkeClusterHardening, [changed(gkeCluster(), ["props", "enableShieldedNodes"], undefined)])).toEqual([]);
    });

    it("rejects a cluster that enforces no network policy", async () => {
        expect(await messagesOf(gkeClusterHardening, [changed(gkeCluster(), ["props", "datapathProvider"], "LEGACY_DATAPATH")])).toEqual([
            'GKE cluster "kfstack-gke-prod" enforces no network policy (datapathProvider is "LEGACY_DATAPATH" and networkPolicy is not enabled), so NetworkPolicies are ignored; set datapathProvider to "ADVANCED_DATAPATH" (Dataplane V2), or networkPolicy.enabled to true with the network policy add-on.',
        ]);
    });

    it("accepts Calico network policy instead of Dataplane V2", async () => {
        const calico = changed(changed(gkeCluster(), ["props", "datapathProvider"], undefined), ["props", "networkPolicy"], {
            enabled: true,
            provider: "CALICO",
        });
        expect(await messagesOf(gkeClusterHardening, [calico])).toEqual([]);
    });

    it("rejects a node pool without Secure Boot", async () => {
        expect(
            await messagesOf(gkeClusterHardening, [changed(gkeNodePool(), ["props", "nodeConfig", "shieldedInstanceConfig", "enableSecureBoot"], false)]),
        ).toEqual([
            'GKE node pool "kfstack-gke-prod-general" does not turn on Secure Boot (nodeConfig.shieldedInstanceConfig.enableSecureBoot is false); set it to true.',
        ]);
        expect(await messagesOf(gkeClusterHardening, [changed(gkeGpuNodePool(), ["props", "nodeConfig", "shieldedInstanceConfig"], undefined)])).toEqual([
            'GKE node pool "kfstack-gke-prod-gpu" does not turn on Secure Boot (nodeConfig.shieldedInstanceConfig.enableSecureBoot is not set); set it to true.',
        ]);
    });

    it("rejects a node pool that exposes the node's metadata server to pods", async () => {
        expect(
            await messagesOf(gkeClusterHardening, [changed(gkeNodePool(), ["props", "nodeConfig", "workloadMetadataConfig", "mode"], "GCE_METADATA")]),
        ).toEqual([
            'GKE node pool "kfstack-gke-prod-general" does not run the GKE metadata server (nodeConfig.workloadMetadataConfig.mode is "GCE_METADATA"), so pods can read the node\'s service account credentials; set it to "GKE_METADATA".',
        ]);
    });

    it("checks the default node pool when the cluster keeps it", async () => {
        const kept = changed(gkeCluster(), ["props", "removeDefaultNodePool"], undefined);
        expect(await messagesOf(gkeClusterHardening, [kept])).toEqual([
            'The default node pool of GKE cluster "kfstack-gke-prod" does not turn on Secure Boot (nodeConfig.shieldedInstanceConfig.enableSecureBoot is not set); set it to true.',
            'The default node pool of GKE cluster "kfstack-gke-prod" does not run the GKE metadata server (nodeConfig.workloadMetadataConfig.mode is not set), so pods can read the node\'s service account credentials; set it to "GKE_METADATA".',
        ]);
        const hardened = changed(kept, ["props", "nodeConfig"], {
            shieldedInstanceConfig: { enableSecureBoot: true },
            workloadMetadataConfig: { mode: "GKE_METADATA" },
        });
        expect(await messagesOf(gkeClusterHardening, [hardened])).toEqual([]);
    });

    it("checks node pools declared inline on the cluster", async () => {
        const inline = changed(gkeCluster(), ["props", "nodePools"], [{ name: "system", nodeConfig: { shieldedInstanceConfig: { enableSecureBoot: true } } }]);
        expect(await messagesOf(gkeClusterHardening, [inline])).toEqual([
            'Node pool "system" of GKE cluster "kfstack-gke-prod" does not run the GKE metadata server (nodePools[0].nodeConfig.workloadMetadataConfig.mode is not set), so pods can read the node\'s service account credentials; set it to "GKE_METADATA".',
        ]);
    });
});
