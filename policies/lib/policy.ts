// The shape of a kfstack policy: a CrossGuard resource or stack policy plus
// the documentation every policy carries (its short id, how to fix a
// violation, and the failure mode or standard it exists for).
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

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

export function isStackPolicy(policy: KfstackPolicy): policy is KfstackStackPolicy {
    return "validateStack" in policy;
}
