// The gateway's names in the stack's zone: each host points at the ingress
// gateway's load balancer (a Route 53 CNAME to its hostname, a Cloud DNS A
// record to its address), and cert-manager's DNS-01 solver gets a cloud
// identity that may change only that zone, bound to its ServiceAccount.
import * as pulumi from "@pulumi/pulumi";
import { EksCluster } from "../cluster/aws/eks-cluster";
import { type AwsPartition, partitionOf } from "../cluster/aws/partition";
import { GkeCluster } from "../cluster/gcp/gke-cluster";
import { aws, gcp } from "../packages";
import type { PlatformCluster } from "../cluster/platform-cluster";
import type { GatewayZone } from "./gateway-settings";
import { CERT_MANAGER_SERVICE_ACCOUNT } from "./gateway-tls";

/** The ingress gateway Service, whose load balancer the records point at. */
export const INGRESS_GATEWAY_SERVICE = "/Service/istio-system/istio-ingressgateway";
export const RECORD_TTL_SECONDS = 300;

/**
 * What cert-manager v1.12's Route 53 solver calls when the issuer names the
 * hosted zone (pkg/issuer/acme/dns/route53): ChangeResourceRecordSets on the
 * zone, only for the TXT challenge records of the gateway's hosts (so the role
 * cannot win a certificate for another name in the zone), and GetChange to wait for it.
 */
export function route53ChallengePolicy(partition: AwsPartition, hostedZoneId: string, hosts: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: "route53:ChangeResourceRecordSets",
                Resource: `arn:${partition.name}:route53:::hostedzone/${hostedZoneId}`,
                Condition: {
                    // Normalized names are lowercase, without the trailing dot.
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": hosts.map((host) => `_acme-challenge.${host.toLowerCase()}`),
                    },
                },
            },
            { Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition.name}:route53:::change/*` },
        ],
    });
}

/**
 * What cert-manager v1.12's Cloud DNS solver calls when the issuer names the managed zone
 * (pkg/issuer/acme/dns/clouddns): it lists the challenge's TXT records, creates and deletes them
 * through a change, and polls the change.
 */
export const CLOUD_DNS_CHALLENGE_PERMISSIONS = [
    "dns.changes.create",
    "dns.changes.get",
    "dns.resourceRecordSets.list",
    "dns.resourceRecordSets.create",
    "dns.resourceRecordSets.delete",
    "dns.resourceRecordSets.update",
];

/** The cluster's cloud provider: the gateway's cloud resources are made with the same region, project and tags. */
function cloudProvider(cluster: PlatformCluster, zone: GatewayZone): pulumi.ProviderResource | undefined {
    return cluster.getProvider(zone.service === "route53" ? "aws::" : "gcp::");
}

/**
 * cert-manager's credentials for DNS-01 in `zone`: the annotations of its ServiceAccount. On AWS
 * through IRSA, because cert-manager v1.12.2 is built with aws-sdk-go v1.44.179, whose default
 * credential chain accepts container credentials only from loopback hosts and reads no token file,
 * so it cannot use EKS Pod Identity (169.254.170.23 with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, from v1.47.11).
 */
export function dns01Credentials(name: string, cluster: PlatformCluster, zone: GatewayZone, hosts: readonly string[]): Record<string, pulumi.Output<string>> {
    if (zone.service === "route53") {
        if (!(cluster instanceof EksCluster)) throw new Error("A Route 53 zone is only used with an EKS cluster; the stack rules admit it only on aws.");
        return cluster.serviceAccountRole(
            "cert-manager-dns01",
            CERT_MANAGER_SERVICE_ACCOUNT,
            route53ChallengePolicy(partitionOf(zone.region)!, zone.hostedZoneId, hosts),
        );
    }
    if (!(cluster instanceof GkeCluster)) throw new Error("A Cloud DNS zone is only used with a GKE cluster; the stack rules admit it only on gcp.");
    const identity = cluster.serviceAccountIdentity("cert-manager", CERT_MANAGER_SERVICE_ACCOUNT);
    const provider = cloudProvider(cluster, zone);
    // Not roles/dns.admin, which could delete the zone or change its settings: only what the solver calls.
    const role = new gcp.projects.IAMCustomRole(
        `${name}-dns01`,
        {
            project: zone.project,
            roleId: `${name.replace(/-/g, "_")}_dns01`,
            title: `cert-manager DNS-01 for ${name}`,
            permissions: CLOUD_DNS_CHALLENGE_PERMISSIONS,
        },
        { provider },
    );
    // On the managed zone only: with hostedZoneName set, the solver lists, changes and polls that zone and nothing else.
    new gcp.dns.DnsManagedZoneIamMember(
        `${name}-dns01`,
        { project: zone.project, managedZone: zone.managedZone, role: role.name, member: identity.member },
        { provider },
    );
    return identity.annotations;
}

/** A Service's load balancer entry, as status.loadBalancer.ingress[0] reports it. */
interface LoadBalancerIngress {
    hostname?: string;
    ip?: string;
}

export interface GatewayRecordsArgs {
    readonly zone: GatewayZone;
    readonly hosts: readonly string[];
    /** The ingress gateway Service's status, once its load balancer exists. */
    readonly serviceStatus: pulumi.Output<unknown>;
}

function loadBalancerOf(status: unknown): LoadBalancerIngress {
    return (status as { loadBalancer?: { ingress?: LoadBalancerIngress[] } } | undefined)?.loadBalancer?.ingress?.[0] ?? {};
}

/** One record per host, pointing at the ingress gateway's load balancer. */
export class GatewayRecords extends pulumi.ComponentResource {
    constructor(name: string, args: GatewayRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:kubeflow:GatewayRecords", name, {}, opts);
        const ingress = args.serviceStatus.apply(loadBalancerOf);
        const { zone } = args;
        for (const host of args.hosts) {
            // Keyed by host, so adding one leaves the others in place.
            if (zone.service === "route53") {
                new aws.route53.Record(
                    `${name}-${host}`,
                    { zoneId: zone.hostedZoneId, name: host, type: "CNAME", ttl: RECORD_TTL_SECONDS, records: [ingress.apply((lb) => lb.hostname ?? "")] },
                    { parent: this },
                );
            } else {
                new gcp.dns.RecordSet(
                    `${name}-${host}`,
                    {
                        project: zone.project,
                        managedZone: zone.managedZone,
                        name: `${host}.`,
                        type: "A",
                        ttl: RECORD_TTL_SECONDS,
                        rrdatas: [ingress.apply((lb) => lb.ip ?? "")],
                    },
                    { parent: this },
                );
            }
        }
        this.registerOutputs({});
    }
}

/** The records of the gateway's hosts, made with the cluster's cloud provider. */
export function gatewayRecords(name: string, cluster: PlatformCluster, args: GatewayRecordsArgs): GatewayRecords {
    const provider = cloudProvider(cluster, args.zone);
    return new GatewayRecords(name, args, provider ? { providers: [provider] } : {});
}
