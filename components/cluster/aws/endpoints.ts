// Interface VPC endpoints with private DNS, in the VPC's endpoint subnets
// (network.ts), behind one security group that takes HTTPS from the VPC: with
// private DNS the services' regional names resolve to them from the whole VPC.
// Two callers: the data plane (STS and S3, which tenant pods reach) and the
// network of an air-gapped stack (every AWS API nodes, add-ons and the
// autoscaler call, since the VPC has no route to the internet).
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import type * as pulumi from "@pulumi/pulumi";

export const HTTPS_PORT = 443;

/** A subnet for interface endpoints, by id and address block. */
export interface EndpointSubnet {
    readonly id: pulumi.Input<string>;
    readonly cidr: string;
}

/** The services tenant pods reach on an s3 data plane: STS (IRSA's AssumeRoleWithWebIdentity) and S3. */
export const DATA_PLANE_ENDPOINT_SERVICES = ["sts", "s3"] as const;

/**
 * What an EKS cluster without internet access calls, as suffixes of com.amazonaws.<region>.<service>: ECR (the API and
 * the registry; image layers come from S3 through the gateway endpoint), STS, EKS and EKS Auth (Pod Identity's
 * credentials), EC2, Elastic Load Balancing, Auto Scaling, CloudWatch Logs and KMS. S3 has its gateway endpoint.
 */
export const AIR_GAP_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "sts", "eks", "eks-auth", "ec2", "elasticloadbalancing", "autoscaling", "logs", "kms"] as const;

export interface InterfaceEndpointsArgs {
    readonly clusterName: string;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidrs: readonly string[];
    readonly subnets: readonly EndpointSubnet[];
    /** Suffixes of com.amazonaws.<region>.<service>. */
    readonly services: readonly string[];
    /** What the endpoints are for, in the security group's description. */
    readonly purpose: string;
}

/** One interface endpoint per service, named `${name}-<service>` (dots as dashes), and their security group `${name}-endpoints`. */
export function interfaceEndpoints(parent: pulumi.Resource, name: string, args: InterfaceEndpointsArgs): Aws.ec2.VpcEndpoint[] {
    // The config rules require endpoint subnets of an existing VPC where endpoints are needed; a created VPC always has them.
    if (args.subnets.length === 0) throw new Error("the VPC has no endpoint subnets: set network.existingVpc.endpointSubnets");
    const group = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
            vpcId: args.vpcId,
            description: `${args.purpose} of ${args.clusterName}, HTTPS from the VPC`,
            ingress: [{ protocol: "tcp", fromPort: HTTPS_PORT, toPort: HTTPS_PORT, cidrBlocks: [...args.vpcCidrs] }],
            tags: { Name: `${args.clusterName}-endpoints` },
        },
        { parent },
    );
    const subnetIds = args.subnets.map((subnet) => subnet.id);
    return args.services.map(
        (service) =>
            new aws.ec2.VpcEndpoint(
                `${name}-${service.replace(/\./g, "-")}`,
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
            ),
    );
}
