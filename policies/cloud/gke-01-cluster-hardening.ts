// GKE-01: private nodes, Workload Identity, shielded nodes with secure boot,
// the GKE metadata server, and network policy enforcement.
import { resourcePolicy } from "../lib/policy";
import { GKE_CLUSTER, GKE_NODE_POOL, describeCloudResource, isSet, quoted } from "./resources";
import { arrayAt, isRecord, recordAt } from "../../core/records";

type Report = (message: string) => void;

/** The node settings every pool's nodeConfig must carry. */
function checkNodeConfig(what: string, path: string, nodeConfig: Record<string, unknown>, report: Report): void {
    const shielded = recordAt(nodeConfig, "shieldedInstanceConfig");
    if (shielded["enableSecureBoot"] !== true) {
        report(
            `${what} does not turn on Secure Boot (${path}.shieldedInstanceConfig.enableSecureBoot is ${quoted(shielded["enableSecureBoot"])}); set it to true.`,
        );
    }
    const mode = recordAt(nodeConfig, "workloadMetadataConfig")["mode"];
    if (mode !== "GKE_METADATA") {
        report(
            `${what} does not run the GKE metadata server (${path}.workloadMetadataConfig.mode is ${quoted(mode)}), so pods can read the node's service account credentials; set it to "GKE_METADATA".`,
        );
    }
}

export const gkeClusterHardening = resourcePolicy({
    id: "GKE-01",
    slug: "cluster-hardening",
    description:
        'Every GKE cluster has private nodes, Workload Identity, shielded nodes and network policy enforcement (Dataplane V2 or networkPolicy); every node pool turns on Secure Boot and the GKE metadata server (workloadMetadataConfig.mode "GKE_METADATA").',
    reason: "Nodes with public IPs are reachable from the internet; without Workload Identity and the GKE metadata server every pod can use the node service account's credentials; without shielded nodes and Secure Boot a compromised node can persist in its boot chain; without network policy enforcement the tenants' NetworkPolicies are silently ignored.",
    remediation:
        'On the cluster set privateClusterConfig.enablePrivateNodes true, workloadIdentityConfig.workloadPool "<project>.svc.id.goog", enableShieldedNodes true and datapathProvider "ADVANCED_DATAPATH"; on each node pool set nodeConfig.shieldedInstanceConfig.enableSecureBoot true and nodeConfig.workloadMetadataConfig.mode "GKE_METADATA".',
    validateResource: (args, reportViolation) => {
        const what = describeCloudResource(args.type, args.name);
        const report: Report = (message) => reportViolation(message);
        if (args.type === GKE_NODE_POOL) {
            checkNodeConfig(what, "nodeConfig", recordAt(args.props, "nodeConfig"), report);
            return;
        }
        if (args.type !== GKE_CLUSTER) return;
        const props = args.props;
        if (recordAt(props, "privateClusterConfig")["enablePrivateNodes"] !== true) {
            report(
                `${what} gives its nodes public IP addresses (privateClusterConfig.enablePrivateNodes is not true); set privateClusterConfig.enablePrivateNodes to true.`,
            );
        }
        // The pool name is often built from the project id, which may be unknown during preview: check it is set.
        if (!isSet(props["workloadIdentityConfig"], "workloadPool")) {
            report(
                `${what} has no Workload Identity (workloadIdentityConfig.workloadPool is not set); set workloadIdentityConfig.workloadPool to "<project>.svc.id.goog".`,
            );
        }
        // The provider defaults enableShieldedNodes to true; only turning it off is a violation.
        if (props["enableShieldedNodes"] === false) {
            report(`${what} turns shielded nodes off (enableShieldedNodes is false); set enableShieldedNodes to true.`);
        }
        if (props["datapathProvider"] !== "ADVANCED_DATAPATH" && recordAt(props, "networkPolicy")["enabled"] !== true) {
            report(
                `${what} enforces no network policy (datapathProvider is ${quoted(props["datapathProvider"])} and networkPolicy is not enabled), so NetworkPolicies are ignored; ` +
                    'set datapathProvider to "ADVANCED_DATAPATH" (Dataplane V2), or networkPolicy.enabled to true with the network policy add-on.',
            );
        }
        // Pools declared on the cluster itself: the default pool, unless it is removed once the cluster exists, and inline nodePools.
        if (props["removeDefaultNodePool"] !== true) checkNodeConfig(`The default node pool of ${what}`, "nodeConfig", recordAt(props, "nodeConfig"), report);
        arrayAt(props, "nodePools")
            .filter(isRecord)
            .forEach((pool, index) => {
                const poolName = typeof pool["name"] === "string" ? `"${pool["name"]}"` : `#${index}`;
                checkNodeConfig(`Node pool ${poolName} of ${what}`, `nodePools[${index}].nodeConfig`, recordAt(pool, "nodeConfig"), report);
            });
    },
});
