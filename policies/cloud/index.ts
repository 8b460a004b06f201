// Policies on the cloud infrastructure: clusters, node pools, registries.
import type { KfstackPolicy } from "../lib/policy";

export const CLOUD_POLICIES: readonly KfstackPolicy[] = [];
