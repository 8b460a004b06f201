// The minimums of the two named topologies: validation of a stack file and
// the SIZE-01 policy hold stacks to the same numbers.

export interface TopologyMinimums {
    nodes: number;
    vcpu: number;
    memoryGiB: number;
    nvmeGB: number;
    gpuPool: boolean;
}

/** 950 GB and 1,900 GB are the instance-store sizes AWS sells as the "1 TB" and "2 TB" class. */
export const TOPOLOGY_MINIMUMS: Readonly<Record<"testing" | "production", TopologyMinimums>> = {
    testing: { nodes: 3, vcpu: 16, memoryGiB: 64, nvmeGB: 950, gpuPool: false },
    production: { nodes: 6, vcpu: 32, memoryGiB: 128, nvmeGB: 1900, gpuPool: true },
};
