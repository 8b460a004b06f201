// NET-03: no NodePort Service, and no LoadBalancer Service without the cloud's internal annotation.
import { resourcePolicy } from "../lib/policy";
import { describeResource, kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { isRecord } from "../../core/records";

export interface ServiceExposureConfig {
    /** "<annotation>=<value>" pairs, any one of which keeps a LoadBalancer off the internet. */
    internalLoadBalancerAnnotations: string[];
}

const AWS_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";

export const INTERNAL_LOAD_BALANCER_ANNOTATIONS = [
    // AWS Load Balancer Controller.
    `${AWS_SCHEME}=internal`,
    // The in-tree AWS cloud provider (classic ELB / NLB).
    "service.beta.kubernetes.io/aws-load-balancer-internal=true",
    // GKE internal passthrough Network Load Balancer.
    "networking.gke.io/load-balancer-type=Internal",
];

function split(pair: string): [string, string] {
    const at = pair.indexOf("=");
    return at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
}

export const serviceExposure = resourcePolicy({
    id: "NET-03",
    slug: "service-exposure",
    description:
        'No Service is of type NodePort, and every LoadBalancer Service carries its cloud\'s internal annotation (service.beta.kubernetes.io/aws-load-balancer-scheme: internal, service.beta.kubernetes.io/aws-load-balancer-internal: "true", or networking.gke.io/load-balancer-type: Internal).',
    reason: "A LoadBalancer without the internal annotation gets a public address, and a NodePort opens the port on every node: either puts Kubeflow's dashboards, notebooks and model servers on the internet past the platform's login.",
    remediation:
        "Keep Services ClusterIP behind the Istio ingress gateway; expose the gateway as an internal load balancer (kfstack:kubeflow.gateway.exposure: internalLoadBalancer adds the annotation for AWS and GKE). Other internal load balancers (e.g. MetalLB pools) go in internalLoadBalancerAnnotations.",
    configSchema: {
        properties: {
            internalLoadBalancerAnnotations: {
                type: "array",
                items: { type: "string", pattern: "^[^=]+=.*$" },
                default: INTERNAL_LOAD_BALANCER_ANNOTATIONS,
                description: '"<annotation>=<value>" pairs, any one of which makes a LoadBalancer Service internal (values compare case-insensitively).',
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (kubernetesKind(args.type)?.kind !== "Service" || kubernetesKind(args.type)?.apiVersion !== "v1") return;
        const spec: unknown = args.props["spec"];
        const type = isRecord(spec) ? spec["type"] : undefined;
        const what = describeResource("Service", args.props, args.name);
        if (type === "NodePort") {
            const ports =
                isRecord(spec) && Array.isArray(spec["ports"])
                    ? (spec["ports"] as unknown[])
                          .filter(isRecord)
                          .flatMap((port) => (port["nodePort"] !== undefined ? [JSON.stringify(port["nodePort"])] : []))
                    : [];
            reportViolation(
                `${what} is of type NodePort, which opens ${ports.length ? `node port ${ports.join(", ")}` : "a port"} on every node; make it ClusterIP behind the ingress gateway, or an internal LoadBalancer.`,
            );
            return;
        }
        if (type !== "LoadBalancer") return;
        const annotations = metadataOf(args.props).annotations ?? {};
        const annotation = (key: string) => (annotations[key] === undefined ? undefined : String(annotations[key]));
        const scheme = annotation(AWS_SCHEME);
        if (scheme !== undefined && scheme.toLowerCase() !== "internal") {
            reportViolation(`${what} is a LoadBalancer with ${AWS_SCHEME}: ${scheme}, which gives it a public address; set ${AWS_SCHEME} to internal.`);
            return;
        }
        const internal = (args.getConfig<ServiceExposureConfig>().internalLoadBalancerAnnotations ?? INTERNAL_LOAD_BALANCER_ANNOTATIONS).map(split);
        if (internal.some(([key, value]) => annotation(key)?.toLowerCase() === value.toLowerCase())) return;
        reportViolation(
            `${what} is a LoadBalancer without an internal annotation, so the cloud gives it a public address; add one of ${internal.map(([key, value]) => `${key}: "${value}"`).join(", ")}, or make it ClusterIP.`,
        );
    },
});
