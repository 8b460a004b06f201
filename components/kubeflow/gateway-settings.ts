// The gateway as the stack resolves it: its exposure (defaulted by topology and
// cloud), its hosts, who signs its certificate and the DNS zone its record
// lives in, each in one normalized form the customizations and the cloud
// resources read.
import type { GatewayTls } from "../config/gateway-schema";
import type { StackConfig } from "../config/schema";

export type GatewayExposure = "clusterIP" | "internalLoadBalancer";

/** The zone that holds the gateway's hosts, with what cert-manager's DNS-01 solver needs to reach it. */
export type GatewayZone =
    | { readonly service: "route53"; readonly name: string; readonly hostedZoneId: string; readonly region: string }
    | { readonly service: "cloudDns"; readonly name: string; readonly managedZone: string; readonly project: string };

export interface GatewaySettings {
    readonly exposure: GatewayExposure;
    readonly hosts: readonly string[];
    readonly tls: GatewayTls;
    readonly zone?: GatewayZone;
}

/**
 * The gateway's exposure: as set, else an internal load balancer for production
 * on a cloud and ClusterIP otherwise. An existing cluster's load balancers are
 * the site's own (MetalLB, F5 …): kfstack cannot tell an internal one, so it
 * leaves the choice to the stack.
 */
export function gatewayExposureOf(config: StackConfig): GatewayExposure {
    return config.kubeflow.gateway.exposure ?? (config.topology === "production" && config.cloud !== "existing" ? "internalLoadBalancer" : "clusterIP");
}

/** The stack's zone in its normalized form; undefined without kubeflow.gateway.dns (the rules reject a zone of another cloud). */
export function gatewayZoneOf(config: StackConfig): GatewayZone | undefined {
    const { route53, cloudDns } = config.kubeflow.gateway.dns ?? {};
    if (route53 && config.cloud === "aws") return { service: "route53", name: route53.zoneName, hostedZoneId: route53.hostedZoneId, region: config.region };
    if (cloudDns && config.cloud === "gcp")
        return { service: "cloudDns", name: cloudDns.dnsName, managedZone: cloudDns.managedZone, project: cloudDns.project ?? config.gcp.project };
    return undefined;
}

export function gatewaySettingsOf(config: StackConfig): GatewaySettings {
    const zone = gatewayZoneOf(config);
    const { hosts, tls } = config.kubeflow.gateway;
    return { exposure: gatewayExposureOf(config), hosts, tls, ...(zone ? { zone } : {}) };
}

/** Whether `host` is a name under the zone (not its apex, where Route 53 allows no CNAME). */
export function inZone(host: string, zone: string): boolean {
    return host.endsWith(`.${zone}`);
}
