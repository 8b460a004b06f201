// Lines for what the cloud bills around the cluster: its control plane, NAT,
// public addresses, the gateway's load balancer, the secrets key and the
// control plane's logs.
import { PRICES } from "../../components/cluster/prices";
import { isRecord, recordAt } from "../../core/records";
import { kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { type CostLine, hourly, priced, unpriced, usage } from "./lines";
import { type CostCloud, type CostResource, counted, ofType } from "./resources";

const USAGE = "traffic is not knowable offline";

/** EKS bills extended support unless the cluster asks for standard (upgradePolicy.supportType, default EXTENDED). */
function eksControlPlanes(resources: readonly CostResource[]): CostLine[] {
    return ofType(resources, "aws:eks/cluster:Cluster").map((cluster) => {
        const support = recordAt(cluster.inputs, "upgradePolicy")["supportType"] === "STANDARD" ? "standard" : "extended";
        const price = support === "standard" ? PRICES.eksStandardSupport : PRICES.eksExtendedSupport;
        return hourly(`EKS control plane ${cluster.name} (${support} support)`, 1, price);
    });
}

/** GKE's management fee; its free tier credit covers one zonal or Autopilot cluster per billing account, not a regional one. */
function gkeControlPlanes(resources: readonly CostResource[]): CostLine[] {
    return ofType(resources, "gcp:container/cluster:Cluster").map((cluster) => {
        const location = typeof cluster.inputs["location"] === "string" ? cluster.inputs["location"] : "";
        const zonal = /-[a-z]$/.test(location);
        return hourly(
            `GKE cluster management ${cluster.name} (${zonal ? "zonal; the free tier credit may cover it" : `regional, ${location}`})`,
            1,
            PRICES.gkeClusterManagement,
        );
    });
}

function awsNat(resources: readonly CostResource[]): CostLine[] {
    const gateways = ofType(resources, "aws:ec2/natGateway:NatGateway");
    const addresses = ofType(resources, "aws:ec2/eip:Eip");
    return [
        ...(gateways.length
            ? [hourly(counted("NAT gateway", gateways), gateways.length, PRICES.natGateway), usage("NAT gateway data processing", PRICES.natGatewayData, USAGE)]
            : []),
        ...(addresses.length ? [hourly(counted("Elastic IP", addresses), addresses.length, PRICES.publicIpv4)] : []),
    ];
}

/** Cloud NAT bills each VM that uses it by the hour, up to 32 VMs; above that a flat gateway-hour. The VMs are the cluster's nodes at their desired count. */
function cloudNat(resources: readonly CostResource[], nodes: number): CostLine[] {
    return ofType(resources, "gcp:compute/routerNat:RouterNat").flatMap((nat) => [
        nodes > 32
            ? hourly(`Cloud NAT ${nat.name} (${nodes} VMs, over 32)`, 1, PRICES.cloudNatGateway)
            : hourly(`Cloud NAT ${nat.name} (${nodes} VMs at the pools' desired size)`, nodes, PRICES.cloudNatVm),
        usage("Cloud NAT data processing", PRICES.cloudNatData, USAGE),
    ]);
}

const AWS_NLB_TYPES: ReadonlySet<string> = new Set(["nlb", "nlb-ip", "external"]);

/** One line per Service of type LoadBalancer: what the cloud's load balancer for it costs. */
function loadBalancers(resources: readonly CostResource[], cloud: CostCloud): CostLine[] {
    const services = resources.filter(
        (resource) => kubernetesKind(resource.type)?.kind === "Service" && recordAt(resource.inputs, "spec")["type"] === "LoadBalancer",
    );
    return services.flatMap((service) => {
        const { name, namespace, annotations } = metadataOf(service.inputs);
        const item = `Service ${namespace ?? "default"}/${name ?? service.name} (type LoadBalancer)`;
        if (cloud === "gcp") return [hourly(`forwarding rule: ${item}`, 1, PRICES.forwardingRule)];
        if (cloud === "existing")
            return [unpriced(`load balancer: ${item}`, 1, "load balancer", "the existing cluster's load balancer implementation bills it, if anything")];
        const type = isRecord(annotations) ? annotations["service.beta.kubernetes.io/aws-load-balancer-type"] : undefined;
        const nlb = typeof type === "string" && AWS_NLB_TYPES.has(type);
        return nlb
            ? [
                  hourly(`Network Load Balancer: ${item}`, 1, PRICES.networkLoadBalancer),
                  usage("Network Load Balancer capacity units", PRICES.networkLoadBalancerCapacity, USAGE),
              ]
            : [
                  hourly(`Classic Load Balancer: ${item}, no aws-load-balancer-type annotation`, 1, PRICES.classicLoadBalancer),
                  usage("Classic Load Balancer data processing", PRICES.classicLoadBalancerData, USAGE),
              ];
    });
}

function keysAndLogs(resources: readonly CostResource[]): CostLine[] {
    const keys = ofType(resources, "aws:kms/key:Key");
    const logs = ofType(resources, "aws:cloudwatch/logGroup:LogGroup");
    const interfaceEndpoints = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((endpoint) => endpoint.inputs["vpcEndpointType"] === "Interface");
    return [
        ...(keys.length ? [priced(counted("KMS key", keys), keys.length, PRICES.kmsKey)] : []),
        ...(logs.length ? [usage(counted("CloudWatch Logs ingestion", logs), PRICES.cloudWatchLogsIngestion, "log volume is not knowable offline")] : []),
        ...(interfaceEndpoints.length
            ? [
                  unpriced(
                      counted("interface VPC endpoint", interfaceEndpoints),
                      interfaceEndpoints.length,
                      "endpoint",
                      "interface endpoints are not in the price table",
                  ),
              ]
            : []),
    ];
}

/** The control plane's lines: none on an existing cluster, which the plan does not create. */
export function controlPlaneLines(resources: readonly CostResource[]): CostLine[] {
    return [...eksControlPlanes(resources), ...gkeControlPlanes(resources)];
}

export function networkLines(resources: readonly CostResource[], cloud: CostCloud, nodes: number): CostLine[] {
    return [...awsNat(resources), ...cloudNat(resources, nodes), ...loadBalancers(resources, cloud), ...keysAndLogs(resources)];
}
