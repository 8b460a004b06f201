// docs/ci.md and the workflow a team copies must name only what exists: each
// policy, each file, each npm script and kfstack command (with its options),
// and a pack config example the pack accepts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../cli/commands";
import { packConfigProblems } from "../engine/policy-config";
import { projectDirectory } from "../engine/stack-file";
import { ALL_POLICIES } from "../policies/all";

const ROOT = projectDirectory();
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const SOURCES = { "docs/ci.md": read("docs/ci.md"), ".github/workflows/preview.yml": read(".github/workflows/preview.yml") };
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

/** The kfstack command an `npm run <script> -- <words…>` reaches, or a reason it reaches none. */
function commandOf(script: string, words: string[]): Command | string {
    let command: Command | undefined = buildProgram().commands.find((candidate) => candidate.name() === script);
    if (!command) return `npm run ${script} is not a kfstack command`;
    for (const word of words.filter((part) => !part.startsWith("-"))) {
        const sub: Command | undefined = command.commands.find((candidate) => candidate.name() === word);
        if (!sub) break;
        command = sub;
    }
    return command;
}

describe.each(Object.entries(SOURCES))("%s", (file, text) => {
    it("names only policies of the pack", () => {
        const names = new Set(ALL_POLICIES.map((policy) => policy.name));
        const named = [...text.matchAll(/\b[a-z]{2,5}-\d{2}-[a-z0-9-]+[a-z0-9]/g)].map((match) => match[0]);
        expect(named.filter((name) => !names.has(name))).toEqual([]);
    });

    it("names only files and folders that exist", () => {
        const paths = [...text.matchAll(/(?:^|[\s`(])((?:\.github|docs|test|policies|engine|components|cli|core)\/[\w./-]*[\w/])/gm)].map((match) => match[1]!);
        expect(paths.length).toBeGreaterThan(0);
        expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
    });

    it("runs only npm scripts, kfstack commands and options that exist", () => {
        const runs = [...text.matchAll(/npm run ([\w-]+)(?: --(?! )| -- ([^`\n]*))?/g)].map((match) => ({
            script: match[1]!,
            words: (match[2] ?? "").split(/\s+/).filter(Boolean),
        }));
        expect(runs.length).toBeGreaterThan(0);
        const problems = runs.flatMap(({ script, words }) => {
            if (!scripts.includes(script)) return [`npm run ${script}: no such script`];
            if (["test", "typecheck", "lint", "format"].includes(script)) return [];
            const command = commandOf(script, words);
            if (typeof command === "string") return [command];
            const options = new Set(command.options.flatMap((option) => [option.long, option.short].filter(Boolean)));
            return words
                .filter((word) => word.startsWith("--") && !options.has(word.split("=")[0]))
                .map((word) => `npm run ${script} -- … ${word}: no such option`);
        });
        expect(problems).toEqual([]);
    });
});

describe("docs/ci.md's pack config example", () => {
    it("is accepted by every policy's config schema", () => {
        const examples = [...SOURCES["docs/ci.md"].matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as Record<string, unknown>);
        expect(examples).toHaveLength(1);
        expect(packConfigProblems(ALL_POLICIES, examples[0] as never)).toEqual([]);
    });
});
