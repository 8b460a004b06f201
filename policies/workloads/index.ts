// Policies on workloads: every pod-template carrier, containers and init containers.
import type { KfstackPolicy } from "../lib/policy";
import { containerResources } from "./mem-01-container-resources";

export const WORKLOAD_POLICIES: readonly KfstackPolicy[] = [containerResources];
