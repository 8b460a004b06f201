// The layering the tree promises (docs/architecture.md), checked on the
// source: layers only import downwards and nothing imports in a cycle (file
// and function sizes are eslint's). A violation names the files to fix.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..");
const SOURCE_FOLDERS = ["core", "components", "policies", "engine", "cli", "registry", "test"];

function sourceFiles(folder: string): string[] {
    return readdirSync(folder).flatMap((entry) => {
        if (entry === "node_modules") return [];
        const path = join(folder, entry);
        if (statSync(path).isDirectory()) return sourceFiles(path);
        return /\.m?ts$/.test(entry) ? [path] : [];
    });
}

const FILES = [join(ROOT, "index.ts"), ...SOURCE_FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)))];
const repoPath = (path: string) => relative(ROOT, path);

/** Every module specifier a file imports or re-exports (type-only imports too: they couple the files all the same). */
function specifiersOf(file: string): string[] {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
        if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
            found.push(node.moduleSpecifier.text);
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) {
            found.push(node.arguments[0].text);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

function resolveRelative(file: string, specifier: string): string | undefined {
    const base = resolve(dirname(file), specifier);
    return [`${base}.ts`, join(base, "index.ts"), base].find((candidate) => candidate.endsWith(".ts") && existsSync(candidate));
}

/** file → the repository files it imports, and file → the npm packages it imports. */
const IMPORTS = new Map<string, string[]>();
const PACKAGES = new Map<string, string[]>();
for (const file of FILES) {
    const specifiers = specifiersOf(file);
    IMPORTS.set(
        file,
        specifiers.filter((specifier) => specifier.startsWith(".")).flatMap((specifier) => resolveRelative(file, specifier) ?? []),
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
            specifiersOf(file)
                .filter((specifier) => specifier.startsWith(".") && !/\.(json|yaml|csv)$/.test(specifier) && !resolveRelative(file, specifier))
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
