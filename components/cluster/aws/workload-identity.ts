// IAM roles for Kubernetes ServiceAccounts, never the node role. EKS Pod
// Identity is the default (pod-identity.ts: the EBS CSI driver, the cluster-autoscaler); IRSA, through the cluster's
// OIDC provider, is for clients whose AWS SDK predates Pod Identity's container
// credentials (aws-sdk-go < v1.47.11), such as cert-manager v1.12.
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import * as pulumi from "@pulumi/pulumi";
import { type AwsPartition, servicePrincipal } from "./partition";
import type { ServiceAccountRef } from "../service-account";

/** The trust policy of a role assumed through EKS Pod Identity (the association names the ServiceAccount). */
export function podIdentityTrustPolicy(partition: AwsPartition): string {
    return JSON.stringify({
        Version: "2012-10-17",
        // The agent tags the session with the cluster, namespace and ServiceAccount.
        Statement: [{ Effect: "Allow", Principal: { Service: servicePrincipal(partition, "pods.eks") }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
}

/** The cluster's OIDC issuer registered with IAM, so its ServiceAccount tokens can be exchanged for role credentials (IRSA). */
export function oidcProvider(parent: pulumi.Resource, name: string, cluster: Aws.eks.Cluster): Aws.iam.OpenIdConnectProvider {
    const issuer = cluster.identities.apply((identities) => identities[0]?.oidcs?.[0]?.issuer ?? "");
    return new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, { parent });
}

/** The trust policy of a role only `account` may assume, with a token of the cluster's OIDC issuer. */
export function irsaTrustPolicy(
    provider: { readonly arn: pulumi.Input<string>; readonly url: pulumi.Input<string> },
    account: ServiceAccountRef,
): pulumi.Output<string> {
    return pulumi.all([provider.arn, provider.url]).apply(([arn, url]) => {
        // IAM keys the conditions by the issuer without its scheme.
        const issuer = url.replace(/^https:\/\//, "");
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: arn },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${issuer}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
                            [`${issuer}:aud`]: "sts.amazonaws.com",
                        },
                    },
                },
            ],
        });
    });
}

/** A role `account` assumes through IRSA with `policy` inline; returns the annotation its ServiceAccount must carry. */
export function irsaRole(
    parent: pulumi.Resource,
    name: string,
    args: { readonly provider: Aws.iam.OpenIdConnectProvider; readonly account: ServiceAccountRef; readonly policy: pulumi.Input<string> },
): Record<string, pulumi.Output<string>> {
    const role = new aws.iam.Role(name, { assumeRolePolicy: irsaTrustPolicy(args.provider, args.account) }, { parent });
    new aws.iam.RolePolicy(name, { role: role.name, policy: args.policy }, { parent });
    return { "eks.amazonaws.com/role-arn": role.arn };
}
