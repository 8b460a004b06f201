// The identity running `pulumi up` (a person or a CI role) gets cluster-admin
// through an EKS access entry: the cluster is created with
// bootstrapClusterCreatorAdminPermissions off, so without one the deployer is
// locked out of the cluster it just made and no Kubernetes object applies.
import type * as Aws from "@pulumi/aws";
import { aws } from "../../packages";

const ASSUMED_ROLE_SESSION = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/**
 * The IAM principal an access entry names for a caller ARN: an assumed-role
 * session (`arn:<partition>:sts::<account>:assumed-role/<role>/<session>`)
 * becomes its role (`arn:<partition>:iam::<account>:role/<role>`), in the
 * session's own partition (aws, aws-us-gov); users and roles stay as they are.
 *
 * A session ARN carries the role's name but not its path, so a role with a
 * path (`role/ci/deployer`) comes back as `role/deployer`, which EKS rejects
 * or matches to nobody: list such a role in kfstack:aws.clusterAdmins.
 */
export function principalArnOf(callerArn: string): string {
    const session = ASSUMED_ROLE_SESSION.exec(callerArn);
    if (!session) return callerArn;
    const [, partition, account, role] = session;
    return `arn:${partition}:iam::${account}:role/${role}`;
}

/** The principal running this deployment, read from STS through the stack's AWS provider. */
export async function deployerPrincipalArn(provider: Aws.Provider): Promise<string> {
    const caller = await aws.getCallerIdentity({}, { provider });
    return principalArnOf(caller.arn);
}

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/** An IAM role ARN without its path (`arn:aws:iam::<account>:role/<name>`): what a session ARN can tell of its role. */
function withoutPath(arn: string): string {
    const role = ROLE_ARN.exec(arn);
    return role ? `arn:${role[1]}:iam::${role[2]}:role/${role[3]}` : arn;
}

/**
 * Every principal given cluster-admin: the stack's clusterAdmins, then the deployer unless it is one of
 * them. Roles compare without their paths, since the deployer's came from a session ARN that drops it: an
 * SSO role listed with its path (`role/aws-reserved/sso.amazonaws.com/…`) gets no second, pathless entry.
 */
export function clusterAdminPrincipals(clusterAdmins: readonly string[], deployer: string): string[] {
    return clusterAdmins.some((admin) => withoutPath(admin) === withoutPath(deployer)) ? [...clusterAdmins] : [...clusterAdmins, deployer];
}
