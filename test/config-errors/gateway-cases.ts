// Stack-file cases of the Kubeflow gateway: who signs its certificate, and the
// zone its record lives in. Each starts from a shipped stack and makes one change.
import { combined, set, unset } from "../config-cases";
import type { StackCase } from "./cluster-cases";

const ROUTE53 = { hostedZoneId: "Z0123456789ABCDEFGHIJ", zoneName: "example.com" };

export const GATEWAY_CASES: StackCase[] = [
    {
        name: "rejects a production stack on a self-signed certificate it does not acknowledge",
        base: "onprem",
        change: unset("kubeflow.gateway.tls"),
        key: "kfstack:kubeflow.gateway.tls",
        message:
            "is selfSigned (the default) on a production stack, so no client trusts the gateway; set kubeflow.gateway.tls.mode to acme (with kubeflow.gateway.dns) or ca (the site's CA), or set kubeflow.gateway.acknowledgeSelfSigned.reason to say why self-signed is acceptable",
    },
    {
        name: "rejects an acknowledgement of a self-signed certificate too short to explain anything",
        base: "onprem",
        change: combined(unset("kubeflow.gateway.tls"), set("kubeflow.gateway.acknowledgeSelfSigned", { reason: "lab" })),
        key: "kfstack:kubeflow.gateway.acknowledgeSelfSigned.reason",
        message: "must say why a self-signed certificate is acceptable here (10+ characters)",
    },
    {
        name: "rejects an acknowledgement of a self-signed certificate on a stack signed by its CA",
        base: "onprem",
        change: set("kubeflow.gateway.acknowledgeSelfSigned", { reason: "The lab has no CA of its own yet." }),
        key: "kfstack:kubeflow.gateway.acknowledgeSelfSigned",
        message: "acknowledges a self-signed certificate, but kubeflow.gateway.tls.mode is ca; remove it",
    },
    {
        name: "rejects an unknown certificate mode",
        base: "aws dev",
        change: set("kubeflow.gateway.tls", { mode: "letsencrypt" }),
        key: "kfstack:kubeflow.gateway.tls.mode",
        message: "must have mode selfSigned (testing), acme (an ACME CA through DNS-01) or ca (the site's CA)",
    },
    {
        name: "rejects acme without a zone to solve DNS-01 challenges in",
        base: "aws prod",
        change: unset("kubeflow.gateway.dns"),
        key: "kfstack:kubeflow.gateway.tls",
        message: "is acme, which solves DNS-01 challenges in kubeflow.gateway.dns; set kubeflow.gateway.dns.route53 to the zone that holds the hosts",
    },
    {
        name: "rejects acme on an existing cluster, which has no zone kfstack manages",
        base: "onprem",
        change: set("kubeflow.gateway.tls", { mode: "acme", email: "ml-platform@example.com" }),
        key: "kfstack:kubeflow.gateway.tls",
        message: "is acme, which needs a DNS zone kfstack manages to solve DNS-01 challenges, and an existing cluster has none; use mode ca with the site's CA",
    },
    {
        name: "rejects a Route 53 zone on gcp",
        base: "gcp dev",
        change: combined(set("kubeflow.gateway.exposure", "internalLoadBalancer"), set("kubeflow.gateway.dns", { route53: ROUTE53 })),
        key: "kfstack:kubeflow.gateway.dns.route53",
        message: "is not available on gcp; use kubeflow.gateway.dns.cloudDns, the DNS service of the stack's cloud",
    },
    {
        name: "rejects a Cloud DNS zone on aws",
        base: "aws prod",
        change: set("kubeflow.gateway.dns", { cloudDns: { managedZone: "example-com", dnsName: "example.com" } }),
        key: "kfstack:kubeflow.gateway.dns.cloudDns",
        message: "is not available on aws; use kubeflow.gateway.dns.route53, the DNS service of the stack's cloud",
    },
    {
        name: "rejects a zone on an existing cluster",
        base: "onprem",
        change: set("kubeflow.gateway.dns", { route53: ROUTE53 }),
        key: "kfstack:kubeflow.gateway.dns.route53",
        message: "is for clusters kfstack creates; on an existing cluster remove kubeflow.gateway.dns and point the site's DNS at the gateway",
    },
    {
        name: "rejects two zones",
        base: "aws prod",
        change: set("kubeflow.gateway.dns.cloudDns", { managedZone: "example-com", dnsName: "example.com" }),
        key: "kfstack:kubeflow.gateway.dns.cloudDns",
        message: "cannot be set together with kubeflow.gateway.dns.route53; choose the zone that holds the hosts",
    },
    {
        name: "rejects a zone setting that names no zone",
        base: "aws prod",
        change: set("kubeflow.gateway.dns", {}),
        key: "kfstack:kubeflow.gateway.dns",
        message: "sets neither route53 (aws) nor cloudDns (gcp); set the zone that holds the hosts, or remove the key",
    },
    {
        name: "rejects a host outside the zone",
        base: "aws prod",
        change: set("kubeflow.gateway.hosts", ["kubeflow.example.com", "kubeflow.example.org"]),
        key: "kfstack:kubeflow.gateway.hosts[1]",
        message:
            "kubeflow.example.org is not a name under the zone example.com of kubeflow.gateway.dns.route53; use a host such as kubeflow.example.com, or the zone that holds it",
    },
    {
        name: "rejects the zone's apex as a host, where Route 53 allows no CNAME",
        base: "aws prod",
        change: set("kubeflow.gateway.hosts", ["example.com"]),
        key: "kfstack:kubeflow.gateway.hosts[0]",
        message:
            "example.com is not a name under the zone example.com of kubeflow.gateway.dns.route53; use a host such as kubeflow.example.com, or the zone that holds it",
    },
    {
        name: "rejects a zone record for a gateway without a load balancer",
        base: "aws prod",
        change: set("kubeflow.gateway.exposure", "clusterIP"),
        key: "kfstack:kubeflow.gateway.dns",
        message:
            "points the hosts at the gateway's load balancer, but kubeflow.gateway.exposure is clusterIP; set exposure to internalLoadBalancer or remove kubeflow.gateway.dns",
    },
    {
        name: "rejects a hosted zone id that is not one",
        base: "aws prod",
        change: set("kubeflow.gateway.dns.route53.hostedZoneId", "example.com"),
        key: "kfstack:kubeflow.gateway.dns.route53.hostedZoneId",
        message: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
    },
    {
        name: "rejects an ACME directory that is not https",
        base: "aws prod",
        change: set("kubeflow.gateway.tls.server", "http://acme.example.com/directory"),
        key: "kfstack:kubeflow.gateway.tls.server",
        message: "must be the https URL of an ACME directory",
    },
];
