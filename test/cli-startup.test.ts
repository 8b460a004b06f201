// Which modules each command loads, in a real CLI process: `--help`, `--version` and argument errors load no
// command's code, and the commands that only run skopeo or git (manifests, mirror, images lock, policies stage)
// never load the Pulumi SDK, the cloud packages or the policy pack. A stray import would bring back seconds of start-up.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_INVALID, EXIT_UNREADABLE, USER_ERRORS, UnreadableInputError } from "../cli/errors";
import { BomError } from "../components/bom/load";
import { RendererError } from "../components/bom/kustomize";
import { PullError } from "../components/bom/pull";
import { ConfigError } from "../components/config/load";
import { CustomizeError } from "../components/manifests/customize";
import { ManifestsError } from "../components/manifests/read";
import { MirrorError, MirrorInputError } from "../engine/image-transfer/errors";
import { SkopeoCommandError } from "../engine/image-transfer/skopeo";
import { PolicyConfigError } from "../engine/policy-config";
import { PackStageError } from "../engine/policy-pack-stage";
import { projectDirectory, StackFileError } from "../engine/stack-file";
import { UpgradeInputError } from "../engine/upgrade/preview";

const ROOT = projectDirectory();
const scratch = mkdtempSync(join(tmpdir(), "kfstack-startup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI as `npm run` does and returns its exit code and the project-relative paths of the modules it loaded. */
function run(args: string[]): { status: number | null; stderr: string; modules: string[] } {
    const record = join(scratch, `loaded-${args.join("-").replace(/\W+/g, "_")}.json`);
    const child = spawnSync(process.execPath, ["--import", join(ROOT, "test/loaded-modules.mjs"), "cli/run.mjs", ...args], {
        cwd: ROOT,
        env: { ...process.env, KFSTACK_LOADED_MODULES: record },
        encoding: "utf8",
        timeout: 60_000,
    });
    const loaded = JSON.parse(readFileSync(record, "utf8")) as string[];
    return { status: child.status, stderr: child.stderr, modules: loaded.map((file) => relative(ROOT, file)) };
}

const project = (modules: string[]) => modules.filter((file) => !file.startsWith("node_modules/") && !file.startsWith(".."));
const pulumi = (modules: string[]) => modules.filter((file) => file.includes("node_modules/@pulumi/"));
const DEFINITIONS = ["cli/commands.ts", "cli/errors.ts", "cli/main.ts", "cli/run.mjs"];

describe("help, version and argument errors", () => {
    it.each([
        ["--help"],
        ["--version"],
        ["plan", "--help"],
        ["check", "--help"],
        ["upgrade", "--help"],
        ["manifests", "--help"],
        ["mirror", "bundle", "--help"],
        ["mirror", "verify", "--help"],
        ["images", "lock", "--help"],
    ])("%s %s %s loads only the command definitions", (...args) => {
        const { status, modules } = run(args);
        expect(status).toBe(0);
        expect(project(modules).sort()).toEqual(DEFINITIONS);
        expect(pulumi(modules)).toEqual([]);
    });

    it("answers a missing argument without loading the command", () => {
        const { status, stderr, modules } = run(["plan"]);
        expect(status).toBe(1);
        expect(stderr).toContain("missing required argument 'stack'");
        expect(project(modules).sort()).toEqual(DEFINITIONS);
    });

    it("answers an upgrade without a target release without loading the command", () => {
        const { status, stderr, modules } = run(["upgrade", "prod"]);
        expect(status).toBe(1);
        expect(stderr).toContain("error: required option '--to <release>' not specified");
        expect(project(modules).sort()).toEqual(DEFINITIONS);
    });
});

describe("commands that only run skopeo or git", () => {
    const badJson = join(scratch, "bad.json");
    writeFileSync(badJson, "{");
    it.each([
        {
            args: ["manifests", "pull", "no-such-release"],
            command: "cli/manifests.ts",
            status: EXIT_UNREADABLE,
            stderr: 'no bill of materials "no-such-release"',
        },
        { args: ["mirror", "bundle", "--lock", badJson, "--out", join(scratch, "bundle")], command: "cli/mirror.ts", status: EXIT_UNREADABLE, stderr: badJson },
        {
            args: ["mirror", "push", "--bundle", scratch, "--registry", "localhost:1"],
            command: "cli/mirror.ts",
            status: EXIT_UNREADABLE,
            stderr: "not a kfstack bundle",
        },
        {
            // Reads the stack's release from its settings (and finds no committed lock for it here).
            args: ["mirror", "bundle", "--stack", "dev", "--out", join(scratch, "bundle")],
            command: "cli/mirror.ts",
            status: EXIT_UNREADABLE,
            stderr: 'which stack "dev" installs',
        },
        { args: ["images", "lock", "kubeflow-1.8.1", "--images", badJson], command: "cli/mirror.ts", status: EXIT_UNREADABLE, stderr: "is not valid JSON" },
        { args: ["policies", "stage", "--out", join(scratch, "pack")], command: "cli/policies.ts", status: 0, stderr: "" },
    ])("$args.0 $args.1 loads no Pulumi package and no policy", ({ args, command, status, stderr }) => {
        const result = run(args);
        expect(result.stderr).toContain(stderr);
        expect(result.status).toBe(status);
        const { modules } = result;
        expect(project(modules)).toContain(command);
        expect(pulumi(modules)).toEqual([]);
        expect(project(modules).filter((file) => file.startsWith("policies/"))).toEqual([]);
    });
});

describe("a command that runs the program", () => {
    it("loads the Pulumi SDK (the recording sees what a command loads)", () => {
        const { status, stderr, modules } = run(["images", "no-such-stack"]);
        expect(stderr).toContain("no-such-stack");
        expect(status).toBe(EXIT_UNREADABLE);
        expect(pulumi(modules).filter((file) => file.endsWith("node_modules/@pulumi/pulumi/index.js"))).toHaveLength(1);
    });
});

describe("cli/run.mjs", () => {
    const runIn = (cache: string, args: string[]) =>
        spawn(process.execPath, ["cli/run.mjs", ...args], { cwd: ROOT, env: { ...process.env, KFSTACK_CACHE_DIR: cache } });
    const finished = (child: ReturnType<typeof runIn>) =>
        new Promise<{ status: number | null; stdout: string }>((done) => {
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
            child.on("close", (status) => done({ status, stdout }));
        });

    it("transpiles into an empty cache with commands running side by side, then reuses it without writing anything", async () => {
        const cache = join(scratch, "run-cache");
        const first = await Promise.all([1, 2, 3].map(() => finished(runIn(cache, ["--help"]))));
        expect(first.map((result) => result.status)).toEqual([0, 0, 0]);
        expect(new Set(first.map((result) => result.stdout)).size).toBe(1);
        const transpiled = readdirSync(join(cache, "js")).sort();
        // One file per module the command loaded (main, commands, errors), none half-written.
        expect(transpiled).toHaveLength(DEFINITIONS.length - 1);
        expect(transpiled.every((file) => /^[0-9a-f]{64}\.js$/.test(file))).toBe(true);
        const again = await finished(runIn(cache, ["--help"]));
        expect(again).toEqual(first[0]);
        expect(readdirSync(join(cache, "js")).sort()).toEqual(transpiled);
    });
});

describe("a stack's plan", () => {
    // Each cloud's SDK is hundreds of modules; a stack on another cloud, or an existing cluster, never needs them.
    const cloudPackages = (modules: string[]) =>
        [
            ...new Set(
                pulumi(modules)
                    .map((file) => /node_modules\/@pulumi\/(aws|gcp)\//.exec(file)?.[1])
                    .filter((name) => name !== undefined),
            ),
        ].sort();
    it.each([
        ["dev", ["aws"]],
        ["gke-dev", ["gcp"]],
        ["onprem", []],
    ])("of %s loads the cloud packages %j", (stack, packages) => {
        const { status, stderr, modules } = run(["plan", stack, "--quiet"]);
        expect(stderr).toBe("");
        expect(status).toBe(0);
        expect(cloudPackages(modules)).toEqual(packages);
    });
});

describe("the exit code of each user error", () => {
    // The CLI matches errors by name so that reporting one loads nothing: each name must be its class's.
    const errors = [
        [new ConfigError([], "Pulumi.x.yaml"), EXIT_INVALID],
        [new CustomizeError("x"), EXIT_INVALID],
        [new PullError("x"), EXIT_INVALID],
        [new RendererError("x"), EXIT_INVALID],
        [new MirrorError("x"), EXIT_INVALID],
        [new SkopeoCommandError(["copy"], "x"), EXIT_INVALID],
        [new PackStageError("x"), EXIT_INVALID],
        [new StackFileError("x"), EXIT_UNREADABLE],
        [new BomError("x"), EXIT_UNREADABLE],
        [new ManifestsError("x"), EXIT_UNREADABLE],
        [new UnreadableInputError("x"), EXIT_UNREADABLE],
        [new PolicyConfigError("x"), EXIT_UNREADABLE],
        [new MirrorInputError("x"), EXIT_UNREADABLE],
        [new UpgradeInputError("x"), EXIT_UNREADABLE],
    ] as const;
    it.each(errors)("%s", (error, code) => {
        expect(USER_ERRORS[error.name]).toBe(code);
    });

    it("knows no other name", () => {
        expect(Object.keys(USER_ERRORS).sort()).toEqual(errors.map(([error]) => error.name).sort());
    });
});
