// README.md's generated sections stay in step with the schema and the machine table.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readmePath, regenerate } from "../cli/docs";
import { listStacks, projectDirectory } from "../engine/stack-file";
import { isRecord } from "../core/records";

/**
 * Every key a stack file sets, as the reference spells it (`kfstack:cluster.nodePool.vcpu`): nested
 * mappings included, but not the members of lists, the names in a free-form mapping (tags) or a secret's `secure`.
 */
function stackKeys(config: Record<string, unknown>, readme: string, prefix = ""): string[] {
    return Object.entries(config).flatMap(([name, value]) => {
        const key = `${prefix}${name}`;
        const freeForm = readme.includes(`| \`${key}\` | mapping of `);
        const nested = isRecord(value) && !("secure" in value) && !freeForm ? stackKeys(value, readme, `${key}.`) : [];
        return [key, ...nested];
    });
}

describe("README", () => {
    it("carries the configuration reference and machine table generated from the code (npm run docs regenerates them)", () => {
        const readme = readFileSync(readmePath(), "utf8");
        expect(regenerate(readme)).toBe(readme);
    });

    it("documents every key of the shipped stacks in the configuration reference", () => {
        const readme = readFileSync(readmePath(), "utf8");
        const keys = listStacks().flatMap((stack) => stackKeys(parse(readFileSync(join(projectDirectory(), `Pulumi.${stack}.yaml`), "utf8")).config, readme));
        expect(keys.length).toBeGreaterThan(100);
        expect([...new Set(keys)].filter((key) => !readme.includes(`| \`${key}\` |`))).toEqual([]);
    });

    it("starts with a quick start a fresh machine runs as it is: npm ci, npm run plan -- dev, npm test", () => {
        const readme = readFileSync(readmePath(), "utf8");
        const quickStart = /\n## Quick start[^\n]*\n([\s\S]*?)\n##/.exec(readme)![1]!;
        const commands = /```sh\n([\s\S]*?)```/.exec(quickStart)![1]!.split("\n").filter(Boolean);
        expect(commands.map((line) => line.replace(/\s+#.*$/, ""))).toEqual(["npm ci", "npm run plan -- dev", "npm test"]);
        // Nothing to set first: the shared fixtures are the repository's own tests' business, said once, where the tests are.
        expect(quickStart).not.toContain("KFSTACK_MANIFESTS_DIR");
        const testsAndCi = readme.slice(readme.indexOf("\n## Tests and CI"));
        expect(readme.split("../shared/fixtures").length - 1).toBe(1);
        expect(testsAndCi).toContain("KFSTACK_MANIFESTS_DIR=../shared/fixtures");
    });

    it("names the test command that CI runs", () => {
        expect(readFileSync(readmePath(), "utf8")).toContain("npm test");
        expect(readFileSync(readmePath().replace("README.md", ".ci/run"), "utf8")).toContain("\nnpm test\n");
    });
});
