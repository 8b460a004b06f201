// The Kubernetes cluster-autoscaler on EKS: it finds the cluster's managed node
// groups by their ASG tags and sets their desired size, so pending pods get
// nodes and a GPU pool at 0 scales up for a GPU job. Objects as upstream's AWS
// example and chart at the pinned tag (cloudprovider/aws/examples,
// charts/cluster-autoscaler), trimmed to what this release uses; AWS access
// through its own Pod Identity role, limited to the cluster's node groups.
import type * as Aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AUTOSCALER_ENABLED_TAG, autoscalerClusterTag } from "../../../core/cluster-autoscaler";
import type { Bom, ContainerResources } from "../../bom/schema";
import { type NodePoolPlan, POOL_LABEL } from "../../config/topology";
import { type Mirror, mirrorReference } from "../../images/rewrite";
import type { AwsPartition } from "./partition";
import { podIdentity } from "./pod-identity";

/** The name of its ServiceAccount, roles and Deployment, in kube-system. */
export const CLUSTER_AUTOSCALER = "cluster-autoscaler";
const NAMESPACE = "kube-system";
const METRICS_PORT = 8085;

/**
 * The rule for installing it: some pool can change size (maxNodes above minNodes). A pool
 * that can be at 0 always can; when every pool is fixed there is nothing to scale.
 */
export function wantsAutoscaler(pools: readonly Pick<NodePoolPlan, "minNodes" | "maxNodes">[]): boolean {
    return pools.some((pool) => pool.maxNodes > pool.minNodes);
}

export interface AutoscalerPin {
    /** As pulled: on an air-gapped stack, the mirror's copy. */
    readonly image: string;
    readonly resources: ContainerResources;
}

/** The autoscaler of the cluster's Kubernetes minor, from the BOM; throws naming the BOM key when that minor has none. */
export function autoscalerPin(bom: Bom, kubernetesVersion: string, mirror: Mirror | undefined): AutoscalerPin {
    const minor = kubernetesVersion.split(".").slice(0, 2).join(".");
    const release = bom.clusterAutoscaler.releases[minor];
    if (!release)
        throw new Error(
            `The ${bom.release} bill of materials pins no cluster-autoscaler for Kubernetes ${minor} (kfstack:kubernetesVersion is "${kubernetesVersion}"); pinned: ${Object.keys(bom.clusterAutoscaler.releases).join(", ")}. Add clusterAutoscaler.releases["${minor}"] to components/bom/${bom.release}.yaml with the latest cluster-autoscaler ${minor} release.`,
        );
    return { image: mirror ? (mirrorReference(release.image, mirror) ?? release.image) : release.image, resources: bom.clusterAutoscaler.resources };
}

/** Its flags: node groups by the ASG tags EKS sets for this cluster, similar groups balanced, the group that wastes least chosen. */
export function autoscalerFlags(clusterName: string): string[] {
    return [
        "--cloud-provider=aws",
        `--node-group-auto-discovery=asg:tag=${AUTOSCALER_ENABLED_TAG},${autoscalerClusterTag(clusterName)}`,
        "--balance-similar-node-groups",
        "--expander=least-waste",
        // kube-system pods (CoreDNS, the EBS CSI controller) have PodDisruptionBudgets; without this they pin their nodes forever.
        "--skip-nodes-with-system-pods=false",
        // As upstream's AWS example: Kubeflow pods use emptyDir scratch space, which would otherwise keep every node they ran on.
        "--skip-nodes-with-local-storage=false",
        "--stderrthreshold=info",
        "--v=4",
    ];
}

/** Describing is allowed on everything (those actions take no resource); changing a group's size only on an ASG EKS tagged as this cluster's ("owned"). */
export function autoscalerPolicy(partition: AwsPartition, clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                // Labels and taints of a managed node group at 0 nodes.
                Sid: "ReadNodeGroups",
                Effect: "Allow",
                Action: "eks:DescribeNodegroup",
                Resource: `arn:${partition.name}:eks:*:*:nodegroup/${clusterName}/*`,
            },
            {
                Sid: "ScaleOwnNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/${autoscalerClusterTag(clusterName)}`]: "owned" } },
            },
        ],
    });
}

export interface ClusterAutoscalerArgs {
    /** Written into its flags and IAM policy, which the policy pack reads in the plan. */
    readonly clusterName: string;
    /** The cluster itself, so the association waits for it. */
    readonly cluster: Aws.eks.Cluster;
    readonly region: string;
    readonly partition: AwsPartition;
    readonly pin: AutoscalerPin;
    readonly provider: k8s.Provider;
    /** What must exist first: the node groups and the Pod Identity agent. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The autoscaler's role, RBAC and Deployment; the Deployment waits for its association, since Pod Identity credentials are injected when the pod is created. */
export function clusterAutoscaler(parent: pulumi.Resource, name: string, args: ClusterAutoscalerArgs): k8s.apps.v1.Deployment {
    const base = `${name}-${CLUSTER_AUTOSCALER}`;
    const identity = podIdentity(parent, base, {
        clusterName: args.cluster.name,
        partition: args.partition,
        namespace: NAMESPACE,
        serviceAccount: CLUSTER_AUTOSCALER,
        inlinePolicies: { scaling: autoscalerPolicy(args.partition, args.clusterName) },
    });
    const opts = { parent, provider: args.provider };
    const rbac = autoscalerRbac(base, opts);
    return new k8s.apps.v1.Deployment(base, autoscalerDeployment(args), { ...opts, dependsOn: [...args.dependsOn, identity, ...rbac] });
}

const LABELS = { "app.kubernetes.io/name": CLUSTER_AUTOSCALER };
const metadata = (namespaced: boolean) => ({ name: CLUSTER_AUTOSCALER, labels: LABELS, ...(namespaced ? { namespace: NAMESPACE } : {}) });
const subjects = [{ kind: "ServiceAccount", name: CLUSTER_AUTOSCALER, namespace: NAMESPACE }];
const read = ["get", "list", "watch"];

/**
 * Upstream's rules without the `extensions` group (no longer served) and the endpoints
 * rules (this release elects its leader with a Lease and reads no Endpoints); the Role
 * only for its status ConfigMap, as the chart has it without the priority expander.
 */
function autoscalerRbac(base: string, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
    const account = new k8s.core.v1.ServiceAccount(base, { metadata: metadata(true) }, opts);
    const clusterRole = new k8s.rbac.v1.ClusterRole(
        base,
        {
            metadata: metadata(false),
            rules: [
                { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
                { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
                { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
                { apiGroups: [""], resources: ["nodes"], verbs: [...read, "update"] },
                {
                    apiGroups: [""],
                    resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"],
                    verbs: read,
                },
                { apiGroups: ["apps"], resources: ["daemonsets", "replicasets", "statefulsets"], verbs: read },
                { apiGroups: ["batch"], resources: ["jobs"], verbs: [...read, "patch"] },
                { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["list", "watch"] },
                {
                    apiGroups: ["storage.k8s.io"],
                    resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
                    verbs: read,
                },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [CLUSTER_AUTOSCALER], verbs: ["get", "update"] },
            ],
        },
        opts,
    );
    const role = new k8s.rbac.v1.Role(
        base,
        {
            metadata: metadata(true),
            rules: [
                { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
                { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-autoscaler-status"], verbs: ["delete", "get", "update"] },
            ],
        },
        opts,
    );
    const roleRef = (kind: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name: CLUSTER_AUTOSCALER });
    return [
        account,
        new k8s.rbac.v1.ClusterRoleBinding(
            base,
            { metadata: metadata(false), roleRef: roleRef("ClusterRole"), subjects },
            { ...opts, dependsOn: [clusterRole] },
        ),
        new k8s.rbac.v1.RoleBinding(base, { metadata: metadata(true), roleRef: roleRef("Role"), subjects }, { ...opts, dependsOn: [role] }),
    ];
}

/** One replica on the general pool, non-root with a read-only root filesystem (the distroless image brings its CA certificates). */
function autoscalerDeployment(args: ClusterAutoscalerArgs): k8s.apps.v1.DeploymentArgs {
    const { resources } = args.pin;
    return {
        metadata: metadata(true),
        spec: {
            replicas: 1,
            selector: { matchLabels: LABELS },
            template: {
                metadata: { labels: LABELS },
                spec: {
                    serviceAccountName: CLUSTER_AUTOSCALER,
                    priorityClassName: "system-cluster-critical",
                    nodeSelector: { [POOL_LABEL]: "general" },
                    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: CLUSTER_AUTOSCALER,
                            image: args.pin.image,
                            command: ["./cluster-autoscaler"],
                            args: autoscalerFlags(args.clusterName),
                            // Pods cannot reach IMDS (hop limit 1), where it would otherwise look the region up.
                            env: [{ name: "AWS_REGION", value: args.region }],
                            ports: [{ name: "metrics", containerPort: METRICS_PORT }],
                            livenessProbe: { httpGet: { path: "/health-check", port: METRICS_PORT } },
                            resources: {
                                requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
                                limits: { memory: resources.memoryLimit },
                            },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        },
                    ],
                },
            },
        },
    };
}
