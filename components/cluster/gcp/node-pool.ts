// One GKE node pool: shielded nodes with secure boot, the GKE metadata server
// (Workload Identity), local SSDs as ephemeral storage for kubelet and
// containerd, and for GPU pools the accelerator with a pinned driver
// installation and the nvidia.com/gpu taint.
import type * as Gcp from "@pulumi/gcp";
import { gcp } from "../../packages";
import * as pulumi from "@pulumi/pulumi";
import type { NodePoolPlan } from "../../config/topology";

export interface GkeNodePoolArgs {
    readonly cluster: pulumi.Input<string>;
    readonly location: string;
    readonly zones: string[];
    readonly kubernetesVersion: string;
    /** Node auto-upgrade follows the release channel; with a pinned version it stays off. */
    readonly autoUpgrade: boolean;
    readonly serviceAccount: pulumi.Input<string>;
    /** The service account's role grants: nodes without them cannot pull images or write logs. */
    readonly serviceAccountRoles: pulumi.Resource[];
    readonly labels: Record<string, string>;
    readonly pool: NodePoolPlan;
}

export class GkeNodePool extends pulumi.ComponentResource {
    readonly nodePool: Gcp.container.NodePool;

    constructor(name: string, args: GkeNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:GkeNodePool", name, {}, opts);
        const { pool } = args;
        const gpu = pool.gpu;
        this.nodePool = new gcp.container.NodePool(
            name,
            {
                cluster: args.cluster,
                location: args.location,
                nodeLocations: args.zones,
                version: args.autoUpgrade ? undefined : args.kubernetesVersion,
                initialNodeCount: Math.ceil(pool.desiredNodes / args.zones.length),
                // Totals, not per-zone counts: a regional pool otherwise multiplies by the number of zones.
                autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: gpu ? "ANY" : "BALANCED" },
                management: { autoRepair: true, autoUpgrade: args.autoUpgrade },
                nodeConfig: {
                    machineType: pool.instanceType,
                    serviceAccount: args.serviceAccount,
                    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                    workloadMetadataConfig: { mode: "GKE_METADATA" },
                    ephemeralStorageLocalSsdConfig: pool.localSsdCount ? { localSsdCount: pool.localSsdCount } : undefined,
                    guestAccelerators: gpu
                        ? [
                              {
                                  type: gpu.gkeAcceleratorType!,
                                  count: gpu.count,
                                  gpuDriverInstallationConfig: { gpuDriverVersion: gpu.gkeInstallation! },
                              },
                          ]
                        : undefined,
                    labels: pool.labels,
                    resourceLabels: args.labels,
                    taints: pool.taints.map((taint) => ({ key: taint.key, value: taint.value, effect: "NO_SCHEDULE" })),
                },
            },
            { parent: this, dependsOn: args.serviceAccountRoles, ignoreChanges: ["initialNodeCount"] },
        );
        this.registerOutputs({ nodePoolName: this.nodePool.name });
    }
}
