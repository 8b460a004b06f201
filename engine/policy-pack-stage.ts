// Stages the CrossGuard pack in policies/ as a self-contained directory for
// `pulumi policy publish`, which `npm pack`s the directory it runs in: the
// pack imports core/ as ../core, which a pack of policies/ alone would not
// carry. The stage keeps the repository's layout (policies/ with core/ beside
// it, an index.ts entry above both), so every import stays as written.
// Imports only node and typescript: staging must not load the Pulumi program.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { importSpecifiersOf, resolveRelativeImport, typeScriptModulesUnder } from "./source-imports";

export class PackStageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PackStageError";
    }
}

/** The repository folders the pack is built from, copied as they are. */
const PACK_FOLDERS = ["policies", "core"] as const;
/** Everything a stage holds: the two folders and the files written at its top. */
const STAGED_ENTRIES = ["PulumiPolicy.yaml", "package.json", "tsconfig.json", "index.ts", ...PACK_FOLDERS] as const;
/** What `npm install` and a previous stage leave behind, kept when staging again. */
const KEPT_ENTRIES = ["node_modules", "package-lock.json"];

const ENTRY = `// Entry point of the published kfstack policy pack, written by \`npm run policies -- stage\`:
// the pack's modules are in policies/ with core/ beside them, as in the repository.
import "./policies/index";
`;

export interface StageResult {
    /** The stage directory, absolute. */
    out: string;
    /** The staged TypeScript modules, relative to the stage, e.g. policies/all.ts and core/quantity.ts. */
    modules: string[];
}

/** Repository root: this file is engine/policy-pack-stage.ts. */
const repositoryRoot = () => resolve(__dirname, "..");

const isInside = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

/** npm package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for a node built-in. */
function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]!)) return undefined;
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Why a module of the pack could not be published as it is, one line per import; empty when it can. */
function importProblems(root: string, module: string, dependencies: readonly string[]): string[] {
    const file = join(root, module);
    return importSpecifiersOf(file).flatMap((specifier) => {
        if (!specifier.startsWith(".")) {
            const name = packageOf(specifier);
            return name === undefined || dependencies.includes(name)
                ? []
                : [`${module} imports "${specifier}", which is not a dependency in policies/package.json: the published pack would not install it.`];
        }
        // Where the import points decides, whether or not the file is there: a stage carries only policies/ and core/.
        const resolved = resolveRelativeImport(file, specifier);
        const target = resolved ?? resolve(dirname(file), specifier);
        const carried = PACK_FOLDERS.some((folder) => isInside(target, join(root, folder)) && !target.includes(`${sep}node_modules${sep}`));
        if (!carried) {
            return [`${module} imports "${specifier}" (${relative(root, target)}), outside policies/ and core/: the published pack would not carry it.`];
        }
        return resolved ? [] : [`${module} imports "${specifier}", which resolves to no .ts module.`];
    });
}

function readJson(path: string): Record<string, unknown> {
    // tsconfig.json may hold comments, as tsc allows; package.json is plain JSON either way.
    const parsed = ts.parseConfigFileTextToJson(path, readFileSync(path, "utf8"));
    if (parsed.error) throw new PackStageError(`Cannot read ${path}: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, "\n")}`);
    return parsed.config as Record<string, unknown>;
}

const stringRecord = (value: unknown): Record<string, string> => (typeof value === "object" && value !== null ? (value as Record<string, string>) : {});

/**
 * policies/package.json for the stage, with index.ts as main. The pack declares its own typescript, so the
 * policy runtime compiles with it rather than the TypeScript 3.8 @pulumi/pulumi vendors.
 */
function stagedPackageJson(root: string): Record<string, unknown> {
    const pack = readJson(join(root, "policies", "package.json"));
    if (stringRecord(pack.dependencies).typescript === undefined) {
        throw new PackStageError("policies/package.json declares no typescript: the policy runtime would compile the pack with the TypeScript 3.8 it vendors.");
    }
    return { ...pack, main: "index.ts" };
}

/** policies/tsconfig.json for the stage: the same compiler options over the entry, policies/ and core/. */
function stagedTsconfig(root: string): Record<string, unknown> {
    const tsconfig = readJson(join(root, "policies", "tsconfig.json"));
    return { ...tsconfig, include: ["index.ts", ...PACK_FOLDERS.map((folder) => `${folder}/**/*.ts`)], exclude: ["node_modules"] };
}

/** Makes `out` ready to stage into: created if missing, the previous stage's own entries removed, anything else refused. */
function prepareOut(root: string, out: string): void {
    for (const folder of PACK_FOLDERS) {
        if (isInside(out, join(root, folder))) throw new PackStageError(`Cannot stage the policy pack into ${out}: it is inside ${folder}/, which is staged.`);
    }
    if (existsSync(out) && !statSync(out).isDirectory()) throw new PackStageError(`Cannot stage the policy pack into ${out}: it is a file.`);
    mkdirSync(out, { recursive: true });
    const foreign = readdirSync(out).filter((entry) => !(STAGED_ENTRIES as readonly string[]).includes(entry) && !KEPT_ENTRIES.includes(entry));
    if (foreign.length > 0) {
        throw new PackStageError(
            `Cannot stage the policy pack into ${out}: it holds ${foreign.join(", ")}, which would be published with the pack. Stage into a new or empty directory.`,
        );
    }
    for (const entry of STAGED_ENTRIES) rmSync(join(out, entry), { recursive: true, force: true });
}

/**
 * Writes a publishable copy of the policy pack to `out`: PulumiPolicy.yaml, package.json, tsconfig.json,
 * an index.ts entry, and policies/ and core/ as in the repository. Refuses, naming the module, when a
 * module of the pack imports a file outside policies/ and core/ or a package the pack does not depend on.
 */
export function stagePolicyPack(options: { out: string; root?: string }): StageResult {
    const root = options.root ?? repositoryRoot();
    const out = isAbsolute(options.out) ? options.out : resolve(options.out);
    const modules = PACK_FOLDERS.flatMap((folder) => typeScriptModulesUnder(root, folder));
    const packageJson = stagedPackageJson(root);
    const dependencies = Object.keys(stringRecord(packageJson.dependencies));
    const problems = modules.flatMap((module) => importProblems(root, module, dependencies));
    if (problems.length > 0) throw new PackStageError(`The policy pack cannot be staged on its own:\n  ${problems.join("\n  ")}`);

    prepareOut(root, out);
    for (const module of modules) {
        mkdirSync(dirname(join(out, module)), { recursive: true });
        cpSync(join(root, module), join(out, module));
    }
    cpSync(join(root, "policies", "PulumiPolicy.yaml"), join(out, "PulumiPolicy.yaml"));
    writeFileSync(join(out, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
    writeFileSync(join(out, "tsconfig.json"), `${JSON.stringify(stagedTsconfig(root), null, 2)}\n`);
    writeFileSync(join(out, "index.ts"), ENTRY);
    return { out, modules };
}
