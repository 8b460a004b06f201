// The interface endpoints a tenant's pods reach on an s3 stack: STS, where IRSA
// trades the pod's token for its role (AssumeRoleWithWebIdentity; EKS's pod
// identity webhook sets AWS_STS_REGIONAL_ENDPOINTS=regional, so clients call
// sts.<region>.amazonaws.com), and S3. Both sit in the VPC's endpoint subnets,
// apart from the node subnets pods take addresses from, so a NetworkPolicy can
// name them without naming any pod. S3 needs an interface endpoint of
// its own because the gateway endpoint's prefix list is known only at deploy
// time and changes; the price is its data processing charge on S3 traffic
// from the VPC (ECR layer pulls included) that the gateway endpoint carried free.
import type * as pulumi from "@pulumi/pulumi";
import { DATA_PLANE_ENDPOINT_SERVICES, interfaceEndpoints, type InterfaceEndpointsArgs } from "../cluster/aws/endpoints";
import { type DataPlaneEgress, HTTPS_PORT } from "./managed";

export type AwsEndpointsArgs = Omit<InterfaceEndpointsArgs, "services" | "purpose">;

/** The endpoints, and what tenant pods may reach of them. */
export function awsEndpoints(parent: pulumi.Resource, name: string, args: AwsEndpointsArgs): DataPlaneEgress {
    interfaceEndpoints(parent, name, { ...args, services: DATA_PLANE_ENDPOINT_SERVICES, purpose: "STS and S3 interface endpoints" });
    return [{ cidrs: args.subnets.map((subnet) => subnet.cidr), port: HTTPS_PORT }];
}
