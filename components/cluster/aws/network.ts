// The VPC an EKS cluster runs in: private subnets for nodes in every zone,
// public subnets only for NAT and internet-facing load balancers, and an S3
// gateway endpoint on every private route table, so object-storage traffic
// (pipeline artifacts, model weights) never crosses a NAT gateway. Network
// timeouts to object storage cause about a quarter of pipeline failures.
// Small endpoint subnets, apart from the node subnets, hold the interface
// endpoints (STS, S3) tenant pods reach: the VPC CNI gives pods addresses from
// the node subnets, so a NetworkPolicy may name the endpoint subnets without
// naming any pod. An air-gapped VPC has no internet gateway, NAT or public
// subnet: the AWS APIs its nodes call are interface endpoints there (endpoints.ts).
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_VPC_CIDR } from "../../config/cloud-schema";
import { cidrSubnet } from "../../../core/cidr";
import { endpointSubnetCidrs, privateSubnetCidrs, smallSubnetsBlock } from "./subnets";
import { type EndpointSubnet, interfaceEndpoints } from "./endpoints";

export interface AwsNetworkArgs {
    readonly region: string;
    readonly zones: string[];
    readonly clusterName: string;
    /** Create a VPC with this CIDR... */
    readonly vpcCidr?: string;
    /** NAT gateways of a VPC with internet access; none when `internetAccess` is false. */
    readonly natGateways?: "single" | "perZone";
    /** False for an air-gapped VPC: no internet gateway, NAT or public subnets. */
    readonly internetAccess: boolean;
    /** Interface endpoints (service suffixes) the network creates for its nodes, in the endpoint subnets. */
    readonly interfaceEndpoints: readonly string[];
    /** ...or use an existing one. */
    readonly existingVpc?: {
        vpcId: string;
        privateSubnetIds: string[];
        routeTableIds: string[];
        cidrBlocks: string[];
        endpointSubnets?: { id: string; cidr: string }[];
    };
}

export class AwsNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly s3Endpoint: Aws.ec2.VpcEndpoint;
    /** The VPC's address blocks. */
    readonly cidrBlocks: readonly string[];
    /** Where interface endpoints go: created with the VPC, or named by network.existingVpc.endpointSubnets (empty when it names none). */
    readonly endpointSubnets: readonly EndpointSubnet[];
    /** The interface endpoints of `interfaceEndpoints`. */
    readonly interfaceEndpoints: readonly Aws.ec2.VpcEndpoint[];

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:AwsNetwork", name, {}, opts);
        const created = args.existingVpc ? undefined : this.createVpc(name, args);
        this.vpcId = created?.vpcId ?? pulumi.output(args.existingVpc!.vpcId);
        this.privateSubnetIds = created?.privateSubnetIds ?? args.existingVpc!.privateSubnetIds.map((id) => pulumi.output(id));
        const routeTableIds = created?.routeTableIds ?? args.existingVpc!.routeTableIds.map((id) => pulumi.output(id));
        this.cidrBlocks = args.existingVpc?.cidrBlocks ?? [args.vpcCidr ?? DEFAULT_VPC_CIDR];
        this.endpointSubnets = created?.endpointSubnets ?? args.existingVpc!.endpointSubnets ?? [];

        this.s3Endpoint = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: this.vpcId,
                serviceName: `com.amazonaws.${args.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds,
                tags: { Name: `${args.clusterName}-s3` },
            },
            { parent: this },
        );
        this.interfaceEndpoints = args.interfaceEndpoints.length
            ? interfaceEndpoints(this, name, {
                  clusterName: args.clusterName,
                  region: args.region,
                  vpcId: this.vpcId,
                  vpcCidrs: this.cidrBlocks,
                  subnets: this.endpointSubnets,
                  services: args.interfaceEndpoints,
                  purpose: "Interface endpoints of the AWS APIs the nodes call",
              })
            : [];

        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, s3EndpointId: this.s3Endpoint.id });
    }

    private createVpc(name: string, args: AwsNetworkArgs) {
        const vpcCidr = args.vpcCidr ?? DEFAULT_VPC_CIDR;
        const parent = { parent: this };
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: args.clusterName } },
            parent,
        );
        const nat = args.internetAccess ? this.publicSubnets(name, args, vpc.id, clusterTag) : undefined;

        const privateSubnetIds: pulumi.Output<string>[] = [];
        const routeTableIds: pulumi.Output<string>[] = [];
        const privateCidrs = privateSubnetCidrs(vpcCidr, args.zones);
        args.zones.forEach((zone, index) => {
            const natGateway = nat?.natGateways.get(zone) ?? nat?.natGateways.get(nat.natZones[0]!);
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${zone}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone,
                    cidrBlock: privateCidrs[index]!,
                    tags: { Name: `${args.clusterName}-private-${zone}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag },
                },
                parent,
            );
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${zone}`,
                {
                    vpcId: vpc.id,
                    // Air-gapped, the VPC's local route and the S3 gateway endpoint's only (routes left unmanaged here).
                    ...(natGateway ? { routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateway.id }] } : {}),
                    tags: { Name: `${args.clusterName}-private-${zone}` },
                },
                parent,
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: subnet.id, routeTableId: routes.id }, parent);
            privateSubnetIds.push(subnet.id);
            routeTableIds.push(routes.id);
        });
        // Endpoint subnets need no route beyond the VPC's local one: endpoints only answer.
        const endpointSubnets = endpointSubnetCidrs(vpcCidr, args.zones).map((cidr, index) => {
            const zone = args.zones[index]!;
            const tags = { Name: `${args.clusterName}-endpoints-${zone}` };
            const subnet = new aws.ec2.Subnet(`${name}-endpoints-${zone}`, { vpcId: vpc.id, availabilityZone: zone, cidrBlock: cidr, tags }, parent);
            return { id: subnet.id, cidr };
        });
        return { vpcId: vpc.id, privateSubnetIds, routeTableIds, endpointSubnets };
    }

    /** The internet gateway, public subnets (NAT, internet-facing load balancers) and NAT gateways of a VPC with internet access. */
    private publicSubnets(name: string, args: AwsNetworkArgs, vpcId: pulumi.Output<string>, clusterTag: Record<string, string>) {
        const parent = { parent: this };
        const vpcCidr = args.vpcCidr ?? DEFAULT_VPC_CIDR;
        const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId, tags: { Name: args.clusterName } }, parent);
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }], tags: { Name: `${args.clusterName}-public` } },
            parent,
        );

        // Private subnets take the first /19s of a /16 (8,190 pod and node IPs per zone
        // with the VPC CNI); public subnets are small blocks in the last /19.
        const publicBlock = smallSubnetsBlock(vpcCidr);
        const natZones = args.natGateways === "perZone" ? args.zones : args.zones.slice(0, 1);
        const natGateways = new Map<string, Aws.ec2.NatGateway>();
        args.zones.forEach((zone, index) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${zone}`,
                {
                    vpcId,
                    availabilityZone: zone,
                    cidrBlock: cidrSubnet(publicBlock, 5, index),
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${args.clusterName}-public-${zone}`, "kubernetes.io/role/elb": "1", ...clusterTag },
                },
                parent,
            );
            new aws.ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, parent);
            if (natZones.includes(zone)) {
                const eip = new aws.ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc", tags: { Name: `${args.clusterName}-nat-${zone}` } }, parent);
                natGateways.set(
                    zone,
                    new aws.ec2.NatGateway(
                        `${name}-nat-${zone}`,
                        { subnetId: subnet.id, allocationId: eip.id, tags: { Name: `${args.clusterName}-nat-${zone}` } },
                        { parent: this, dependsOn: [internetGateway] },
                    ),
                );
            }
        });

        return { natGateways, natZones };
    }
}
