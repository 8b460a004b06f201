// An EKS cluster built from @pulumi/aws resources directly (not @pulumi/eks or
// awsx, whose children are rendered inside a provider process and would be
// invisible to the offline plan and the policy pack).
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterFacts } from "../../../core/facts";
import type { AwsStackConfig } from "../../config/schema";
import type { NodePoolPlan } from "../../config/topology";
import { execKubeconfig } from "../kubeconfig";
import { AwsNetwork } from "./network";
import { EksNodeGroup } from "./node-group";
import { type AwsPartition, awsManagedPolicyArn, eksAccessPolicyArn, servicePrincipal } from "./partition";

/** Control-plane logs kfstack always keeps: who called the API, what they did, how they authenticated. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator"];

export interface EksClusterArgs {
    clusterName: string;
    partition: AwsPartition;
    config: AwsStackConfig;
    pools: NodePoolPlan[];
    /** Registered as the component's inputs: what the policy pack knows of the cluster. */
    facts: ClusterFacts;
}

function assumeRolePolicy(partition: AwsPartition, service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: servicePrincipal(partition, service) }, Action: "sts:AssumeRole" }],
    });
}

export class EksCluster extends pulumi.ComponentResource {
    readonly cluster: aws.eks.Cluster;
    readonly network: AwsNetwork;
    readonly secretsKey: aws.kms.Key;
    readonly nodeGroups: EksNodeGroup[];
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly nodePools: NodePoolPlan[];

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:EksCluster", name, args.facts, opts);
        const { config, partition, clusterName } = args;
        const parent = { parent: this };
        this.nodePools = args.pools;

        this.network = new AwsNetwork(
            `${name}-net`,
            {
                region: config.region,
                zones: config.zones,
                clusterName,
                vpcCidr: config.network.vpcCidr,
                natGateways: config.network.natGateways ?? (config.topology === "production" ? "perZone" : "single"),
                existingVpc: config.network.existingVpc,
            },
            parent,
        );

        this.secretsKey = new aws.kms.Key(
            `${name}-secrets`,
            { description: `Envelope encryption of Kubernetes Secrets in ${clusterName}`, enableKeyRotation: true, deletionWindowInDays: 30 },
            parent,
        );
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/${clusterName}-secrets`, targetKeyId: this.secretsKey.keyId }, parent);

        // Created ahead of the cluster so the retention is ours, not "never expire".
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: config.aws.logRetentionDays },
            parent,
        );

        const clusterRole = new aws.iam.Role(`${name}-cluster`, { assumeRolePolicy: assumeRolePolicy(partition, "eks") }, parent);
        const clusterPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-cluster`,
            { role: clusterRole.name, policyArn: awsManagedPolicyArn(partition, "AmazonEKSClusterPolicy") },
            parent,
        );

        const apiAccess = new aws.ec2.SecurityGroup(
            `${name}-api`,
            {
                vpcId: this.network.vpcId,
                description: `HTTPS to the ${clusterName} API from allowed networks`,
                ingress: config.privateEndpoint.enabled
                    ? config.privateEndpoint.allowedCidrs.map((cidr) => ({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidr] }))
                    : [],
            },
            parent,
        );

        this.cluster = new aws.eks.Cluster(
            name,
            {
                name: clusterName,
                version: config.kubernetesVersion,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: this.network.privateSubnetIds,
                    securityGroupIds: [apiAccess.id],
                    endpointPrivateAccess: true,
                    endpointPublicAccess: !config.privateEndpoint.enabled,
                    publicAccessCidrs: config.privateEndpoint.enabled ? undefined : config.privateEndpoint.allowedCidrs,
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                encryptionConfig: { provider: { keyArn: this.secretsKey.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: EKS_LOG_TYPES,
                // Stated, so a cluster never slides silently into paid extended support.
                upgradePolicy: { supportType: config.aws.supportType },
                tags: { Name: clusterName },
            },
            { parent: this, dependsOn: [clusterPolicy, logGroup] },
        );

        config.aws.clusterAdmins.forEach((principalArn) => {
            const role = principalArn.split(":").at(-1)!.replace(/[^A-Za-z0-9-]/g, "-");
            const entry = new aws.eks.AccessEntry(`${name}-admin-${role}`, { clusterName: this.cluster.name, principalArn, type: "STANDARD" }, parent);
            new aws.eks.AccessPolicyAssociation(
                `${name}-admin-${role}`,
                {
                    clusterName: this.cluster.name,
                    principalArn,
                    policyArn: eksAccessPolicyArn(partition, "AmazonEKSClusterAdminPolicy"),
                    accessScope: { type: "cluster" },
                },
                { parent: this, dependsOn: [entry] },
            );
        });

        const nodeRole = new aws.iam.Role(`${name}-node`, { assumeRolePolicy: assumeRolePolicy(partition, "ec2") }, parent);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"].map(
            (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: awsManagedPolicyArn(partition, policy) }, parent),
        );

        this.nodeGroups = args.pools.map(
            (pool) =>
                new EksNodeGroup(
                    `${name}-${pool.name}`,
                    {
                        clusterName: this.cluster.name,
                        kubernetesVersion: config.kubernetesVersion,
                        nodeRoleArn: nodeRole.arn,
                        subnetIds: this.network.privateSubnetIds,
                        nodeRolePolicies: nodePolicies,
                        registryMirror: config.airGap.enabled ? config.airGap.registry : undefined,
                        pool,
                    },
                    parent,
                ),
        );

        this.kubeconfig = execKubeconfig({
            clusterName: this.cluster.name,
            server: this.cluster.endpoint,
            certificateAuthority: this.cluster.certificateAuthority.data,
            exec: { command: "aws", args: ["eks", "get-token", "--output", "json", "--region", config.region, "--cluster-name", this.cluster.name] },
        });
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);

        this.registerOutputs({ clusterName: this.cluster.name, kubeconfig: this.kubeconfig, nodePools: this.nodePools });
    }
}
