// Picks the cluster for the stack's cloud. The cloud provider is created here,
// with the stack's region and tags, and handed to the cluster component, whose
// children inherit it.
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import type { NodePoolPlan } from "../config/topology";
import { EksCluster } from "./aws";
import { partitionOf } from "./aws/partition";
import { ExistingCluster } from "./existing";
import { GkeCluster } from "./gcp";

export interface PlatformCluster {
    provider: k8s.Provider;
    kubeconfig: pulumi.Output<string>;
    nodePools: NodePoolPlan[];
}

export function createCluster(name: string, config: StackConfig, pools: NodePoolPlan[]): PlatformCluster {
    const clusterName = config.clusterName ?? name;
    switch (config.cloud) {
        case "aws": {
            const partition = partitionOf(config.region)!;
            const provider = new aws.Provider(`${name}-aws`, { region: config.region, defaultTags: { tags: { ...config.tags, "kfstack:cluster": clusterName } } });
            return new EksCluster(name, { clusterName, partition, config, pools }, { providers: { aws: provider } });
        }
        case "gcp": {
            const provider = new gcp.Provider(`${name}-gcp`, { project: config.gcp.project, region: config.region, defaultLabels: { ...config.tags, "kfstack-cluster": clusterName } });
            return new GkeCluster(name, { clusterName, config, pools }, { providers: { gcp: provider } });
        }
        case "existing":
            return new ExistingCluster(name, { config, pools });
    }
}
