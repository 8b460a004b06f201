// The shape of a kfstack policy: a CrossGuard resource or stack policy plus
// the documentation every policy carries (its short id, how to fix a
// violation, and the failure mode or standard it exists for).
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export interface PolicyDocs {
    /** The short id used in docs and messages, e.g. "MEM-01". */
    id: string;
    remediation: string;
    /** The failure mode or standard the policy exists for. */
    reason: string;
}

export type KfstackResourcePolicy = ResourceValidationPolicy & PolicyDocs;
export type KfstackStackPolicy = StackValidationPolicy & PolicyDocs;
export type KfstackPolicy = KfstackResourcePolicy | KfstackStackPolicy;

/**
 * A policy as its module declares it: the CrossGuard name is derived from the id and a slug
 * (MEM-01 + "container-resources" = "mem-01-container-resources"), so the two cannot drift apart,
 * and the enforcement level is mandatory unless the policy says otherwise.
 */
type Declaration<P extends KfstackPolicy> = Omit<P, "name" | "enforcementLevel"> & { slug: string; enforcementLevel?: EnforcementLevel };

function policyName(id: string, slug: string): string {
    return `${id.toLowerCase()}-${slug}`;
}

export function resourcePolicy({ slug, enforcementLevel = "mandatory", ...policy }: Declaration<KfstackResourcePolicy>): KfstackResourcePolicy {
    return { ...policy, name: policyName(policy.id, slug), enforcementLevel };
}

export function stackPolicy({ slug, enforcementLevel = "mandatory", ...policy }: Declaration<KfstackStackPolicy>): KfstackStackPolicy {
    return { ...policy, name: policyName(policy.id, slug), enforcementLevel };
}

export function isStackPolicy(policy: KfstackPolicy): policy is KfstackStackPolicy {
    return "validateStack" in policy;
}
