// Reading the repository's own TypeScript sources as an import graph: which
// modules a folder holds, what each imports, and where a relative import
// lands. The policy-pack stage and the layering test read imports the same way.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";

/** The TypeScript modules (.ts, and .mts with `withMts`) under `folder` of `root`, relative to `root`; node_modules left out. */
export function typeScriptModulesUnder(root: string, folder: string, options: { withMts?: boolean } = {}): string[] {
    const wanted = options.withMts ? /\.m?ts$/ : /\.ts$/;
    return readdirSync(join(root, folder)).flatMap((entry) => {
        if (entry === "node_modules") return [];
        const path = join(folder, entry);
        if (statSync(join(root, path)).isDirectory()) return typeScriptModulesUnder(root, path, options);
        return wanted.test(entry) ? [path] : [];
    });
}

/** Every module specifier a file imports, re-exports or loads with import(), type-only imports included. */
export function importSpecifiersOf(file: string): string[] {
    return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((imported) => imported.fileName);
}

/**
 * The file a relative import resolves to, as ts-node's CommonJS resolution finds it (x.ts, x/index.ts, x itself) or, for
 * an `import("./x.js")` (ES resolution wants the extension), as TypeScript does: x.ts; undefined when none exists.
 */
export function resolveRelativeImport(file: string, specifier: string): string | undefined {
    const base = resolve(dirname(file), specifier);
    const candidates = [`${base}.ts`, join(base, "index.ts"), base, ...(base.endsWith(".js") ? [`${base.slice(0, -3)}.ts`] : [])];
    return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}
