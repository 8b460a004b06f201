// How a VPC kfstack creates is carved (without Pulumi, so the facts of a stack can name its pod network):
// node subnets, public subnets and endpoint subnets, apart from each other.
import { cidrSubnet } from "../../../core/cidr";

/** Private (node) subnets take the first eighths of the VPC (a /19 of a /16), one per zone: the VPC CNI gives pods their addresses. */
export function privateSubnetCidrs(vpcCidr: string, zones: readonly string[]): string[] {
    return zones.map((_zone, index) => cidrSubnet(vpcCidr, 3, index));
}

/** The last eighth holds the small subnets: public ones (NAT, load balancers) in its first half, endpoint subnets in its second. */
export const smallSubnetsBlock = (vpcCidr: string) => cidrSubnet(vpcCidr, 3, 7);

/** One block per zone (a /24 of a /16) for interface endpoints' network interfaces, outside every node subnet. */
export function endpointSubnetCidrs(vpcCidr: string, zones: readonly string[]): string[] {
    const block = cidrSubnet(smallSubnetsBlock(vpcCidr), 1, 1);
    return zones.map((_zone, index) => cidrSubnet(block, 4, index));
}
