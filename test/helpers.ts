// Shared helpers for tests that inspect offline plans.
import { join } from "node:path";
import { expect } from "vitest";
import type { Plan } from "../engine/plan";

export type PlannedResource = Plan["resources"][number];

export const stackFixture = (name: string) => join(__dirname, "stacks", `${name}.yaml`);

export function resourcesOfType(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter((resource) => resource.type === type);
}

/** The one resource of `type` named `name`; fails the test if there is not exactly one. */
export function resource(plan: Plan, type: string, name: string): PlannedResource {
    const matches = plan.resources.filter((candidate) => candidate.type === type && candidate.name === name);
    expect(
        matches.map((match) => match.urn),
        `${type} ${name}`,
    ).toHaveLength(1);
    return matches[0]!;
}

export function urnsOf(resources: PlannedResource[]): string[] {
    return resources.map((candidate) => candidate.urn).sort();
}

/** Every string anywhere in the planned inputs (of a plan or an offline run). */
export function allInputStrings(plan: { resources: { inputs: unknown }[] }): string[] {
    const strings: string[] = [];
    const walk = (value: unknown): void => {
        if (typeof value === "string") strings.push(value);
        else if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === "object") Object.values(value).forEach(walk);
    };
    plan.resources.forEach((candidate) => walk(candidate.inputs));
    return strings;
}
