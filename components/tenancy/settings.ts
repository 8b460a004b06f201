// Where tenant pods reach the Kubernetes API, unless the stack says: the VPC
// on EKS (the control plane's network interfaces live in its subnets), the
// control plane's /28 on GKE. An existing cluster must say (validation).
import { vpcCidrBlocks } from "../config/cloud-schema";
import type { StackConfig } from "../config/schema";

export function apiServerCidrs(config: StackConfig): string[] {
    if (config.tenancy.apiServerCidrs) return config.tenancy.apiServerCidrs;
    switch (config.cloud) {
        case "aws":
            return vpcCidrBlocks(config.network);
        case "gcp":
            return [config.network.masterCidr];
        case "existing":
            return [];
    }
}
