// The interface endpoints a tenant's pods reach on an s3 stack: STS, where IRSA
// trades the pod's token for its role (AssumeRoleWithWebIdentity; EKS's pod
// identity webhook sets AWS_STS_REGIONAL_ENDPOINTS=regional, so clients call
// sts.<region>.amazonaws.com), and S3. Both sit in the VPC's endpoint subnets,
// apart from the node subnets pods take addresses from, so a NetworkPolicy can
// name them without naming any pod; with private DNS, the services' regional
// names resolve to them from the whole VPC. S3 needs an interface endpoint of
// its own because the gateway endpoint's prefix list is known only at deploy
// time and changes; the price is its data processing charge on S3 traffic
// from the VPC (ECR layer pulls included) that the gateway endpoint carried free.
import { aws } from "../packages";
import type * as pulumi from "@pulumi/pulumi";
import type { EndpointSubnet } from "../cluster/aws/network";
import { type DataPlaneEgress, HTTPS_PORT } from "./managed";

export interface AwsEndpointsArgs {
    readonly clusterName: string;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidrs: readonly string[];
    readonly subnets: readonly EndpointSubnet[];
}

/** The endpoints, and what tenant pods may reach of them. */
export function awsEndpoints(parent: pulumi.Resource, name: string, args: AwsEndpointsArgs): DataPlaneEgress {
    // The config rules require endpoint subnets of an existing VPC on s3 stacks; a created VPC always has them.
    if (args.subnets.length === 0) throw new Error("the VPC has no endpoint subnets: set network.existingVpc.endpointSubnets");
    const group = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
            vpcId: args.vpcId,
            description: `STS and S3 interface endpoints of ${args.clusterName}, HTTPS from the VPC`,
            ingress: [{ protocol: "tcp", fromPort: HTTPS_PORT, toPort: HTTPS_PORT, cidrBlocks: [...args.vpcCidrs] }],
            tags: { Name: `${args.clusterName}-endpoints` },
        },
        { parent },
    );
    const subnetIds = args.subnets.map((subnet) => subnet.id);
    for (const service of ["sts", "s3"]) {
        new aws.ec2.VpcEndpoint(
            `${name}-${service}`,
            {
                vpcId: args.vpcId,
                serviceName: `com.amazonaws.${args.region}.${service}`,
                vpcEndpointType: "Interface",
                subnetIds,
                securityGroupIds: [group.id],
                privateDnsEnabled: true,
                // S3 has a gateway endpoint too: answer the VPC's own resolver with this endpoint, not only on-premises ones.
                ...(service === "s3" ? { dnsOptions: { privateDnsOnlyForInboundResolverEndpoint: false } } : {}),
                tags: { Name: `${args.clusterName}-${service}` },
            },
            { parent },
        );
    }
    return [{ cidrs: args.subnets.map((subnet) => subnet.cidr), port: HTTPS_PORT }];
}
