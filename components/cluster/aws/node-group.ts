// One EKS managed node group behind its own launch template. The template is
// where kfstack states what EKS would otherwise leave to defaults: IMDSv2
// only, no SSH key, an encrypted root volume, and the instance-store NVMe
// assembled as RAID0 for kubelet and containerd (AL2023 nodeadm), so image
// layers and emptyDir volumes land on local NVMe instead of the root EBS volume.
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import * as pulumi from "@pulumi/pulumi";
import type { NodePoolPlan } from "../../config/topology";
import { PUBLIC_REGISTRIES } from "../../images/rewrite";
import { parseRegistryPrefix } from "../../../core/image-references";
import { NODE_TEMPLATE_PREFIX, nodeTemplateTags } from "../../../core/cluster-autoscaler";
import { GPU_RESOURCE } from "../../../core/gpu";

/**
 * Hop limit 1 keeps IMDS (and the node role's credentials) out of reach of pods
 * that are not on the host network; pods get AWS access through EKS Pod
 * Identity or IRSA instead. Host-network daemons such as the VPC CNI still reach it.
 */
export const IMDS_HOP_LIMIT = 1;

const ROOT_VOLUME_GB = 100;

/**
 * containerd hosts.toml files that send pulls of public registries to the
 * mirror (`override_path`: the mirror's path prefix is the API root), for
 * images that pods created at run time still name upstream.
 */
function registryMirrorScript(mirror: string): string[] {
    const prefix = parseRegistryPrefix(mirror);
    // The schema accepts only registry prefixes, so this is a programming error, not a user's.
    if (!prefix) throw new Error(`"${mirror}" is not a registry prefix`);
    const host = prefix.port ? `${prefix.host}:${prefix.port}` : prefix.host;
    const root = `https://${host}/v2${prefix.path ? `/${prefix.path}` : ""}`;
    // Concrete hosts only: containerd keys its hosts.toml files by host name.
    return PUBLIC_REGISTRIES.filter((registry) => !registry.includes("*")).flatMap((registry) => [
        `mkdir -p /etc/containerd/certs.d/${registry}`,
        `cat > /etc/containerd/certs.d/${registry}/hosts.toml <<'HOSTS'`,
        `server = "https://${registry}"`,
        `[host."${root}"]`,
        `  capabilities = ["pull", "resolve"]`,
        "  override_path = true",
        "HOSTS",
    ]);
}

/** nodeadm configuration, merged by EKS with the cluster details it adds itself; with a mirror, containerd pulls through it. */
export function nodeadmUserData(mirror?: string): string {
    const boundary = "KFSTACK-NODEADM";
    const containerd = mirror
        ? ["  containerd:", "    config: |", '      [plugins."io.containerd.grpc.v1.cri".registry]', '      config_path = "/etc/containerd/certs.d"']
        : [];
    const script = mirror
        ? [`--${boundary}`, 'Content-Type: text/x-shellscript; charset="us-ascii"', "", "#!/bin/bash", "set -euo pipefail", ...registryMirrorScript(mirror), ""]
        : [];
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: application/node.eks.aws",
        "",
        "---",
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  instance:",
        "    localStorage:",
        "      strategy: RAID0",
        ...containerd,
        "",
        ...script,
        `--${boundary}--`,
        "",
    ].join("\n");
}

export interface EksNodeGroupArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly kubernetesVersion: string;
    readonly nodeRoleArn: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string>[];
    /** Air-gapped: the mirror registry prefix containerd pulls public images through. */
    readonly registryMirror?: string;
    /** What must exist before nodes join: the node role's policies (or nodes fail to register) and the add-ons a node needs to turn Ready. */
    readonly prerequisites: pulumi.Resource[];
    readonly pool: NodePoolPlan;
}

/**
 * The label the cluster-autoscaler's AWS provider knows GPU nodes by (its GPULabel): a new GPU
 * node whose device plugin has not yet advertised nvidia.com/gpu then counts as not ready,
 * instead of as a node with no GPUs that sends the autoscaler after another one.
 */
export const AWS_ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator";

/** The labels of a pool's nodes: its own, and on GPU nodes the accelerator label. */
export function nodeLabels(pool: NodePoolPlan): Record<string, string> {
    return pool.gpu ? { ...pool.labels, [AWS_ACCELERATOR_LABEL]: pool.gpu.model } : pool.labels;
}

/**
 * What the cluster-autoscaler must be told about a pool it may have no node of: at 0 nodes it
 * builds a node from the ASG's tags, and EKS does not copy a node group's labels, taints or tags
 * to its ASG. Its DescribeNodegroup lookup is a fallback only while the group has never had a
 * node, and the GPU count comes from a built-in instance table a new type may be missing from.
 */
export function asgTemplateTags(pool: NodePoolPlan): Record<string, string> {
    if (pool.minNodes > 0 && !pool.gpu) return {};
    return nodeTemplateTags({ labels: nodeLabels(pool), taints: pool.taints, resources: pool.gpu ? { [GPU_RESOURCE]: pool.gpu.count } : {} });
}

export class EksNodeGroup extends pulumi.ComponentResource {
    readonly launchTemplate: Aws.ec2.LaunchTemplate;
    readonly nodeGroup: Aws.eks.NodeGroup;
    /** The node-template tags on the group's ASG, by tag key. */
    readonly asgTags: Aws.autoscaling.Tag[];

    constructor(name: string, args: EksNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:EksNodeGroup", name, {}, opts);
        const { pool } = args;

        this.launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            {
                description: `kfstack ${pool.name} nodes: IMDSv2, no SSH, NVMe RAID0`,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: IMDS_HOP_LIMIT,
                },
                blockDeviceMappings: [
                    { deviceName: "/dev/xvda", ebs: { volumeSize: ROOT_VOLUME_GB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                ],
                userData: Buffer.from(nodeadmUserData(args.registryMirror)).toString("base64"),
                updateDefaultVersion: true,
                tagSpecifications: [{ resourceType: "instance", tags: { Name: pulumi.interpolate`${args.clusterName}-${pool.name}` } }],
            },
            { parent: this },
        );

        this.nodeGroup = new aws.eks.NodeGroup(
            `${name}`,
            {
                clusterName: args.clusterName,
                nodeGroupNamePrefix: pulumi.interpolate`${args.clusterName}-${pool.name}-`,
                version: args.kubernetesVersion,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: args.subnetIds,
                instanceTypes: [pool.instanceType!],
                capacityType: "ON_DEMAND",
                amiType: pool.gpu ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD",
                // The GPU AMI release pins the NVIDIA driver; an unpinned AMI can move the driver under running jobs.
                releaseVersion: pool.gpu?.amiReleaseVersion,
                launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply(String) },
                scalingConfig: { minSize: pool.minNodes, desiredSize: pool.desiredNodes, maxSize: pool.maxNodes },
                updateConfig: { maxUnavailable: 1 },
                labels: nodeLabels(pool),
                // The EKS API spells taint effects in upper snake case.
                taints: pool.taints.map((taint) => ({ key: taint.key, value: taint.value, effect: "NO_SCHEDULE" })),
            },
            // The cluster autoscaler owns the desired size once the group exists.
            { parent: this, dependsOn: args.prerequisites, ignoreChanges: ["scalingConfig.desiredSize"] },
        );

        // The ASG exists once the group does; one tag resource per key, so changing one changes only it.
        const asgName = this.nodeGroup.resources.apply((resources) => resources[0]!.autoscalingGroups[0]!.name);
        this.asgTags = Object.entries(asgTemplateTags(pool)).map(
            ([key, value]) =>
                new aws.autoscaling.Tag(
                    `${name}-asg-${key.slice(NODE_TEMPLATE_PREFIX.length)}`,
                    // Node templates describe the ASG to the autoscaler; instances carry no use for them.
                    { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } },
                    { parent: this },
                ),
        );

        this.registerOutputs({ nodeGroupName: this.nodeGroup.nodeGroupName, launchTemplateId: this.launchTemplate.id });
    }
}
