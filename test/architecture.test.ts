// The layering the tree promises (docs/architecture.md), checked on the
// source: layers only import downwards and nothing imports in a cycle (file
// and function sizes are eslint's). A violation names the files to fix.
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { importSpecifiersOf, resolveRelativeImport, typeScriptModulesUnder } from "../engine/source-imports";

const ROOT = resolve(__dirname, "..");
const SOURCE_FOLDERS = ["core", "components", "policies", "engine", "cli", "registry", "test"];

const FILES = ["index.ts", ...SOURCE_FOLDERS.flatMap((folder) => typeScriptModulesUnder(ROOT, folder, { withMts: true }))].map((file) => join(ROOT, file));
const repoPath = (path: string) => relative(ROOT, path);

/** file → the repository files it imports, and file → the npm packages it imports. */
const IMPORTS = new Map<string, string[]>();
const PACKAGES = new Map<string, string[]>();
for (const file of FILES) {
    const specifiers = importSpecifiersOf(file);
    IMPORTS.set(
        file,
        specifiers.filter((specifier) => specifier.startsWith(".")).flatMap((specifier) => resolveRelativeImport(file, specifier) ?? []),
    );
    PACKAGES.set(
        file,
        specifiers.filter((specifier) => !specifier.startsWith(".")),
    );
}

const layerOf = (file: string) => (repoPath(file).includes("/") ? repoPath(file).split("/")[0]! : "index.ts");

/** Each import that crosses from `from` into one of `forbidden`, as `a.ts → b.ts`. */
function crossings(from: string, forbidden: readonly string[]): string[] {
    return FILES.filter((file) => layerOf(file) === from).flatMap((file) =>
        (IMPORTS.get(file) ?? []).filter((target) => forbidden.includes(layerOf(target))).map((target) => `${repoPath(file)} → ${repoPath(target)}`),
    );
}

/** Strongly connected components of more than one file (Tarjan), each as its sorted file list. */
function importCycles(): string[][] {
    let index = 0;
    const indices = new Map<string, number>();
    const lowlinks = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const connect = (file: string): void => {
        indices.set(file, index);
        lowlinks.set(file, index++);
        stack.push(file);
        onStack.add(file);
        for (const target of IMPORTS.get(file) ?? []) {
            if (!indices.has(target)) {
                connect(target);
                lowlinks.set(file, Math.min(lowlinks.get(file)!, lowlinks.get(target)!));
            } else if (onStack.has(target)) lowlinks.set(file, Math.min(lowlinks.get(file)!, indices.get(target)!));
        }
        if (lowlinks.get(file) !== indices.get(file)) return;
        const component: string[] = [];
        let member: string;
        do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(repoPath(member));
        } while (member !== file);
        if (component.length > 1) cycles.push(component.sort());
    };
    for (const file of FILES) if (!indices.has(file)) connect(file);
    return cycles;
}

describe("the source tree", () => {
    it("reads every source file and resolves its relative imports", () => {
        expect(FILES.length).toBeGreaterThan(200);
        const unresolved = FILES.flatMap((file) =>
            importSpecifiersOf(file)
                .filter((specifier) => specifier.startsWith(".") && !/\.(json|yaml|csv)$/.test(specifier) && !resolveRelativeImport(file, specifier))
                .map((specifier) => `${repoPath(file)}: ${specifier}`),
        );
        expect(unresolved).toEqual([]);
    });

    it("has no import cycle", () => {
        expect(importCycles()).toEqual([]);
    });

    it("keeps the Kubernetes-semantics core free of every layer above it and of npm packages", () => {
        expect(crossings("core", ["components", "policies", "engine", "cli", "registry", "test", "index.ts"])).toEqual([]);
        const packages = FILES.filter((file) => layerOf(file) === "core").flatMap((file) =>
            (PACKAGES.get(file) ?? []).filter((name) => !name.startsWith("node:")).map((name) => `${repoPath(file)} → ${name}`),
        );
        expect(packages).toEqual([]);
    });

    it("lets the policy pack import only itself and the core, so it is published on its own", () => {
        expect(crossings("policies", ["components", "engine", "cli", "registry", "test", "index.ts"])).toEqual([]);
    });

    it("keeps the Pulumi components below the engine, the CLI and the policy pack", () => {
        expect(crossings("components", ["engine", "cli", "policies", "test", "index.ts"])).toEqual([]);
        expect(crossings("registry", ["engine", "cli", "policies", "test"])).toEqual([]);
    });

    it("keeps the offline engine below the CLI", () => {
        expect(crossings("engine", ["cli", "test", "index.ts"])).toEqual([]);
    });
});
