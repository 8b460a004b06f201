// A private, VPC-native GKE cluster: private nodes, Workload Identity, shielded
// nodes, Dataplane V2 (which enforces NetworkPolicies, the base of tenant
// isolation), and node pools managed separately from the cluster.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterFacts } from "../../../core/facts";
import type { GcpStackConfig } from "../../config/schema";
import type { NodePoolPlan } from "../../config/topology";
import { execKubeconfig } from "../kubeconfig";
import { GcpNetwork, PODS_RANGE, SERVICES_RANGE } from "./network";
import { GkeNodePool } from "./node-pool";

/** What nodes need and no more: write logs and metrics, read images. */
export const NODE_SERVICE_ACCOUNT_ROLES = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/artifactregistry.reader"];

export interface GkeClusterArgs {
    clusterName: string;
    config: GcpStackConfig;
    pools: NodePoolPlan[];
    /** Registered as the component's inputs: what the policy pack knows of the cluster. */
    facts: ClusterFacts;
}

export class GkeCluster extends pulumi.ComponentResource {
    readonly cluster: gcp.container.Cluster;
    readonly network: GcpNetwork;
    readonly nodePoolResources: GkeNodePool[];
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly nodePools: NodePoolPlan[];

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:GkeCluster", name, args.facts, opts);
        const { config, clusterName } = args;
        const parent = { parent: this };
        const labels = { ...config.tags, "kfstack-cluster": clusterName };
        const pinned = config.gcp.releaseChannel === "UNSPECIFIED";
        this.nodePools = args.pools;

        this.network = new GcpNetwork(`${name}-net`, { region: config.region, ...config.network }, parent);

        const nodeAccount = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            { accountId: `${clusterName}-nodes`.slice(0, 30), displayName: `Nodes of ${clusterName}` },
            parent,
        );
        const nodeRoles = NODE_SERVICE_ACCOUNT_ROLES.map(
            (role) =>
                new gcp.projects.IAMMember(
                    `${name}-nodes-${role.split("/")[1]}`,
                    { project: config.gcp.project, role, member: pulumi.interpolate`serviceAccount:${nodeAccount.email}` },
                    parent,
                ),
        );

        this.cluster = new gcp.container.Cluster(
            name,
            {
                name: clusterName,
                location: config.region,
                nodeLocations: config.zones,
                network: this.network.network.id,
                subnetwork: this.network.subnetwork.id,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: config.privateEndpoint.enabled,
                    masterIpv4CidrBlock: config.network.masterCidr,
                },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: config.privateEndpoint.allowedCidrs.map((cidrBlock) => ({ cidrBlock, displayName: `allowed ${cidrBlock}` })),
                },
                workloadIdentityConfig: { workloadPool: `${config.gcp.project}.svc.id.goog` },
                datapathProvider: "ADVANCED_DATAPATH",
                enableShieldedNodes: true,
                releaseChannel: { channel: config.gcp.releaseChannel },
                minMasterVersion: config.kubernetesVersion,
                // Node pools are kfstack's own; the default pool is only a bootstrap GKE requires.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                deletionProtection: config.gcp.deletionProtection,
                resourceLabels: labels,
            },
            parent,
        );

        this.nodePoolResources = args.pools.map(
            (pool) =>
                new GkeNodePool(
                    `${name}-${pool.name}`,
                    {
                        cluster: this.cluster.name,
                        location: config.region,
                        zones: config.zones,
                        kubernetesVersion: config.kubernetesVersion,
                        autoUpgrade: !pinned,
                        serviceAccount: nodeAccount.email,
                        serviceAccountRoles: nodeRoles,
                        labels,
                        pool,
                    },
                    parent,
                ),
        );

        this.kubeconfig = execKubeconfig({
            clusterName: this.cluster.name,
            server: pulumi.interpolate`https://${this.cluster.endpoint}`,
            certificateAuthority: this.cluster.masterAuth.clusterCaCertificate.apply((ca) => ca ?? ""),
            exec: { command: "gke-gcloud-auth-plugin", args: [], provideClusterInfo: true },
        });
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);

        this.registerOutputs({ clusterName: this.cluster.name, kubeconfig: this.kubeconfig, nodePools: this.nodePools });
    }
}
