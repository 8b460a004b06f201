// NET-02: every tenant namespace allows its pods DNS, object storage and the platform services Kubeflow needs
// (core/kubeflow-flows.ts), through NetworkPolicies that select every pod.
import { stackPolicy } from "../lib/policy";
import { tenantsOf } from "../lib/tenants";
import { appliedRules } from "../../core/network-policy/policy";
import { type Destination, egressAllows, networkPoliciesIn } from "./network-policies";
import { listOf } from "../../core/text";
import { EGRESS_FLOWS } from "../../core/kubeflow-flows";

/** An object store the tenant's pods write artifacts to: pods of a namespace or an IPv4 range, on one TCP port. */
export interface ObjectStorageEndpoint extends Destination {
    port: number;
}

export interface RequiredEgressConfig {
    /** The cluster DNS pods: kube-system pods labelled k8s-app=kube-dns on EKS, GKE and kubeadm clusters. */
    dns: Destination;
    /** The object stores; egress to any one of them satisfies the policy. */
    objectStorage: ObjectStorageEndpoint[];
    /** Platform services every tenant pod must reach, each on every one of its TCP ports. */
    platformServices: PlatformService[];
}

/** A platform service tenant pods call: its pods, by namespace and labels, and its TCP ports. */
export interface PlatformService extends Destination {
    name: string;
    ports: number[];
}

const DEFAULT_DNS: Destination = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
/** Kubeflow Pipelines' MinIO (kubeflow/minio-service, port 9000): where pipeline steps read and write artifacts. */
const DEFAULT_OBJECT_STORAGE: ObjectStorageEndpoint[] = EGRESS_FLOWS.filter((flow) => flow.objectStore).flatMap(({ to }) =>
    to.ports.map((port) => ({ namespace: to.namespace, podLabels: { ...to.podLabels }, port })),
);

/** Kubeflow's egress flows but object storage (its own clause): istiod, the Pipelines API, ML Metadata and Katib's DB manager. */
const DEFAULT_PLATFORM_SERVICES: PlatformService[] = EGRESS_FLOWS.filter((flow) => !flow.objectStore).map(({ name, to }) => ({
    name,
    namespace: to.namespace,
    podLabels: { ...to.podLabels },
    ports: [...to.ports],
}));

function describeDestination(destination: Destination): string {
    if (destination.cidr !== undefined) return destination.cidr;
    const labels = Object.entries(destination.podLabels ?? {}).map(([key, value]) => `${key}=${value}`);
    return `${destination.namespace} pods${labels.length ? ` ${labels.join(",")}` : ""}`;
}

const destinationSchema = {
    type: "object" as const,
    properties: {
        namespace: { type: "string" as const },
        podLabels: { type: "object" as const, additionalProperties: { type: "string" as const } },
        cidr: { type: "string" as const },
    },
};

export const requiredEgress = stackPolicy({
    id: "NET-02",
    slug: "required-egress",
    description:
        "Every tenant namespace has NetworkPolicies that select every pod (podSelector {}) and allow egress to the cluster DNS on port 53 over UDP and TCP, to object storage (by default Kubeflow Pipelines' MinIO, kubeflow pods app=minio, port 9000), and to each platform service Kubeflow needs (by default istiod, the Pipelines API, ML Metadata and Katib's DB manager, on their ports).",
    reason: "Under a default deny (NET-01), a namespace without these allow rules breaks every notebook, pipeline step and training job it runs: no name resolves, no artifact can be read or written, v2 pipelines cannot record to ML Metadata and Katib trials cannot report metrics.",
    remediation:
        "Add a NetworkPolicy with podSelector {}, policyTypes [Egress] and egress rules to namespaceSelector kubernetes.io/metadata.name=kube-system with podSelector k8s-app=kube-dns on ports 53/UDP and 53/TCP, to the object store (namespaceSelector kubernetes.io/metadata.name=kubeflow, podSelector app=minio, port 9000/TCP), and to each platform service the message names (its namespace, pod labels and ports; kfstack's tenant policies take them from core/kubeflow-flows.ts).",
    configSchema: {
        properties: {
            dns: {
                ...destinationSchema,
                default: DEFAULT_DNS,
                description: "The cluster DNS pods (namespace and pod labels) or an IPv4 range (cidr), e.g. for node-local DNS.",
            },
            objectStorage: {
                type: "array",
                items: { ...destinationSchema, properties: { ...destinationSchema.properties, port: { type: "integer" } }, required: ["port"] },
                default: DEFAULT_OBJECT_STORAGE,
                description:
                    "Object stores, each pods of a namespace (namespace, podLabels) or an IPv4 range (cidr, e.g. an S3 prefix), with its TCP port; egress to one of them is enough.",
            },
            platformServices: {
                type: "array",
                items: {
                    ...destinationSchema,
                    properties: { ...destinationSchema.properties, name: { type: "string" }, ports: { type: "array", items: { type: "integer" } } },
                    required: ["name", "ports"],
                },
                default: DEFAULT_PLATFORM_SERVICES,
                description:
                    "Platform services every tenant pod must reach (name, pods of a namespace or an IPv4 range, TCP ports); each port of each is required.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<RequiredEgressConfig>();
        const dns = config.dns ?? DEFAULT_DNS;
        const objectStorage = config.objectStorage ?? DEFAULT_OBJECT_STORAGE;
        const platformServices = config.platformServices ?? DEFAULT_PLATFORM_SERVICES;
        const resources = args.resources;
        for (const tenant of tenantsOf(resources)) {
            const egressRules = networkPoliciesIn(resources, tenant.namespace)
                .filter(({ policy }) => policy.podSelector.empty)
                .flatMap(({ policy }) => appliedRules(policy, "egress") ?? []);
            const allowed = (destination: Destination, protocol: string, port: number) =>
                egressRules.some((rule) => egressAllows(resources, rule, destination, protocol, port));

            const dnsMissing = ["UDP", "TCP"].filter((protocol) => !allowed(dns, protocol, 53));
            if (dnsMissing.length > 0) {
                reportViolation(
                    `Tenant namespace "${tenant.namespace}" allows its pods no DNS egress over ${listOf(dnsMissing)} port 53 to ${describeDestination(dns)}; add an egress rule to it on ports 53/UDP and 53/TCP in a NetworkPolicy with podSelector {}.`,
                    tenant.urn,
                );
            }
            if (objectStorage.length > 0 && !objectStorage.some((endpoint) => allowed(endpoint, "TCP", endpoint.port))) {
                const endpoints = objectStorage.map((endpoint) => `${describeDestination(endpoint)} on port ${endpoint.port}/TCP`);
                reportViolation(
                    `Tenant namespace "${tenant.namespace}" allows its pods no egress to object storage (${endpoints.join(" or ")}); add an egress rule to it in a NetworkPolicy with podSelector {}.`,
                    tenant.urn,
                );
            }
            for (const service of platformServices) {
                const closed = service.ports.filter((port) => !allowed(service, "TCP", port));
                if (closed.length === 0) continue;
                reportViolation(
                    `Tenant namespace "${tenant.namespace}" allows its pods no egress to ${service.name} (${describeDestination(service)}) on ${listOf(closed.map((port) => `${port}/TCP`))}; add an egress rule to it in a NetworkPolicy with podSelector {}.`,
                    tenant.urn,
                );
            }
        }
    },
});
