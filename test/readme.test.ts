// README.md's generated sections stay in step with the schema and the machine table.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readmePath, regenerate } from "../cli/docs";

describe("README", () => {
    it("carries the configuration reference and machine table generated from the code (npm run docs regenerates them)", () => {
        const readme = readFileSync(readmePath(), "utf8");
        expect(regenerate(readme)).toBe(readme);
    });

    it("documents every key of the shipped stacks in the configuration reference", () => {
        const readme = readFileSync(readmePath(), "utf8");
        for (const key of ["kfstack:cluster.gpuPool.driver.amiReleaseVersion", "kfstack:privateEndpoint.allowedCidrs", "kfstack:existing.kubeconfig", "kfstack:gcp.project"]) {
            expect(readme).toContain(`| \`${key}\` |`);
        }
    });

    it("names the test command that CI runs", () => {
        expect(readFileSync(readmePath(), "utf8")).toContain("npm test");
        expect(readFileSync(readmePath().replace("README.md", ".ci/run"), "utf8")).toContain("\nnpm test\n");
    });
});
