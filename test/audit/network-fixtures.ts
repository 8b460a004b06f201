// Fixture factories for the network audit: namespaces, workloads and
// NetworkPolicies as rendered manifests hold them, and a two-tenant platform
// with the policies kfstack gives every tenant namespace.
import type { KubernetesObject } from "../../core/objects";
import { type NamespaceInfo, buildNetwork } from "../../core/network-policy/network";

type Spec = Record<string, unknown>;

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubernetesObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export function networkPolicy(namespace: string, name: string, spec: Spec): KubernetesObject {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

export interface ContainerPort {
    name: string;
    containerPort: number;
    protocol?: string;
}

export function deployment(namespace: string, name: string, labels: Record<string, string>, ports: ContainerPort[] = []): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace },
        spec: {
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name, image: `registry.example.com/${name}:1.0.0`, ports }] } },
        },
    };
}

/** Selects the namespace called `name` through the label the API server sets. */
export const namespaceNamed = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

/** A policy that isolates every pod of `namespace` and allows nothing. */
export const defaultDeny = (namespace: string, policyTypes = ["Ingress", "Egress"]) =>
    networkPolicy(namespace, "default-deny", { podSelector: {}, policyTypes });

/** A tenant namespace as the Kubeflow profile controller labels it. */
export const tenantNamespace = (name: string): NamespaceInfo => ({
    name,
    labels: { "app.kubernetes.io/part-of": "kubeflow-profile", "istio-injection": "enabled" },
});

export interface TenantEgress {
    apiServerCidrs: string[];
    objectStorageCidrs: string[];
    cidrs: string[];
}

export const PLATFORM_SOURCES = ["istio-system", "kubeflow", "knative-serving", "monitoring"];

/** What kfstack gives a tenant namespace: default deny, then the namespace itself, the platform in, and DNS, API, istiod, MinIO, object storage and CIDRs out. */
export function tenantPolicies(tenant: string, egress: TenantEgress): KubernetesObject[] {
    const toBlocks = (cidrs: string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    return [
        defaultDeny(tenant),
        networkPolicy(tenant, "allow-same-namespace", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] }),
        networkPolicy(tenant, "allow-ingress-platform", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: PLATFORM_SOURCES }] } }] },
            ],
        }),
        networkPolicy(tenant, "allow-egress", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
                { to: [{ namespaceSelector: namespaceNamed("istio-system"), podSelector: { matchLabels: { app: "istiod" } } }], ports: [{ port: 15012 }] },
                { to: [{ namespaceSelector: namespaceNamed("kubeflow"), podSelector: { matchLabels: { app: "minio" } } }], ports: [{ port: 9000 }] },
                { to: toBlocks(egress.apiServerCidrs), ports: [{ port: 443 }] },
                ...(egress.objectStorageCidrs.length > 0 ? [{ to: toBlocks(egress.objectStorageCidrs), ports: [{ port: 443 }] }] : []),
                ...(egress.cidrs.length > 0 ? [{ to: toBlocks(egress.cidrs) }] : []),
            ],
        }),
    ];
}

/** The platform namespaces and the workloads tenants talk to; kube-system has no Namespace object, as on a real cluster. */
export function platformObjects(): KubernetesObject[] {
    return [
        namespaceObject("kubeflow", { "control-plane": "kubeflow", "istio-injection": "enabled" }),
        namespaceObject("istio-system"),
        deployment("kube-system", "coredns", { "k8s-app": "kube-dns" }, [
            { name: "dns", containerPort: 53, protocol: "UDP" },
            { name: "dns-tcp", containerPort: 53 },
            { name: "metrics", containerPort: 9153 },
        ]),
        deployment("istio-system", "istiod", { app: "istiod", istio: "pilot" }, [{ name: "grpc-xds", containerPort: 15012 }]),
        deployment("istio-system", "istio-ingressgateway", { app: "istio-ingressgateway", istio: "ingressgateway" }, [{ name: "https", containerPort: 8443 }]),
        deployment("kubeflow", "minio", { app: "minio" }, [{ name: "http", containerPort: 9000 }]),
        deployment("kubeflow", "ml-pipeline", { app: "ml-pipeline" }, [{ name: "http", containerPort: 8888 }]),
    ];
}

/** team-a and team-b on AWS: the API through the VPC CIDR (kfstack's default there), S3 for object storage, team-a also a corporate network. */
export function twoTenants(): { objects: KubernetesObject[]; namespaces: NamespaceInfo[] } {
    const apiServerCidrs = ["10.0.0.0/16"];
    return {
        objects: [
            ...platformObjects(),
            ...tenantPolicies("team-a", { apiServerCidrs, objectStorageCidrs: ["52.216.0.0/15"], cidrs: ["192.168.10.0/24"] }),
            ...tenantPolicies("team-b", { apiServerCidrs, objectStorageCidrs: ["52.216.0.0/15"], cidrs: [] }),
        ],
        namespaces: [tenantNamespace("team-a"), tenantNamespace("team-b")],
    };
}

/** The classic mistake: an ingress rule meant for "the platform" that admits every namespace. */
export const allowAllNamespaces = (namespace: string) =>
    networkPolicy(namespace, "allow-all-namespaces", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] });

export const NAMESPACES: NamespaceInfo[] = ["team-a", "team-b", "kubeflow"].map((name) => ({ name, labels: {} }));
/** A network of the objects, with team-a, team-b and kubeflow known. */
export const build = (...objects: KubernetesObject[]) => buildNetwork(objects, NAMESPACES);
export const bare = (namespace: string) => `a pod of ${namespace} with no labels`;
/** A connection the network allows on `ports`, for the reasons in `because`. */
export const allowed = (ports: string, because: string[]) => ({ allowed: true, ports, because });
/** A connection the network denies, for the reasons in `because`. */
export const denied = (because: string[]) => ({ allowed: false, ports: "none", because });
