// Policies on tenancy, RBAC and networking.
import type { KfstackPolicy } from "../lib/policy";

export const TENANCY_POLICIES: readonly KfstackPolicy[] = [];
