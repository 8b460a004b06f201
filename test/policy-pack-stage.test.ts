// The policy pack as `pulumi policy publish` ships it: staged by
// `npm run policies -- stage`, it must stand on its own, with core/ inside,
// every import resolving within it, and every policy loading from it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PackStageError, stagePolicyPack } from "../engine/policy-pack-stage";
import { importSpecifiersOf, resolveRelativeImport, typeScriptModulesUnder } from "../engine/source-imports";
import { projectDirectory } from "../engine/stack-file";
import { ALL_POLICIES } from "../policies/all";

const ROOT = projectDirectory();
const scratch = () => mkdtempSync(join(tmpdir(), "kfstack-pack-stage-"));

function kfstack(...args: string[]) {
    return spawnSync(process.execPath, ["cli/run.mjs", ...args], { cwd: ROOT, encoding: "utf8" });
}

/** Files under a directory, relative to it, node_modules left out. */
function filesUnder(directory: string, folder = ""): string[] {
    return readdirSync(join(directory, folder)).flatMap((entry) => {
        if (entry === "node_modules") return [];
        const path = folder === "" ? entry : `${folder}/${entry}`;
        return statSync(join(directory, path)).isDirectory() ? filesUnder(directory, path) : [path];
    });
}

const modulesOf = (folder: string) => typeScriptModulesUnder(ROOT, folder);

/** Each relative import of a .ts file and the file it resolves to (undefined if none), as ts-node's CommonJS resolution finds it. */
function relativeImports(file: string): { specifier: string; target: string | undefined }[] {
    return importSpecifiersOf(file)
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => ({ specifier, target: resolveRelativeImport(file, specifier) }));
}

/** The repository modules a module loads, transitively (itself included), and the packages they import. */
function importClosure(entry: string): { modules: string[]; packages: string[] } {
    const modules = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
        if (modules.has(file)) return;
        modules.add(file);
        for (const specifier of importSpecifiersOf(file)) if (!specifier.startsWith(".")) packages.add(specifier);
        for (const { target } of relativeImports(file)) if (target) visit(target);
    };
    visit(entry);
    return { modules: [...modules].map((file) => relative(ROOT, file)).sort(), packages: [...packages].sort() };
}

describe("npm run policies -- stage", () => {
    let stage: string;

    beforeAll(() => {
        stage = join(scratch(), "pack");
        const run = kfstack("policies", "stage", "--out", stage);
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.stdout).toContain(`Staged the policy pack into ${stage}`);
        expect(run.stdout).toContain("npm install && pulumi policy publish");
        // What `npm install` in the stage would provide; the repository's packages, so the test needs no network.
        symlinkSync(join(ROOT, "node_modules"), join(stage, "node_modules"));
    });

    it("keeps the command's own modules off the Pulumi program and SDK: they import only node and typescript", () => {
        const { modules, packages } = importClosure(join(ROOT, "cli", "policies.ts"));
        expect(modules).toEqual(["cli/policies.ts", "engine/policy-pack-stage.ts", "engine/source-imports.ts"]);
        expect(packages.filter((name) => !name.startsWith("node:"))).toEqual(["typescript"]);
    });

    it("holds the pack's metadata, an entry, policies/ and core/ as in the repository, and nothing else", () => {
        const modules = [...modulesOf("policies"), ...modulesOf("core")];
        expect(modules.filter((module) => module.startsWith("core/")).length).toBeGreaterThan(10);
        expect(filesUnder(stage).sort()).toEqual(["PulumiPolicy.yaml", "index.ts", "package.json", "tsconfig.json", ...modules].sort());
        for (const module of modules) expect(readFileSync(join(stage, module), "utf8"), module).toBe(readFileSync(join(ROOT, module), "utf8"));
        expect(readFileSync(join(stage, "PulumiPolicy.yaml"), "utf8")).toBe(readFileSync(join(ROOT, "policies", "PulumiPolicy.yaml"), "utf8"));
        expect(readFileSync(join(stage, "index.ts"), "utf8")).toContain('import "./policies/index";');
    });

    it("declares the pack's own dependencies, typescript included, with index.ts as main", () => {
        const staged = JSON.parse(readFileSync(join(stage, "package.json"), "utf8"));
        const pack = JSON.parse(readFileSync(join(ROOT, "policies", "package.json"), "utf8"));
        const repository = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
        expect(staged).toMatchObject({ name: pack.name, version: pack.version, main: "index.ts" });
        expect(staged.dependencies).toEqual(pack.dependencies);
        // The pack compiles with the TypeScript the repository type-checks (and deploys) it with.
        expect(pack.dependencies.typescript).toBe(repository.dependencies.typescript);
    });

    it("compiles the entry, policies/ and core/ with the pack's compiler options", () => {
        const staged = JSON.parse(readFileSync(join(stage, "tsconfig.json"), "utf8"));
        const pack = JSON.parse(readFileSync(join(ROOT, "policies", "tsconfig.json"), "utf8"));
        expect(staged.compilerOptions).toEqual(pack.compilerOptions);
        expect(staged.include).toEqual(["index.ts", "policies/**/*.ts", "core/**/*.ts"]);
    });

    it("resolves every relative import of every staged module inside the stage", () => {
        const modules = filesUnder(stage).filter((file) => file.endsWith(".ts"));
        const imports = modules.flatMap((module) => relativeImports(join(stage, module)).map((found) => ({ module, ...found })));
        expect(imports.some(({ module, specifier }) => module.startsWith("policies/") && specifier.includes("/core/"))).toBe(true);
        const escaping = imports
            .filter(({ target }) => target === undefined || !target.startsWith(stage + sep))
            .map(({ module, specifier, target }) => `${module}: ${specifier} → ${target ?? "nothing"}`);
        expect(escaping).toEqual([]);
    });

    it("is packed by npm pack with core/, exactly as staged", () => {
        const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: stage, encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        const [packed] = JSON.parse(run.stdout) as { files: { path: string }[] }[];
        const paths = packed!.files.map((file) => file.path).sort();
        expect(paths).toContain("core/quantity.ts");
        expect(paths).toContain("core/rbac/authorize.ts");
        expect(paths).toEqual(filesUnder(stage).sort());
    });

    it("type-checks on its own with the repository's typescript", () => {
        const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", stage], { encoding: "utf8" });
        expect(run.stdout + run.stderr).toBe("");
        expect(run.status).toBe(0);
    });

    it("loads every policy from the staged modules", async () => {
        const staged = (await import(join(stage, "policies", "all.ts"))) as { ALL_POLICIES: typeof ALL_POLICIES };
        expect(staged.ALL_POLICIES).not.toBe(ALL_POLICIES);
        expect(staged.ALL_POLICIES.map((policy) => policy.id)).toEqual(ALL_POLICIES.map((policy) => policy.id));
        expect(staged.ALL_POLICIES.map((policy) => policy.name)).toEqual(ALL_POLICIES.map((policy) => policy.name));
    });

    describe("run by Pulumi's policy runtime as `pulumi policy publish` runs it", () => {
        let analyzer: ChildProcess | undefined;
        afterAll(() => {
            analyzer?.kill();
        });

        it("serves every policy of the pack", async () => {
            // @pulumi/pulumi's own runner: ts-node with type checking, from the stage as its working directory.
            analyzer = spawn(process.execPath, [join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"), "127.0.0.1:1", "."], {
                cwd: stage,
                stdio: ["ignore", "pipe", "pipe"],
            });
            const port = await servedPort(analyzer);
            const served = await analyzerInfo(port);
            expect(served.name).toBe("kfstack");
            expect(served.policies).toEqual(ALL_POLICIES.map((policy) => policy.name));
        });
    });
});

/** The port the policy runtime prints once the pack has loaded and its analyzer is listening. */
function servedPort(child: ChildProcess): Promise<number> {
    return new Promise((resolvePort, reject) => {
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const port = /^(\d+)\s*$/m.exec(stdout)?.[1];
            if (port) resolvePort(Number(port));
        });
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => reject(new Error(`the policy runtime exited (${code}) before serving the pack:\n${stdout}${stderr}`)));
    });
}

interface AnalyzerClient {
    getAnalyzerInfo(request: unknown, callback: (error: Error | null, info: { getName(): string; getPoliciesList(): { getName(): string }[] }) => void): void;
    close(): void;
}

/** GetAnalyzerInfo, the call `pulumi policy publish` makes to learn the pack's name and policies. */
function analyzerInfo(port: number): Promise<{ name: string; policies: string[] }> {
    // The gRPC client and protocol of the @pulumi/pulumi the pack runs with.
    const sdk = createRequire(join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"));
    const grpc = sdk("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
    const { AnalyzerClient } = sdk("./proto/analyzer_grpc_pb") as { AnalyzerClient: new (address: string, credentials: unknown) => AnalyzerClient };
    const { Empty } = sdk("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new Promise((resolveInfo, reject) =>
        client.getAnalyzerInfo(new Empty(), (error, info) => {
            client.close();
            if (error) reject(error);
            else resolveInfo({ name: info.getName(), policies: info.getPoliciesList().map((policy) => policy.getName()) });
        }),
    );
}

describe("staging a pack that would not stand on its own", () => {
    /** A repository with the real pack and core, and whatever a test adds to it. */
    function repositoryCopy(): string {
        const root = scratch();
        for (const entry of ["policies", "core", "package.json"]) {
            cpSync(join(ROOT, entry), join(root, entry), { recursive: true, filter: (source) => !source.includes(`${sep}node_modules`) });
        }
        return root;
    }

    it("refuses a pack module that imports outside policies/ and core/, naming the module", () => {
        const root = repositoryCopy();
        appendFileSync(join(root, "policies", "workloads", "index.ts"), 'export { planStack } from "../../engine/plan";\n');
        const out = join(scratch(), "pack");
        expect(() => stagePolicyPack({ out, root })).toThrow(PackStageError);
        expect(() => stagePolicyPack({ out, root })).toThrow(
            'policies/workloads/index.ts imports "../../engine/plan" (engine/plan), outside policies/ and core/: the published pack would not carry it.',
        );
        expect(existsSync(out)).toBe(false);
    });

    it("refuses a core module that imports a package the pack does not depend on", () => {
        const root = repositoryCopy();
        appendFileSync(join(root, "core", "quantity.ts"), 'import { z } from "zod";\nexport const Quantity = z.string();\n');
        expect(() => stagePolicyPack({ out: join(scratch(), "pack"), root })).toThrow(
            'core/quantity.ts imports "zod", which is not a dependency in policies/package.json: the published pack would not install it.',
        );
    });

    it("refuses a pack that does not declare typescript, which the policy runtime would replace with its vendored TypeScript 3.8", () => {
        const root = repositoryCopy();
        const packageJson = JSON.parse(readFileSync(join(root, "policies", "package.json"), "utf8"));
        delete packageJson.dependencies.typescript;
        writeFileSync(join(root, "policies", "package.json"), JSON.stringify(packageJson));
        expect(() => stagePolicyPack({ out: join(scratch(), "pack"), root })).toThrow(
            "policies/package.json declares no typescript: the policy runtime would compile the pack with the TypeScript 3.8 it vendors.",
        );
    });

    it("refuses a directory holding anything but a previous stage, and restages one keeping its node_modules", () => {
        const out = scratch();
        writeFileSync(join(out, "notes.txt"), "");
        expect(() => stagePolicyPack({ out })).toThrow(`it holds notes.txt, which would be published with the pack`);

        const previous = join(scratch(), "pack");
        stagePolicyPack({ out: previous });
        mkdirSync(join(previous, "node_modules"));
        writeFileSync(join(previous, "core", "stale.ts"), "export {};\n");
        stagePolicyPack({ out: previous });
        expect(existsSync(join(previous, "node_modules"))).toBe(true);
        expect(existsSync(join(previous, "core", "stale.ts"))).toBe(false);
    });

    it("exits 1 from the CLI with the reason, without a stack trace", () => {
        const run = kfstack("policies", "stage", "--out", join(ROOT, "policies", "out"));
        expect(run.status).toBe(1);
        expect(run.stderr.trim()).toBe(`Cannot stage the policy pack into ${join(ROOT, "policies", "out")}: it is inside policies/, which is staged.`);
        expect(existsSync(join(ROOT, "policies", "out"))).toBe(false);
    });
});
