// The kfstack Pulumi program. `pulumi up` runs it through index.ts; the offline
// engine runs the very same function under mocks.
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./cluster";
import { loadStackConfig } from "./config/load";
import { resolvePools } from "./config/topology";

export async function stackProgram(): Promise<Record<string, unknown>> {
    const config = loadStackConfig();
    const { general, gpu } = resolvePools(config);
    const pools = [general!, ...(gpu ? [gpu] : [])];
    const cluster = createCluster(`kfstack-${pulumi.getStack()}`, config, pools);
    return {
        cloud: config.cloud,
        topology: config.topology,
        kubernetesVersion: config.kubernetesVersion,
        ...(config.allowUndersized ? { undersizedReason: config.allowUndersized.reason } : {}),
        kubeconfig: cluster.kubeconfig,
        nodePools: cluster.nodePools,
    };
}
