// NET-02: every tenant namespace allows its pods DNS and object storage, through NetworkPolicies that select every pod.
import { stackPolicy } from "../lib/policy";
import { tenantsOf } from "../lib/tenants";
import { appliedRules } from "../../core/network-policy/policy";
import { type Destination, egressAllows, networkPoliciesIn } from "./network-policies";
import { listOf } from "../../core/text";

/** An object store the tenant's pods write artifacts to: pods of a namespace or an IPv4 range, on one TCP port. */
export interface ObjectStorageEndpoint extends Destination {
    port: number;
}

export interface RequiredEgressConfig {
    /** The cluster DNS pods: kube-system pods labelled k8s-app=kube-dns on EKS, GKE and kubeadm clusters. */
    dns: Destination;
    /** The object stores; egress to any one of them satisfies the policy. */
    objectStorage: ObjectStorageEndpoint[];
}

const DEFAULT_DNS: Destination = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
/** Kubeflow Pipelines' MinIO (kubeflow/minio-service, port 9000): where pipeline steps read and write artifacts. */
const DEFAULT_OBJECT_STORAGE: ObjectStorageEndpoint[] = [{ namespace: "kubeflow", podLabels: { app: "minio" }, port: 9000 }];

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
        "Every tenant namespace has NetworkPolicies that select every pod (podSelector {}) and allow egress to the cluster DNS on port 53 over UDP and TCP, and to object storage (by default Kubeflow Pipelines' MinIO, kubeflow pods app=minio, port 9000).",
    reason: "Under a default deny (NET-01), a namespace without these allow rules breaks every notebook, pipeline step and training job it runs: no name resolves and no artifact can be read or written.",
    remediation:
        "Add a NetworkPolicy with podSelector {}, policyTypes [Egress] and egress rules to namespaceSelector kubernetes.io/metadata.name=kube-system with podSelector k8s-app=kube-dns on ports 53/UDP and 53/TCP, and to the object store (namespaceSelector kubernetes.io/metadata.name=kubeflow, podSelector app=minio, port 9000/TCP).",
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
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<RequiredEgressConfig>();
        const dns = config.dns ?? DEFAULT_DNS;
        const objectStorage = config.objectStorage ?? DEFAULT_OBJECT_STORAGE;
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
        }
    },
});
