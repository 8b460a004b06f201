// An EKS cluster built from @pulumi/aws resources directly (not @pulumi/eks or
// awsx, whose children are rendered inside a provider process and would be
// invisible to the offline plan and the policy pack).
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsStackConfig } from "../../config/schema";
import { execKubeconfig } from "../kubeconfig";
import { PlatformCluster, type PlatformClusterArgs } from "../platform-cluster";
import { AwsNetwork, type AwsNetworkArgs } from "./network";
import { EksNodeGroup } from "./node-group";
import { clusterAdminPrincipals } from "./deployer";
import { defaultStorageClass, nodeAddons, workloadAddons } from "./addons";
import type { EksAddonName } from "./addon-versions";
import { EKS_NODE_ROLE_POLICIES } from "../../../core/cloud-types";
import { type AutoscalerPin, autoscalerPin, clusterAutoscaler, wantsAutoscaler } from "./autoscaler";
import type { Bom } from "../../bom/schema";
import type { Mirror } from "../../images/rewrite";
import { type AwsPartition, awsManagedPolicyArn, eksAccessPolicyArn, servicePrincipal } from "./partition";
import type { ServiceAccountRef } from "../service-account";
import { irsaRole, oidcProvider } from "./workload-identity";
import { AIR_GAP_ENDPOINT_SERVICES, DATA_PLANE_ENDPOINT_SERVICES } from "./endpoints";
import { dataPlaneSettingsOf } from "../../data-plane/settings";

/** Control-plane logs kfstack always keeps: who called the API, what they did, how they authenticated. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator"];

export interface EksClusterArgs extends PlatformClusterArgs {
    readonly clusterName: string;
    readonly partition: AwsPartition;
    readonly kubernetesVersion: string;
    /** The VPC to create or use, in the cluster's region and zones. */
    readonly network: AwsNetworkArgs;
    /** Who reaches the API: only the private endpoint, or a public one limited to `allowedCidrs`. */
    readonly endpoint: { readonly private: boolean; readonly allowedCidrs: readonly string[] };
    /** IAM principals given cluster-admin through EKS access entries. */
    readonly clusterAdmins: readonly string[];
    /** The IAM principal running the deployment, given cluster-admin too unless it is among clusterAdmins. */
    readonly deployer: string;
    readonly supportType: "STANDARD" | "EXTENDED";
    readonly logRetentionDays: number;
    /** Air-gapped: the mirror registry prefix containerd pulls public images through. */
    readonly registryMirror?: string;
    /** The cluster-autoscaler to run, when some pool can change size (wantsAutoscaler). */
    readonly autoscaler?: AutoscalerPin;
}

/** The EKS cluster of an aws stack, its defaults applied. */
export function eksClusterArgs(
    config: AwsStackConfig,
    cluster: Pick<EksClusterArgs, "clusterName" | "partition" | "pools" | "facts" | "deployer">,
    release: { readonly bom: Bom; readonly mirror: Mirror | undefined },
): EksClusterArgs {
    return {
        ...cluster,
        kubernetesVersion: config.kubernetesVersion,
        network: {
            region: config.region,
            zones: config.zones,
            clusterName: cluster.clusterName,
            vpcCidr: config.network.vpcCidr,
            natGateways: config.network.natGateways ?? (config.topology === "production" ? "perZone" : "single"),
            internetAccess: !config.airGap.enabled,
            interfaceEndpoints: airGapEndpoints(config),
            existingVpc: config.network.existingVpc,
        },
        // The config rules keep an air-gapped stack's endpoint private.
        endpoint: { private: config.privateEndpoint.enabled, allowedCidrs: config.privateEndpoint.allowedCidrs },
        clusterAdmins: config.aws.clusterAdmins,
        supportType: config.aws.supportType,
        logRetentionDays: config.aws.logRetentionDays,
        registryMirror: config.airGap.enabled ? config.airGap.registry : undefined,
        autoscaler: wantsAutoscaler(cluster.pools) ? autoscalerPin(release.bom, config.kubernetesVersion, release.mirror) : undefined,
    };
}

/** The interface endpoints an air-gapped network creates: every one its nodes need but those the s3 data plane creates (one endpoint per service and VPC). */
function airGapEndpoints(config: AwsStackConfig): string[] {
    if (!config.airGap.enabled) return [];
    const fromDataPlane: readonly string[] = dataPlaneSettingsOf(config).objectStore === "s3" ? DATA_PLANE_ENDPOINT_SERVICES : [];
    return AIR_GAP_ENDPOINT_SERVICES.filter((service) => !fromDataPlane.includes(service));
}

function assumeRolePolicy(partition: AwsPartition, service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: servicePrincipal(partition, service) }, Action: "sts:AssumeRole" }],
    });
}

export class EksCluster extends PlatformCluster {
    readonly cluster: Aws.eks.Cluster;
    readonly network: AwsNetwork;
    readonly secretsKey: Aws.kms.Key;
    readonly nodeGroups: EksNodeGroup[];
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly addons: Record<EksAddonName, Aws.eks.Addon>;
    readonly storageClass: k8s.storage.v1.StorageClass;
    readonly ready: readonly pulumi.Resource[];
    readonly autoscaler?: k8s.apps.v1.Deployment;
    private readonly identity: { readonly name: string; provider?: Aws.iam.OpenIdConnectProvider };

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:EksCluster", name, args, opts);
        this.identity = { name };
        this.network = new AwsNetwork(`${name}-net`, args.network, { parent: this });
        this.secretsKey = secretsKey(this, name, args.clusterName);
        this.cluster = controlPlane(this, name, args, this.network, this.secretsKey);
        const access = grantClusterAdmins(this, name, args, this.cluster.name);
        const target = { clusterName: this.cluster.name, kubernetesVersion: args.kubernetesVersion, partition: args.partition };
        const beforeNodes = nodeAddons(this, name, target);
        this.nodeGroups = nodeGroups(this, name, args, {
            clusterName: this.cluster.name,
            subnetIds: this.network.privateSubnetIds,
            addons: Object.values(beforeNodes),
        });
        this.kubeconfig = execKubeconfig({
            clusterName: this.cluster.name,
            server: this.cluster.endpoint,
            certificateAuthority: this.cluster.certificateAuthority.data,
            exec: { command: "aws", args: ["eks", "get-token", "--output", "json", "--region", args.network.region, "--cluster-name", this.cluster.name] },
        });
        // No Kubernetes object is applied before every admin, the deployer included, has access. And every one is deleted
        // before the network: a LoadBalancer Service's ELB sits in the public subnets, whose deletion would wait on it.
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this, dependsOn: [...access, this.network] },
        );
        this.addons = { ...beforeNodes, ...workloadAddons(this, name, { ...target, kmsKeyArn: this.secretsKey.arn, nodeGroups: this.nodeGroups }) };
        this.storageClass = defaultStorageClass(this, name, this.secretsKey.arn, this.addons["aws-ebs-csi-driver"], this.provider);
        // Pods need nodes and DNS, and claims the default class (after its CSI driver).
        this.ready = [...this.nodeGroups, this.addons.coredns, this.storageClass];
        if (args.autoscaler) {
            this.autoscaler = clusterAutoscaler(this, name, {
                clusterName: args.clusterName,
                cluster: this.cluster,
                region: args.network.region,
                partition: args.partition,
                pin: args.autoscaler,
                provider: this.provider,
                dependsOn: [...this.nodeGroups, this.addons["eks-pod-identity-agent"]],
            });
        }
        this.registerClusterOutputs({ clusterName: this.cluster.name, kubeconfig: this.kubeconfig });
    }

    /**
     * A role `account` assumes through IRSA, for a client whose AWS SDK cannot use Pod Identity;
     * the cluster's OIDC provider is registered on first use. Returns the ServiceAccount's annotation.
     */
    serviceAccountRole(role: string, account: ServiceAccountRef, policy: pulumi.Input<string>): Record<string, pulumi.Output<string>> {
        return irsaRole(this, `${this.identity.name}-${role}`, { provider: this.openIdConnectProvider(), account, policy });
    }

    /** The cluster's OIDC issuer registered with IAM (once, on first use), which IRSA roles trust. */
    openIdConnectProvider(): Aws.iam.OpenIdConnectProvider {
        return (this.identity.provider ??= oidcProvider(this, this.identity.name, this.cluster));
    }
}

/** The KMS key that envelope-encrypts Kubernetes Secrets, with an alias named after the cluster. */
function secretsKey(parent: pulumi.Resource, name: string, clusterName: string): Aws.kms.Key {
    const key = new aws.kms.Key(
        `${name}-secrets`,
        { description: `Envelope encryption of Kubernetes Secrets in ${clusterName}`, enableKeyRotation: true, deletionWindowInDays: 30 },
        { parent },
    );
    new aws.kms.Alias(`${name}-secrets`, { name: `alias/${clusterName}-secrets`, targetKeyId: key.keyId }, { parent });
    return key;
}

/** The EKS control plane with its log group, IAM role and API security group. */
function controlPlane(parent: pulumi.Resource, name: string, args: EksClusterArgs, network: AwsNetwork, key: Aws.kms.Key): Aws.eks.Cluster {
    const { clusterName, endpoint } = args;
    // Created ahead of the cluster so the retention is ours, not "never expire".
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: args.logRetentionDays },
        { parent },
    );
    const role = new aws.iam.Role(`${name}-cluster`, { assumeRolePolicy: assumeRolePolicy(args.partition, "eks") }, { parent });
    const rolePolicy = new aws.iam.RolePolicyAttachment(
        `${name}-cluster`,
        { role: role.name, policyArn: awsManagedPolicyArn(args.partition, "AmazonEKSClusterPolicy") },
        { parent },
    );
    const apiAccess = new aws.ec2.SecurityGroup(
        `${name}-api`,
        {
            vpcId: network.vpcId,
            description: `HTTPS to the ${clusterName} API from allowed networks`,
            ingress: endpoint.private ? endpoint.allowedCidrs.map((cidr) => ({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidr] })) : [],
        },
        { parent },
    );
    return new aws.eks.Cluster(
        name,
        {
            name: clusterName,
            version: args.kubernetesVersion,
            roleArn: role.arn,
            vpcConfig: {
                subnetIds: network.privateSubnetIds,
                securityGroupIds: [apiAccess.id],
                endpointPrivateAccess: true,
                endpointPublicAccess: !endpoint.private,
                publicAccessCidrs: endpoint.private ? undefined : [...endpoint.allowedCidrs],
            },
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: EKS_LOG_TYPES,
            // Stated, so a cluster never slides silently into paid extended support.
            upgradePolicy: { supportType: args.supportType },
            tags: { Name: clusterName },
        },
        { parent, dependsOn: [rolePolicy, logGroup] },
    );
}

/**
 * An access entry with the cluster-admin policy for each principal the stack names and for the
 * deployer; each keyed by its principal, so a deployer later listed in clusterAdmins keeps its entry.
 */
function grantClusterAdmins(
    parent: pulumi.Resource,
    name: string,
    args: EksClusterArgs,
    clusterName: pulumi.Output<string>,
): Aws.eks.AccessPolicyAssociation[] {
    return clusterAdminPrincipals(args.clusterAdmins, args.deployer).map((principalArn) => {
        const role = principalArn
            .split(":")
            .at(-1)!
            .replace(/[^A-Za-z0-9-]/g, "-");
        const entry = new aws.eks.AccessEntry(`${name}-admin-${role}`, { clusterName, principalArn, type: "STANDARD" }, { parent });
        return new aws.eks.AccessPolicyAssociation(
            `${name}-admin-${role}`,
            { clusterName, principalArn, policyArn: eksAccessPolicyArn(args.partition, "AmazonEKSClusterAdminPolicy"), accessScope: { type: "cluster" } },
            { parent, dependsOn: [entry] },
        );
    });
}

/** The node role and one managed node group per pool, in the private subnets, after the add-ons nodes need to turn Ready. */
function nodeGroups(
    parent: pulumi.Resource,
    name: string,
    args: EksClusterArgs,
    placement: { clusterName: pulumi.Output<string>; subnetIds: pulumi.Output<string>[]; addons: pulumi.Resource[] },
): EksNodeGroup[] {
    const nodeRole = new aws.iam.Role(`${name}-node`, { assumeRolePolicy: assumeRolePolicy(args.partition, "ec2") }, { parent });
    // Only what the node itself needs; the VPC CNI has its own Pod Identity role, so no pod can borrow its rights.
    const nodeRolePolicies = EKS_NODE_ROLE_POLICIES.map(
        (policy) =>
            new aws.iam.RolePolicyAttachment(
                `${name}-node-${policy}`,
                { role: nodeRole.name, policyArn: awsManagedPolicyArn(args.partition, policy) },
                { parent },
            ),
    );
    return args.pools.map(
        (pool) =>
            new EksNodeGroup(
                `${name}-${pool.name}`,
                {
                    clusterName: placement.clusterName,
                    kubernetesVersion: args.kubernetesVersion,
                    nodeRoleArn: nodeRole.arn,
                    subnetIds: placement.subnetIds,
                    prerequisites: [...nodeRolePolicies, ...placement.addons],
                    registryMirror: args.registryMirror,
                    pool,
                },
                { parent },
            ),
    );
}
