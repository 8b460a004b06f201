// The plan cache the test files share must hand out exactly what planStack
// returns, markers included: otherwise every file reading it tests something else.
import { describe, expect, it } from "vitest";
import { planStack } from "../engine/plan";
import { Secret, Unknown } from "../engine/values";
import { decodePlanValue, encodePlanValue } from "./plan-codec";
import { listStacks } from "../engine/stack-file";
import { plannedStack, SHIPPED_STACKS } from "./planned-stacks";

/** How many Unknown and Secret markers a value holds. */
function markers(value: unknown, counts = { unknown: 0, secret: 0 }): { unknown: number; secret: number } {
    if (value instanceof Unknown) counts.unknown += 1;
    else if (value instanceof Secret) {
        counts.secret += 1;
        markers(value.value, counts);
    } else if (value !== null && typeof value === "object") Object.values(value).forEach((inner) => markers(inner, counts));
    return counts;
}

describe("plannedStack, the plan cache of a test run", () => {
    it("knows every stack the repository ships, so the tests that walk them all cover a new one", () => {
        expect([...SHIPPED_STACKS].sort()).toEqual(listStacks());
    });

    it("hands out a plan of the prod stack strictly equal to a fresh one, with its Unknown and Secret markers", async () => {
        const fresh = await planStack("prod");
        const cached = await plannedStack("prod");
        expect(cached).toStrictEqual(fresh);
        expect(markers(cached)).toEqual(markers(fresh));
        expect(markers(cached).unknown).toBeGreaterThan(0);
        expect(markers(cached).secret).toBeGreaterThan(0);
    });

    it("hands each call a copy of its own", async () => {
        const first = await plannedStack("prod");
        first.resources.length = 0;
        expect((await plannedStack("prod")).resources.length).toBeGreaterThan(0);
    });
});

describe("the plan codec", () => {
    it("restores the one Unknown, Secret instances, nested secrets and undefined members", () => {
        const value = {
            unknown: Unknown.instance,
            secret: new Secret({ password: new Secret("p"), at: [Unknown.instance] }),
            absent: undefined,
            list: [1, "a", null, true],
        };
        const decoded = decodePlanValue(encodePlanValue(value)) as typeof value;
        expect(decoded).toStrictEqual(value);
        expect(decoded.unknown).toBe(Unknown.instance);
        expect(decoded.secret).toBeInstanceOf(Secret);
        expect(Object.keys(decoded)).toEqual(["unknown", "secret", "absent", "list"]);
    });

    it.each([
        ["a Map", { resources: [{ inputs: new Map() }] }, "plan.resources[0].inputs: the plan cache cannot keep a Map."],
        ["NaN", { summary: { usd: Number.NaN } }, "plan.summary.usd: the plan cache cannot keep the number NaN."],
        ["-0", { summary: { usd: -0 } }, "plan.summary.usd: the plan cache cannot keep the number -0."],
        ["a function", { outputs: { run: () => 1 } }, "plan.outputs.run: the plan cache cannot keep a function."],
        [
            "an object shaped like its own markers",
            { outputs: { $planCodec: "unknown" } },
            "plan.outputs: a plain object with the key $planCodec would read back as a marker.",
        ],
    ])("refuses %s rather than hand back something else", (_what, value, message) => {
        expect(() => encodePlanValue(value)).toThrow(message);
    });
});
