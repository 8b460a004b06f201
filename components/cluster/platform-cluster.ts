// What every cluster component (EKS, GKE, existing) gives the platform: a
// Kubernetes provider, the kubeconfig, the node pools, and what the platform
// must wait for before it applies anything. Each registers the
// stack's cluster facts as its inputs and its outputs: in a real preview the
// engine gives stack policies a component's outputs, so the pack reads them there.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterFacts } from "../../core/facts";
import type { NodePoolPlan } from "../config/topology";

export interface PlatformClusterArgs {
    readonly pools: readonly NodePoolPlan[];
    /** Registered as the component's inputs: what the policy pack knows of the cluster. */
    readonly facts: ClusterFacts;
}

export abstract class PlatformCluster extends pulumi.ComponentResource {
    abstract readonly kubeconfig: pulumi.Output<string>;
    abstract readonly provider: k8s.Provider;
    /**
     * What the platform's components wait for before applying anything: on EKS and GKE the nodes and what
     * claims and name lookups need (else Kubeflow's Deployments time out waiting for pods with nowhere to run),
     * on an existing cluster the reads of what its stack declares.
     */
    abstract readonly ready: readonly pulumi.Input<pulumi.Resource>[];
    readonly nodePools: readonly NodePoolPlan[];
    private readonly facts: ClusterFacts;

    protected constructor(type: string, name: string, args: PlatformClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, args.facts, opts);
        this.nodePools = args.pools;
        this.facts = args.facts;
    }

    /** Registers the component's outputs after the cluster facts, which stack policies read from them (AnalyzeStack). */
    protected registerClusterOutputs(outputs: pulumi.Inputs): void {
        this.registerOutputs({ ...this.facts, ...outputs });
    }
}
