// The program's first import (index.ts). The Pulumi CLI runs the program with
// the first `node` on PATH, whatever the project wants; on an older Node the
// program would fail somewhere deep inside, so it stops here first and says
// which Node it got and what to do.
import { RunError } from "@pulumi/pulumi/errors";

/** The oldest Node major kfstack runs on; package.json "engines" says the same (test/node-version.test.ts). */
export const MINIMUM_NODE_MAJOR = 22;

/** Throws a RunError (shown without a stack trace) when `version` is older than MINIMUM_NODE_MAJOR. */
export function requireNodeVersion(version: string, node: string): void {
    const major = Number(version.split(".")[0]);
    if (major >= MINIMUM_NODE_MAJOR) return;
    throw new RunError(
        `kfstack needs Node.js ${MINIMUM_NODE_MAJOR} or newer, but ${node} is Node.js ${version}: the Pulumi CLI runs the first \`node\` on PATH. ` +
            `Install Node.js ${MINIMUM_NODE_MAJOR} (for example \`nvm install ${MINIMUM_NODE_MAJOR}\`), put it first on PATH, run \`npm ci\` again, and rerun the command.`,
    );
}

requireNodeVersion(process.versions.node, process.execPath);
