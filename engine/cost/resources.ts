// What the cost estimate reads of a plan: its resources by type token.
import type { PlannedResource } from "../offline";

export type CostResource = Pick<PlannedResource, "type" | "name" | "parent" | "inputs">;

export type CostCloud = "aws" | "gcp" | "existing";

export function ofType(resources: readonly CostResource[], type: string): CostResource[] {
    return resources.filter((resource) => resource.type === type);
}

/** "3 NAT gateways (kfstack-prod-net-nat-us-east-1a, …)": a count and the names behind it, for an item. */
export function counted(what: string, resources: readonly CostResource[]): string {
    return `${what} × ${resources.length} (${resources.map((resource) => resource.name).join(", ")})`;
}
