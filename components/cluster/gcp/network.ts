// The VPC of a private GKE cluster: one subnet with secondary ranges for pods
// and services (VPC-native), Private Google Access so nodes without public IPs
// reach Cloud Storage and Artifact Registry without NAT, and Cloud NAT for
// the rest of their egress. A private zone sends every *.googleapis.com name to
// private.googleapis.com, so pods reach Google APIs at four fixed addresses a
// tenant's NetworkPolicy can name (GOOGLE_APIS_CIDR).
import type * as Gcp from "@pulumi/gcp";
import { gcp } from "../../packages";
import * as pulumi from "@pulumi/pulumi";

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

/**
 * private.googleapis.com: the addresses Private Google Access serves most Google APIs on, Cloud Storage and IAM credentials
 * among them, through the VPC's default route without leaving Google's network (cloud.google.com/vpc/docs/configure-private-google-access,
 * "Domain options" and "Configure DNS": the A records below and the CNAME *.googleapis.com → private.googleapis.com).
 */
export const GOOGLE_APIS_CIDR = "199.36.153.8/30";
const GOOGLE_APIS_ADDRESSES = ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"];

export interface GcpNetworkArgs {
    readonly region: string;
    readonly subnetCidr: string;
    readonly podsCidr: string;
    readonly servicesCidr: string;
}

export class GcpNetwork extends pulumi.ComponentResource {
    readonly network: Gcp.compute.Network;
    readonly subnetwork: Gcp.compute.Subnetwork;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:GcpNetwork", name, {}, opts);
        const parent = { parent: this };
        this.network = new gcp.compute.Network(`${name}-vpc`, { autoCreateSubnetworks: false, routingMode: "REGIONAL" }, parent);
        this.subnetwork = new gcp.compute.Subnetwork(
            `${name}-nodes`,
            {
                network: this.network.id,
                region: args.region,
                ipCidrRange: args.subnetCidr,
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: PODS_RANGE, ipCidrRange: args.podsCidr },
                    { rangeName: SERVICES_RANGE, ipCidrRange: args.servicesCidr },
                ],
            },
            parent,
        );
        const router = new gcp.compute.Router(`${name}-router`, { network: this.network.id, region: args.region }, parent);
        new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                router: router.name,
                region: args.region,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            parent,
        );
        googleApisZone(name, this.network, this);
        this.registerOutputs({ networkId: this.network.id, subnetworkId: this.subnetwork.id });
    }
}

/** The private zone googleapis.com on the VPC: private.googleapis.com's A records, and a CNAME to it for every other name (Google's documented records). */
function googleApisZone(name: string, network: Gcp.compute.Network, parent: pulumi.Resource): void {
    const zone = new gcp.dns.ManagedZone(
        `${name}-googleapis`,
        {
            dnsName: "googleapis.com.",
            visibility: "private",
            description: "Google APIs through Private Google Access (private.googleapis.com)",
            privateVisibilityConfig: { networks: [{ networkUrl: network.id }] },
        },
        { parent },
    );
    const record = (suffix: string, recordName: string, type: string, rrdatas: string[]) =>
        new gcp.dns.RecordSet(`${name}-googleapis-${suffix}`, { managedZone: zone.name, name: recordName, type, ttl: 300, rrdatas }, { parent });
    record("private", "private.googleapis.com.", "A", GOOGLE_APIS_ADDRESSES);
    record("wildcard", "*.googleapis.com.", "CNAME", ["private.googleapis.com."]);
}
