// The existing-cluster section of the stack file: how to reach the cluster, and
// what it provides. kfstack creates none of the cluster's storage, network
// policy enforcement, load balancer or autoscaling, so the stack declares them;
// the rules (cluster/existing-rules.ts) hold the platform's needs against the
// declaration, and `pulumi up` reads the cluster to prove it (cluster/existing-reads.ts).
import { z } from "zod";
import { ipv4Cidr } from "./fields";

/**
 * The network plugins kfstack knows to enforce NetworkPolicy, and where each
 * runs its node agent (namespace/DaemonSet) in its upstream install: Calico's
 * manifest (the Tigera operator runs it as calico-system/calico-node), Cilium's
 * Helm chart in kube-system, Antrea's and kube-router's manifests.
 */
export const NETWORK_POLICY_AGENTS = {
    calico: "kube-system/calico-node",
    cilium: "kube-system/cilium",
    antrea: "kube-system/antrea-agent",
    "kube-router": "kube-system/kube-router",
} as const;

export type NetworkPolicyPlugin = keyof typeof NETWORK_POLICY_AGENTS;

const PLUGINS = Object.keys(NETWORK_POLICY_AGENTS) as [NetworkPolicyPlugin, ...NetworkPolicyPlugin[]];

const storageClass = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a StorageClass name: lowercase letters, digits, '-' and '.'" })
        .describe("The StorageClass's name, as `kubectl get storageclass` lists it."),
    default: z
        .boolean()
        .default(false)
        .describe('It is the cluster\'s default class (annotated storageclass.kubernetes.io/is-default-class: "true"): claims that name no class get it.'),
});

const provides = z
    .strictObject(
        {
            storageClasses: z
                .array(storageClass)
                .describe("The StorageClasses the cluster has, its default marked; Kubeflow's and Prometheus's volumes bind to them."),
            networkPolicy: z
                .strictObject({
                    enforcedBy: z
                        .enum([...PLUGINS, "none"])
                        .describe("The network plugin that enforces NetworkPolicy, or none; tenants and monitoring plan NetworkPolicies."),
                    agent: z
                        .string()
                        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
                            error: "must be namespace/name of a DaemonSet, such as calico-system/calico-node",
                        })
                        .optional()
                        .describe(
                            "The plugin's node agent as namespace/DaemonSet, when not where its upstream install puts it (calico: kube-system/calico-node, or calico-system/calico-node under the Tigera operator).",
                        ),
                })
                .describe("NetworkPolicy enforcement; `pulumi up` reads the plugin's DaemonSet before applying anything."),
            loadBalancer: z
                .string()
                .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be metallb, another implementation's name (kube-vip, f5 …) or none" })
                .describe("What gives LoadBalancer Services an address: metallb (`pulumi up` reads its controller), another implementation's name, or none."),
            autoscaling: z.boolean().describe("Something adds nodes for pending pods (cluster-autoscaler, Karpenter …); false when the nodes are fixed."),
            podCidrs: z
                .array(ipv4Cidr, {
                    error: (issue) =>
                        issue.input === undefined
                            ? "is required for an existing cluster: list the CIDR blocks pods take their addresses from (the network plugin's IP pools, e.g. Calico's 192.168.0.0/16), so the tenancy audit knows which NetworkPolicy ipBlocks match pods"
                            : undefined,
                })
                .min(1, {
                    error: "is empty; list the CIDR blocks pods take their addresses from (the network plugin's IP pools, e.g. Calico's 192.168.0.0/16)",
                })
                .describe(
                    "The pod network: the CIDR blocks pods take their addresses from (Calico's IP pools, Cilium's cluster-pool CIDRs, the cluster CIDR). The tenancy audit counts a NetworkPolicy ipBlock that overlaps them as matching every pod.",
                ),
        },
        {
            error: (issue) =>
                issue.input === undefined
                    ? "is required for an existing cluster: declare its storageClasses, networkPolicy, loadBalancer, autoscaling and podCidrs, so the platform's needs can be checked against them"
                    : undefined,
        },
    )
    .describe("What the cluster provides; kfstack checks the platform's needs against it and reads it from the cluster during `pulumi up`.");

export const existing = z
    .strictObject(
        {
            kubeconfig: z.string().min(1).describe("Path of the kubeconfig file (~ is expanded)."),
            context: z.string().min(1).describe("Context in that kubeconfig."),
            provides,
        },
        {
            error: (issue) =>
                issue.input === undefined ? "is required for an existing cluster: set kubeconfig (a file path), context and provides" : undefined,
        },
    )
    .describe("The cluster to install into: on-prem, an air-gapped enclave, kind on a laptop.");

export type ExistingClusterConfig = z.infer<typeof existing>;
export type ClusterProvidesConfig = ExistingClusterConfig["provides"];
