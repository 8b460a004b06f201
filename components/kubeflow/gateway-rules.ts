// Cross-field rules of kubeflow.gateway: a zone of the stack's own cloud that
// holds every host and has a load balancer to point at, ACME only with a zone
// to solve DNS-01 in, and no production stack on a self-signed certificate
// unless it says why.
import type { StackConfig } from "../config/schema";
import type { ConfigProblem } from "../config/topology";
import { gatewayExposureOf, inZone } from "./gateway-settings";

const GATEWAY = ["kubeflow", "gateway"];
const ZONE_SERVICE = { aws: "route53", gcp: "cloudDns" } as const;

export function gatewayProblems(config: StackConfig): ConfigProblem[] {
    return [...zoneProblems(config), ...tlsProblems(config)];
}

function zoneProblems(config: StackConfig): ConfigProblem[] {
    const { dns, hosts } = config.kubeflow.gateway;
    if (!dns) return [];
    const { route53, cloudDns } = dns;
    if (route53 && cloudDns)
        return [
            {
                path: [...GATEWAY, "dns", "cloudDns"],
                message: "cannot be set together with kubeflow.gateway.dns.route53; choose the zone that holds the hosts",
            },
        ];
    if (!route53 && !cloudDns)
        return [{ path: [...GATEWAY, "dns"], message: "sets neither route53 (aws) nor cloudDns (gcp); set the zone that holds the hosts, or remove the key" }];
    const service = route53 ? "route53" : "cloudDns";
    const path = [...GATEWAY, "dns", service];
    if (config.cloud === "existing")
        return [
            { path, message: "is for clusters kfstack creates; on an existing cluster remove kubeflow.gateway.dns and point the site's DNS at the gateway" },
        ];
    if (ZONE_SERVICE[config.cloud] !== service)
        return [
            {
                path,
                message: `is not available on ${config.cloud}; use kubeflow.gateway.dns.${ZONE_SERVICE[config.cloud]}, the DNS service of the stack's cloud`,
            },
        ];
    const problems: ConfigProblem[] = [];
    const zone = route53?.zoneName ?? cloudDns!.dnsName;
    hosts.forEach((host, index) => {
        if (!inZone(host, zone))
            problems.push({
                path: [...GATEWAY, "hosts", index],
                message: `${host} is not a name under the zone ${zone} of kubeflow.gateway.dns.${service}; use a host such as kubeflow.${zone}, or the zone that holds it`,
            });
    });
    if (gatewayExposureOf(config) === "clusterIP")
        problems.push({
            path: [...GATEWAY, "dns"],
            message:
                "points the hosts at the gateway's load balancer, but kubeflow.gateway.exposure is clusterIP; set exposure to internalLoadBalancer or remove kubeflow.gateway.dns",
        });
    return problems;
}

function tlsProblems(config: StackConfig): ConfigProblem[] {
    const { tls, dns, acknowledgeSelfSigned } = config.kubeflow.gateway;
    if (tls.mode === "acme" && !dns)
        return [
            {
                path: [...GATEWAY, "tls"],
                message:
                    config.cloud === "existing"
                        ? "is acme, which needs a DNS zone kfstack manages to solve DNS-01 challenges, and an existing cluster has none; use mode ca with the site's CA"
                        : `is acme, which solves DNS-01 challenges in kubeflow.gateway.dns; set kubeflow.gateway.dns.${ZONE_SERVICE[config.cloud]} to the zone that holds the hosts`,
            },
        ];
    if (tls.mode !== "selfSigned" && acknowledgeSelfSigned)
        return [
            {
                path: [...GATEWAY, "acknowledgeSelfSigned"],
                message: `acknowledges a self-signed certificate, but kubeflow.gateway.tls.mode is ${tls.mode}; remove it`,
            },
        ];
    if (tls.mode === "selfSigned" && config.topology === "production" && !acknowledgeSelfSigned)
        return [
            {
                path: [...GATEWAY, "tls"],
                message:
                    "is selfSigned (the default) on a production stack, so no client trusts the gateway; set kubeflow.gateway.tls.mode to acme (with kubeflow.gateway.dns) or ca (the site's CA), or set kubeflow.gateway.acknowledgeSelfSigned.reason to say why self-signed is acceptable",
            },
        ];
    return [];
}
