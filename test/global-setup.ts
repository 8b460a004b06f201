// Once per `npm test` run: a fresh directory for the plans the test files share
// (test/planned-stacks.ts), emptied when watch mode reruns after a change.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
    export interface ProvidedContext {
        plannedStacks: string;
    }
}

export default function setup(project: TestProject): () => void {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-planned-stacks-"));
    project.provide("plannedStacks", directory);
    project.onTestsRerun(() => {
        rmSync(directory, { recursive: true, force: true });
        mkdirSync(directory);
    });
    return () => rmSync(directory, { recursive: true, force: true });
}
