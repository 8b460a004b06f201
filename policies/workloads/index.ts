// Policies on workloads: every pod-template carrier, containers and init containers.
import type { KfstackPolicy } from "../lib/policy";
import { gpuScheduling } from "./gpu-03-gpu-scheduling";
import { imageTags } from "./img-01-image-tags";
import { imageMirror } from "./img-02-image-mirror";
import { containerResources } from "./mem-01-container-resources";
import { memoryLimitRange } from "./mem-02-memory-limit-range";
import { privilegedWorkloads } from "./sec-01-privileged-workloads";
import { defaultCredentials } from "./sec-02-default-credentials";
import { systemNamespaces } from "./sec-03-system-namespaces";

export const WORKLOAD_POLICIES: readonly KfstackPolicy[] = [
    containerResources,
    memoryLimitRange,
    imageTags,
    imageMirror,
    gpuScheduling,
    privilegedWorkloads,
    defaultCredentials,
    systemNamespaces,
];
