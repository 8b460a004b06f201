// Google service accounts for Kubernetes ServiceAccounts through Workload
// Identity (the cluster's workload pool is <project>.svc.id.goog), never the
// nodes' account. The caller grants the account what it needs, on the
// narrowest resource it can.
import { gcp } from "../../packages";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceAccountRef } from "../service-account";

export interface WorkloadIdentity {
    /** `serviceAccount:<email>`, for IAM bindings. */
    readonly member: pulumi.Output<string>;
    /** The annotation the Kubernetes ServiceAccount must carry. */
    readonly annotations: Record<string, pulumi.Output<string>>;
}

/** A Google service account only `account` may act as. */
export function workloadIdentity(
    parent: pulumi.Resource,
    name: string,
    args: { project: string; accountId: string; account: ServiceAccountRef },
): WorkloadIdentity {
    const { namespace, name: serviceAccount } = args.account;
    const google = new gcp.serviceaccount.Account(
        name,
        { accountId: args.accountId, displayName: `Kubernetes ServiceAccount ${namespace}/${serviceAccount}` },
        { parent },
    );
    new gcp.serviceaccount.IAMMember(
        name,
        {
            serviceAccountId: google.name,
            role: "roles/iam.workloadIdentityUser",
            member: `serviceAccount:${args.project}.svc.id.goog[${namespace}/${serviceAccount}]`,
        },
        { parent },
    );
    return { member: pulumi.interpolate`serviceAccount:${google.email}`, annotations: { "iam.gke.io/gcp-service-account": google.email } };
}
