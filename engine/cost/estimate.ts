// The plan's cost estimate: a line for every billed thing the plan creates,
// priced from components/cluster/machine-types.ts and prices.ts, with a line
// saying so where a quantity is usage the plan cannot know.
import type { NodePoolPlan } from "../../components/config/topology";
import { type CostEstimate, estimateOf } from "./lines";
import { networkLines, controlPlaneLines } from "./network";
import { nodeLines } from "./nodes";
import type { CostCloud, CostResource } from "./resources";
import { volumeLines } from "./volumes";

export type { CostEstimate, CostLine } from "./lines";

export function estimateCost(resources: readonly CostResource[], cloud: CostCloud, pools: readonly NodePoolPlan[]): CostEstimate {
    const nodes = pools.reduce((total, pool) => total + pool.desiredNodes, 0);
    return estimateOf([
        ...controlPlaneLines(resources),
        ...(cloud === "existing" ? [] : nodeLines(resources, cloud, pools)),
        ...networkLines(resources, cloud, nodes),
        ...volumeLines(resources, cloud),
    ]);
}
