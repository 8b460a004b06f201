// `kfstack check`: the policy pack from the command line, on stacks and on resource files.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/commands";
import { stackFixture } from "./helpers";
import { checkThroughCli, podCarriers } from "./policies/fixtures";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
    const error = vi.spyOn(console, "error").mockImplementation((text: string) => void err.push(text));
    try {
        return { code: await runCli(argv), out: out.join("\n"), err: err.join("\n") };
    } finally {
        log.mockRestore();
        error.mockRestore();
    }
}

function file(name: string, text: string): string {
    const path = join(mkdtempSync(join(tmpdir(), "kfstack-check-cli-")), name);
    writeFileSync(path, text);
    return path;
}

describe("kfstack check", () => {
    it.each(["dev", "prod"])("passes the shipped %s stack with no mandatory violation", async (stack) => {
        const result = await run("check", stack);
        expect(result.err).toBe("");
        expect(result.out).toMatch(new RegExp(`^Policy check of stack ${stack}: \\d+ resources, \\d+ policies; 0 mandatory and \\d+ advisory violations`));
        expect(result.code).toBe(0);
    });

    it("fails with exit 1 and lists the violation when a resource file breaks a mandatory policy", async () => {
        const [pod] = podCarriers();
        const bad = { ...pod!, props: { ...pod!.props, spec: { containers: [{ name: "app", image: "registry.example.com/team/app:1.4.2" }] } } };
        const result = await checkThroughCli([bad]);
        expect(result.code).toBe(1);
        expect(result.violations).toContainEqual({
            policy: "mem-01-container-resources",
            enforcement: "mandatory",
            resource: bad.urn,
            message:
                'Container "app" in Pod "team-a/pod" has no memory limit, memory request and cpu request; set resources.limits.memory, resources.requests.memory and resources.requests.cpu.',
        });
    });

    it("gives stack policies the platform facts of a stack file next to a resource file", async () => {
        const result = await run("check", "--resources", file("resources.json", "[]"), "--stack-config", stackFixture("gke-prod"), "--json");
        expect(result.err).toBe("");
        expect(JSON.parse(result.out)).toEqual({ violations: expect.any(Array) });
    });

    it.each([
        ["a missing file", () => ["--resources", "/nonexistent/resources.json"], "Cannot read resource file /nonexistent/resources.json: no such file."],
        ["a file that is not JSON", () => ["--resources", file("bad.json", "{not json")], /^resource file .*bad\.json is not valid JSON: /],
        [
            "records of the wrong shape",
            () => ["--resources", file("shape.json", JSON.stringify([{ type: "kubernetes:core/v1:Pod", props: {} }]))],
            /^resource file .*shape\.json is not in the expected shape:\n {2}0\.name: Invalid input: expected string, received undefined$/,
        ],
        [
            "a stack and a resource file at once",
            () => ["dev", "--resources", file("r.json", "[]")],
            "Name a stack (`check prod`) or a resource file (`check --resources <file.json>`), not both.",
        ],
    ])("exits 2 on %s, saying why", async (_case, argv, message) => {
        const result = await run("check", ...argv());
        expect(result.code).toBe(2);
        if (typeof message === "string") expect(result.err).toBe(message);
        else expect(result.err).toMatch(message);
    });
});
