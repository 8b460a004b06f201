// Picks the cluster for the stack's cloud. The cloud provider is created here,
// with the stack's region and tags, and handed to the cluster component, whose
// children inherit it.
import { aws } from "../packages";
import { gcp } from "../packages";
import type { ResolvedStack } from "../stack";
import { deployerPrincipalArn } from "./aws/deployer";
import { EksCluster, eksClusterArgs } from "./aws/eks-cluster";
import { partitionOf } from "./aws/partition";
import { ExistingCluster } from "./existing";
import { GkeCluster, gkeClusterArgs } from "./gcp/gke-cluster";
import type { PlatformCluster } from "./platform-cluster";

/**
 * The stack's cluster. Async for one read: on AWS the caller identity (an invoke) decides which
 * access entries exist, so it is awaited here, once, before the cluster registers anything.
 */
export async function createCluster(name: string, stack: Pick<ResolvedStack, "config" | "pools" | "facts" | "bom" | "mirror">): Promise<PlatformCluster> {
    const { config, pools } = stack;
    const facts = stack.facts.cluster;
    const clusterName = config.clusterName ?? name;
    switch (config.cloud) {
        case "aws": {
            const partition = partitionOf(config.region)!;
            const provider = new aws.Provider(`${name}-aws`, {
                region: config.region,
                defaultTags: { tags: { ...config.tags, "kfstack:cluster": clusterName } },
            });
            const deployer = await deployerPrincipalArn(provider);
            return new EksCluster(name, eksClusterArgs(config, { clusterName, partition, pools, facts, deployer }, stack), { providers: { aws: provider } });
        }
        case "gcp": {
            const provider = new gcp.Provider(`${name}-gcp`, {
                project: config.gcp.project,
                region: config.region,
                defaultLabels: { ...config.tags, "kfstack-cluster": clusterName },
            });
            return new GkeCluster(name, gkeClusterArgs(config, { clusterName, pools, facts }), { providers: { gcp: provider } });
        }
        case "existing":
            return new ExistingCluster(name, { existing: config.existing, pools, facts });
    }
}
