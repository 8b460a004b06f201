// An IAM role for one Kubernetes ServiceAccount through EKS Pod Identity: the
// role trusts only the Pod Identity agent (pods.eks), and the association binds
// it to namespace/serviceAccount, so no pod reaches the node role for AWS access.
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";
import * as pulumi from "@pulumi/pulumi";
import { type AwsPartition, awsManagedPolicyArn } from "./partition";
import { podIdentityTrustPolicy } from "./workload-identity";

export interface PodIdentityArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly partition: AwsPartition;
    readonly namespace: string;
    readonly serviceAccount: string;
    /** An AWS managed policy attached to the role, by its path under `policy/`. */
    readonly managedPolicy?: string;
    /** The role's own policies: `${name}-<key>` → policy document. */
    readonly inlinePolicies?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** The role (named `name`), its policies, and its association; the association waits for the policies, so the pod never starts without them. */
export function podIdentity(parent: pulumi.Resource, name: string, args: PodIdentityArgs): Aws.eks.PodIdentityAssociation {
    const role = new aws.iam.Role(
        name,
        {
            assumeRolePolicy: podIdentityTrustPolicy(args.partition),
        },
        { parent },
    );
    const policies: pulumi.Resource[] = Object.entries(args.inlinePolicies ?? {}).map(
        ([key, policy]) => new aws.iam.RolePolicy(`${name}-${key}`, { role: role.name, policy }, { parent }),
    );
    if (args.managedPolicy) {
        policies.unshift(
            new aws.iam.RolePolicyAttachment(name, { role: role.name, policyArn: awsManagedPolicyArn(args.partition, args.managedPolicy) }, { parent }),
        );
    }
    return new aws.eks.PodIdentityAssociation(
        name,
        { clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: role.arn },
        { parent, dependsOn: policies },
    );
}
