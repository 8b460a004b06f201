// Every policy of the kfstack pack, grouped as the README documents them.
import { CLOUD_POLICIES } from "./cloud";
import type { KfstackPolicy } from "./lib/policy";
import { TENANCY_POLICIES } from "./tenancy";
import { VERSION_POLICIES } from "./versions";
import { WORKLOAD_POLICIES } from "./workloads";

export const ALL_POLICIES: readonly KfstackPolicy[] = [...WORKLOAD_POLICIES, ...VERSION_POLICIES, ...TENANCY_POLICIES, ...CLOUD_POLICIES];
