// EKS-01: the Kubernetes API is private or limited to listed networks; a
// production stack never opens it to 0.0.0.0/0.
import { clusterFactsOf } from "../lib/facts";
import { stackPolicy } from "../lib/policy";
import { EKS_CLUSTER, describeCloudResource } from "./resources";
import { arrayAt, recordAt } from "../../core/records";
import { listOf } from "../../core/text";

/** Any CIDR with a /0 prefix is the whole address space. */
const OPEN = /\/0$/;

export const eksApiEndpoint = stackPolicy({
    id: "EKS-01",
    slug: "api-endpoint",
    description:
        "Every EKS cluster serves its API on the private endpoint only, or limits the public endpoint to listed networks (vpcConfig.publicAccessCidrs); a production stack never allows 0.0.0.0/0.",
    reason: "A public endpoint without an allowlist is open to 0.0.0.0/0 by EKS default: the cluster API, and any leaked or weak credential for it, is reachable from the whole internet.",
    remediation:
        "Set kfstack:privateEndpoint.enabled to true (vpcConfig.endpointPublicAccess false, endpointPrivateAccess true), or list the networks that may reach the public endpoint in kfstack:privateEndpoint.allowedCidrs (vpcConfig.publicAccessCidrs), never 0.0.0.0/0 in production.",
    validateStack: (args, reportViolation) => {
        // Production is the topology the stack declares; without kfstack's cluster facts (a bare list of resources) the stricter rule applies.
        const facts = clusterFactsOf(args)?.facts;
        const production = facts?.topology !== "testing";
        for (const resource of args.resources) {
            if (resource.type !== EKS_CLUSTER) continue;
            const what = describeCloudResource(resource.type, resource.name);
            const vpcConfig = recordAt(resource.props, "vpcConfig");
            // EKS serves a public endpoint unless told otherwise.
            if (vpcConfig["endpointPublicAccess"] === false) continue;
            const cidrs = arrayAt(vpcConfig, "publicAccessCidrs").map(String);
            if (cidrs.length === 0) {
                reportViolation(
                    `${what} serves a public API endpoint without vpcConfig.publicAccessCidrs, which EKS opens to 0.0.0.0/0; ` +
                        "set vpcConfig.endpointPublicAccess to false and use the private endpoint, or list the networks that may reach it in vpcConfig.publicAccessCidrs.",
                    resource.urn,
                );
                continue;
            }
            const open = cidrs.filter((cidr) => OPEN.test(cidr.trim()));
            if (open.length && production) {
                reportViolation(
                    `${what} opens its public API endpoint to ${listOf(open)} in a production stack; ` +
                        `set vpcConfig.endpointPublicAccess to false and use the private endpoint, or replace ${listOf(open)} in vpcConfig.publicAccessCidrs with the networks that need the API.`,
                    resource.urn,
                );
            }
        }
    },
});
