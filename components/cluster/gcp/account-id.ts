// Google service account ids of a cluster: GCP allows 30 characters, so a long
// cluster name is shortened with a hash of it. Free of the Pulumi SDK, so the
// config rules can check ids before anything runs.
import { createHash } from "node:crypto";

const ACCOUNT_ID_MAX = 30;

/**
 * The id of a cluster's Google service account for `role`: `<cluster>-<role>` when that fits GCP's 30
 * characters, else the cluster name cut short with a hash of it, so two clusters or two roles never
 * share an id and the id never ends in "-".
 */
export function googleAccountId(clusterName: string, role: string): string {
    const plain = `${clusterName}-${role}`;
    if (plain.length <= ACCOUNT_ID_MAX) return plain;
    const hash = createHash("sha256").update(clusterName).digest("hex").slice(0, 6);
    const prefix = clusterName.slice(0, ACCOUNT_ID_MAX - role.length - hash.length - 2).replace(/-+$/, "");
    return `${prefix}-${hash}-${role}`;
}
