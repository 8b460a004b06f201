// Stack-file cases of an existing cluster's declaration (kfstack:existing.provides):
// what the platform needs and the cluster does not declare. Each starts from the onprem stack.
import { combined, set, unset } from "../config-cases";
import type { StackCase } from "./cluster-cases";

const PROVIDES = "existing.provides";
const KUBEFLOW_VOLUMES = "Kubeflow's volumes (MinIO, MySQL, Katib's MySQL, the authservice) and Prometheus's";
const TENANT = { name: "research", owner: "rae@example.com", quotas: { gpus: 0, cpu: "32", memory: "128Gi", storage: "1Ti", pvcs: 10 } };

export const EXISTING_CASES: StackCase[] = [
    {
        name: "rejects an existing cluster that does not say what it provides",
        base: "onprem",
        change: unset(PROVIDES),
        key: "kfstack:existing.provides",
        message:
            "is required for an existing cluster: declare its storageClasses, networkPolicy, loadBalancer, autoscaling and podCidrs, so the platform's needs can be checked against them",
    },
    {
        name: "rejects an existing cluster that does not say where pods take their addresses",
        base: "onprem",
        change: unset(`${PROVIDES}.podCidrs`),
        key: "kfstack:existing.provides.podCidrs",
        message:
            "is required for an existing cluster: list the CIDR blocks pods take their addresses from (the network plugin's IP pools, e.g. Calico's 192.168.0.0/16), so the tenancy audit knows which NetworkPolicy ipBlocks match pods",
    },
    {
        name: "rejects an existing cluster with an empty pod network",
        base: "onprem",
        change: set(`${PROVIDES}.podCidrs`, []),
        key: "kfstack:existing.provides.podCidrs",
        message: "is empty; list the CIDR blocks pods take their addresses from (the network plugin's IP pools, e.g. Calico's 192.168.0.0/16)",
    },
    {
        name: "rejects a pod network block that is not a CIDR block",
        base: "onprem",
        change: set(`${PROVIDES}.podCidrs`, ["192.168.0.0/33"]),
        key: "kfstack:existing.provides.podCidrs[0]",
        message: "must be an IPv4 CIDR block such as 10.0.0.0/16",
    },
    {
        name: "rejects an existing cluster that declares no storage",
        base: "onprem",
        change: set(`${PROVIDES}.storageClasses`, []),
        key: "kfstack:existing.provides.storageClasses",
        message: `declares no StorageClass, but ${KUBEFLOW_VOLUMES} need one and would stay Pending; list the cluster's classes and set default: true on the one annotated storageclass.kubernetes.io/is-default-class: "true"`,
    },
    {
        name: "rejects an existing cluster whose classes include no default",
        base: "onprem",
        change: set(`${PROVIDES}.storageClasses`, [{ name: "cephfs" }]),
        key: "kfstack:existing.provides.storageClasses",
        message: `declares no default class, but ${KUBEFLOW_VOLUMES} name no StorageClass and would stay Pending; set default: true on the class annotated storageclass.kubernetes.io/is-default-class: "true"`,
    },
    {
        name: "rejects two default StorageClasses",
        base: "onprem",
        change: set(`${PROVIDES}.storageClasses`, [
            { name: "ceph-rbd", default: true },
            { name: "cephfs", default: true },
        ]),
        key: "kfstack:existing.provides.storageClasses",
        message: "marks 2 classes default (ceph-rbd, cephfs); a cluster has one default class: set default: true on it alone",
    },
    {
        name: "rejects a StorageClass listed twice",
        base: "onprem",
        change: set(`${PROVIDES}.storageClasses`, [{ name: "ceph-rbd", default: true }, { name: "ceph-rbd" }]),
        key: "kfstack:existing.provides.storageClasses[1].name",
        message: "ceph-rbd is listed twice; list each StorageClass once",
    },
    {
        name: "rejects Prometheus volumes on a StorageClass the cluster does not declare",
        base: "onprem",
        change: set("monitoring.storageClass", "fast-nvme"),
        key: "kfstack:monitoring.storageClass",
        message:
            'names StorageClass "fast-nvme", which kfstack:existing.provides.storageClasses does not declare (declared: ceph-rbd, cephfs); name one of them, or declare the class there',
    },
    {
        name: "rejects tenants on an existing cluster that enforces no NetworkPolicy, naming the key",
        base: "onprem",
        change: combined(set("tenants", [TENANT]), set(`${PROVIDES}.networkPolicy.enforcedBy`, "none")),
        key: "kfstack:existing.provides.networkPolicy.enforcedBy",
        message:
            "is none, but NetworkPolicies isolate tenant research, and monitoring plans its own, and nothing would enforce them; set enforcedBy to the plugin that enforces NetworkPolicy (calico, cilium, antrea or kube-router)",
    },
    {
        name: "rejects monitoring's NetworkPolicies on an existing cluster that enforces none",
        base: "onprem",
        change: set(`${PROVIDES}.networkPolicy.enforcedBy`, "none"),
        key: "kfstack:existing.provides.networkPolicy.enforcedBy",
        message:
            "is none, but monitoring plans NetworkPolicies, and nothing would enforce them; set enforcedBy to the plugin that enforces NetworkPolicy (calico, cilium, antrea or kube-router), or set monitoring.enabled to false",
    },
    {
        name: "rejects a network plugin kfstack does not know to enforce NetworkPolicy",
        base: "onprem",
        change: set(`${PROVIDES}.networkPolicy.enforcedBy`, "flannel"),
        key: "kfstack:existing.provides.networkPolicy.enforcedBy",
        message: 'must be one of "calico", "cilium", "antrea", "kube-router", "none", not "flannel"',
    },
    {
        name: "rejects a network plugin agent when nothing enforces NetworkPolicy",
        base: "onprem",
        change: combined(set(`${PROVIDES}.networkPolicy`, { enforcedBy: "none", agent: "calico-system/calico-node" }), set("monitoring.enabled", false)),
        key: "kfstack:existing.provides.networkPolicy.agent",
        message: "names a network plugin's agent, but enforcedBy is none; remove agent, or set enforcedBy to its plugin",
    },
    {
        name: "rejects an internal load balancer gateway on a cluster without a load balancer",
        base: "onprem",
        change: combined(set("kubeflow.gateway.exposure", "internalLoadBalancer"), set(`${PROVIDES}.loadBalancer`, "none")),
        key: "kfstack:kubeflow.gateway.exposure",
        message:
            "is internalLoadBalancer, but kfstack:existing.provides.loadBalancer is none, so the gateway's LoadBalancer Service would never get an address; set exposure to clusterIP, or declare the cluster's load balancer (metallb …)",
    },
    {
        name: "rejects a GPU pool that scales from zero on a cluster without autoscaling",
        base: "onprem",
        change: set("cluster.gpuPool.minNodes", 0),
        key: "kfstack:cluster.gpuPool.minNodes",
        message:
            "is 0, but kfstack:existing.provides.autoscaling is false: nothing adds GPU nodes for pending pods, so GPU workloads never start; set minNodes to the GPU nodes the cluster has, or set autoscaling to true if something (cluster-autoscaler, Karpenter …) adds them",
    },
    {
        name: "rejects autoscaling given as a string",
        base: "onprem",
        change: set(`${PROVIDES}.autoscaling`, "false"),
        key: "kfstack:existing.provides.autoscaling",
        message: 'must be true or false without quotes, not the string "false"',
    },
];
