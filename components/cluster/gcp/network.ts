// The VPC of a private GKE cluster: one subnet with secondary ranges for pods
// and services (VPC-native), Private Google Access so nodes without public IPs
// reach Cloud Storage and Artifact Registry without NAT, and Cloud NAT for
// the rest of their egress.
import type * as Gcp from "@pulumi/gcp";
import { gcp } from "../../packages";
import * as pulumi from "@pulumi/pulumi";

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

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
        this.registerOutputs({ networkId: this.network.id, subnetworkId: this.subnetwork.id });
    }
}
