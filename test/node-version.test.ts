// The Pulumi CLI runs the program with the first `node` on PATH. On a Node older
// than the project's, the program stops at its first import with one message
// naming the Node it got and what to do (components/node-version.ts).
import { plannableStackSettings } from "../engine/unset-secrets";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MINIMUM_NODE_MAJOR, requireNodeVersion } from "../components/node-version";
import { RunnerError, projectRuntime, runUnderRunner } from "../engine/runner";
import { importSpecifiersOf } from "../engine/source-imports";
import { projectDirectory } from "../engine/stack-file";

const message = (version: string, node: string) =>
    `kfstack needs Node.js 22 or newer, but ${node} is Node.js ${version}: the Pulumi CLI runs the first \`node\` on PATH. ` +
    "Install Node.js 22 (for example `nvm install 22`), put it first on PATH, run `npm ci` again, and rerun the command.";

describe("requireNodeVersion", () => {
    it("refuses Node 20, naming the version, the node binary and what to do", () => {
        expect(() => requireNodeVersion("20.20.2", "/usr/bin/node")).toThrow(message("20.20.2", "/usr/bin/node"));
    });

    it("accepts Node 22 and newer", () => {
        expect(() => requireNodeVersion("22.0.0", "/usr/bin/node")).not.toThrow();
        expect(() => requireNodeVersion("24.3.1", "/usr/bin/node")).not.toThrow();
    });

    it("asks for the Node major that package.json's engines names", () => {
        const engines = (JSON.parse(readFileSync(resolve(__dirname, "../package.json"), "utf8")) as { engines: { node: string } }).engines;
        expect(engines.node).toBe(`>=${MINIMUM_NODE_MAJOR}`);
    });

    it("is the first thing index.ts imports, so it runs before anything that might need a newer Node", () => {
        expect(importSpecifiersOf(resolve(__dirname, "../index.ts"))[0]).toBe("./components/node-version");
    });

    it("stops `pulumi preview` on Node 20 with the message alone, before the program registers anything", async () => {
        // A preload makes this Node report 20.11.1, as a Node 20 first on PATH would.
        const directory = mkdtempSync(join(tmpdir(), "kfstack-node-version-"));
        const preload = join(directory, "node-20.cjs");
        writeFileSync(preload, 'Object.defineProperty(process.versions, "node", { value: "20.11.1" });\n');
        try {
            const { options } = projectRuntime(projectDirectory());
            const run = runUnderRunner(plannableStackSettings("dev"), projectDirectory(), {
                options: { ...options, nodeargs: `--require ${preload} ${options.nodeargs ?? ""}` },
            });
            const error = await run.catch((failure: unknown) => failure);
            expect(error).toBeInstanceOf(RunnerError);
            expect((error as RunnerError).logs.filter((log) => log.severity === "error").map((log) => log.message)).toEqual([
                message("20.11.1", process.execPath),
            ]);
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });
});
