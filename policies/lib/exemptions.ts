// The one list of what may break a policy: workloads (and exactly what each
// may do), and the upstream controllers that keep cluster-admin. Every entry names the object (kind, namespaces, names,
// and the image repositories all of its containers must run), each thing it
// is exempt from, and why. A policy asks `exemptionsOf` for the grants that
// apply to an object; nothing else in the pack exempts anything.
//
// Identity is exact, never a prefix or wildcard: a workload someone names
// "node-exporter-2", or a "node-exporter" DaemonSet that runs another image,
// gets no exemption. Images are matched by repository path with any registry
// in front (so a copy in the stack's mirror still matches) and any tag.
import { isOfRepository } from "../../core/image-references";
import { containersOf, metadataOf } from "../../core/kubernetes-resources";
import { AUTOSCALER_REPOSITORY } from "../../core/cluster-autoscaler";

export interface ObjectIdentity {
    kind: string;
    namespaces: string[];
    names: string[];
    /** Repository paths without registry or tag ("nvidia/k8s-device-plugin"); every container and init container must run one. */
    images: string[];
}

/** What an exemption allows, one policy clause at a time, each with its reason. */
export type Grant =
    | { policy: "SEC-01"; clause: "hostPath"; paths: string[]; reason: string }
    | { policy: "SEC-01"; clause: "hostNetwork" | "hostPID" | "hostIPC"; reason: string }
    | { policy: "SEC-01"; clause: "capability"; container: string; capabilities: string[]; reason: string }
    | { policy: "SEC-01"; clause: "hostPort"; container: string; ports: number[]; reason: string }
    | { policy: "SEC-03"; clause: "systemNamespace"; reason: string }
    | { policy: "GPU-03"; clause: "gpuToleration"; reason: string };

export interface Exemption {
    name: string;
    identity: ObjectIdentity;
    grants: Grant[];
}

export const EXEMPTIONS: readonly Exemption[] = [
    {
        name: "Cluster autoscaler",
        identity: { kind: "Deployment", namespaces: ["kube-system"], names: ["cluster-autoscaler"], images: [AUTOSCALER_REPOSITORY] },
        grants: [
            {
                policy: "SEC-03",
                clause: "systemNamespace",
                reason: "A cluster add-on, not a user workload: upstream installs it in kube-system with priority system-cluster-critical, and kfstack's EKS cluster binds its AWS role to kube-system/cluster-autoscaler.",
            },
        ],
    },
    {
        name: "NVIDIA device plugin",
        identity: {
            kind: "DaemonSet",
            namespaces: ["kube-system"],
            names: ["nvidia-device-plugin-daemonset"],
            images: ["nvidia/k8s-device-plugin"],
        },
        grants: [
            {
                policy: "SEC-01",
                clause: "hostPath",
                paths: ["/var/lib/kubelet/device-plugins"],
                reason: "The kubelet's device-plugin API is a Unix socket in /var/lib/kubelet/device-plugins: the plugin registers there and advertises nvidia.com/gpu, or no pod can request a GPU.",
            },
            {
                policy: "SEC-03",
                clause: "systemNamespace",
                reason: "A cluster add-on, not a user workload: NVIDIA's static manifest installs it in kube-system with priority system-node-critical, next to the cloud's own node agents.",
            },
            {
                policy: "GPU-03",
                clause: "gpuToleration",
                reason: "It must run on exactly the tainted GPU nodes to expose their GPUs, and requests no GPU itself.",
            },
        ],
    },
    {
        name: "NVIDIA DCGM exporter",
        identity: {
            kind: "DaemonSet",
            namespaces: ["monitoring"],
            names: ["dcgm-exporter"],
            images: ["nvidia/k8s/dcgm-exporter"],
        },
        grants: [
            {
                policy: "SEC-01",
                clause: "hostPath",
                paths: ["/var/lib/kubelet/pod-resources"],
                reason: "It maps each GPU to the pod using it through the kubelet's pod-resources socket; without it GPU metrics carry no pod or namespace.",
            },
            {
                policy: "SEC-01",
                clause: "capability",
                container: "dcgm-exporter",
                capabilities: ["SYS_ADMIN"],
                reason: "DCGM's profiling metrics (DCGM_FI_PROF_*, e.g. DCGM_FI_PROF_GR_ENGINE_ACTIVE in the default counters) need CAP_SYS_ADMIN; upstream drops every other capability and sets allowPrivilegeEscalation: false.",
            },
            {
                policy: "GPU-03",
                clause: "gpuToleration",
                reason: "It must run on the tainted GPU nodes to read their GPUs, and requests no GPU itself.",
            },
        ],
    },
    {
        name: "Prometheus node exporter",
        identity: {
            kind: "DaemonSet",
            namespaces: ["monitoring"],
            names: ["node-exporter"],
            images: ["prometheus/node-exporter", "brancz/kube-rbac-proxy"],
        },
        grants: [
            {
                policy: "SEC-01",
                clause: "hostPath",
                paths: ["/sys", "/"],
                reason: "Node metrics come from the host's /sys and root filesystem, mounted read-only with HostToContainer propagation.",
            },
            { policy: "SEC-01", clause: "hostNetwork", reason: "It reports the node's own network interfaces, which only the host network namespace shows." },
            { policy: "SEC-01", clause: "hostPID", reason: "Process and pressure metrics of the whole node come from the host PID namespace." },
            {
                policy: "SEC-01",
                clause: "hostPort",
                container: "kube-rbac-proxy",
                ports: [9100],
                reason: "Prometheus scrapes each node's metrics through kube-rbac-proxy on the node's address; with hostNetwork (granted above) the container listens on the node's port 9100 whether or not hostPort names it.",
            },
            {
                policy: "SEC-01",
                clause: "capability",
                container: "node-exporter",
                capabilities: ["SYS_TIME"],
                reason: "The time collector reads the kernel clock state (adjtimex), which needs CAP_SYS_TIME.",
            },
            {
                policy: "GPU-03",
                clause: "gpuToleration",
                reason: "It tolerates every taint so each node, GPU nodes included, is monitored; it requests no GPU.",
            },
        ],
    },
];

function matches(identity: ObjectIdentity, kind: string, props: Record<string, unknown>): boolean {
    const { name, namespace } = metadataOf(props);
    if (kind !== identity.kind || !identity.names.includes(name ?? "") || !identity.namespaces.includes(namespace ?? "")) return false;
    const containers = containersOf(kind, props).map(({ container }) => container);
    return containers.length > 0 && containers.every(({ image }) => typeof image === "string" && identity.images.some((path) => isOfRepository(image, path)));
}

/** The grants of `policy` that the exemption list gives this object, with the exemption each comes from. */
export function exemptionsOf<P extends Grant["policy"]>(
    policy: P,
    kind: string,
    props: Record<string, unknown>,
): (Extract<Grant, { policy: P }> & { exemption: string })[] {
    return EXEMPTIONS.filter((exemption) => matches(exemption.identity, kind, props)).flatMap((exemption) =>
        exemption.grants
            .filter((grant): grant is Extract<Grant, { policy: P }> => grant.policy === policy)
            .map((grant) => ({ ...grant, exemption: exemption.name })),
    );
}

/**
 * Upstream controllers that Kubeflow binds to cluster-admin, and why kfstack
 * keeps that for now (RBAC-01). Exact binding and subject; nothing else may
 * hold cluster-admin outside the stack's own break-glass list.
 */
export const CLUSTER_ADMIN_EXEMPTIONS: readonly { binding: string; subject: string; reason: string }[] = [
    {
        binding: "profiles-cluster-rolebinding",
        subject: "ServiceAccount:kubeflow/profiles-controller-service-account",
        reason: "The Kubeflow profile controller and KFAM create each tenant's namespace, quota and RoleBindings to kubeflow-admin/edit/view; granting a role requires holding its permissions (RBAC escalation prevention), so a narrower role must be proven on a live cluster first.",
    },
    {
        binding: "meta-controller-cluster-role-binding",
        subject: "ServiceAccount:kubeflow/meta-controller-service",
        reason: "Metacontroller creates the per-namespace Pipelines objects (Secrets, Deployments, Services, Istio policies) that the Pipelines profile controller's sync hook returns; which child types it needs follows upstream's CompositeController, and a narrower role must be proven on a live cluster first.",
    },
];
