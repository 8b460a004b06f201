// What some tests need that a checkout may lack: the shared upstream fixtures
// (KFSTACK_MANIFESTS_DIR) and system tools. Without them those tests skip with
// a visible message; with KFSTACK_REQUIRE_TOOLS=1, which .ci/run sets, they
// run and fail instead, saying what to install or set.
import { existsSync } from "node:fs";
import { commandExists } from "../engine/image-transfer/local-registry";

const REQUIRE_TOOLS = process.env.KFSTACK_REQUIRE_TOOLS === "1";
const CONFIGURED_FIXTURES = process.env.KFSTACK_MANIFESTS_DIR;
const FIXTURES = CONFIGURED_FIXTURES && existsSync(CONFIGURED_FIXTURES) ? CONFIGURED_FIXTURES : undefined;

/** Whether tests on the shared fixtures skip; says so, naming `what` is skipped. */
export function skipWithoutFixtures(what: string): boolean {
    const skip = !FIXTURES && !REQUIRE_TOOLS;
    if (skip) console.warn(`Skipping ${what}: KFSTACK_MANIFESTS_DIR is not set to the shared fixtures (set KFSTACK_REQUIRE_TOOLS=1 to fail instead).`);
    return skip;
}

/** The shared fixtures directory; a test that runs without it fails, saying what to set. */
export function fixturesDirectory(): string {
    if (FIXTURES) return FIXTURES;
    throw new Error(
        CONFIGURED_FIXTURES
            ? `KFSTACK_MANIFESTS_DIR=${CONFIGURED_FIXTURES} does not exist; point it at the shared fixtures (../shared/fixtures).`
            : "KFSTACK_MANIFESTS_DIR is required (KFSTACK_REQUIRE_TOOLS=1): point it at the shared fixtures (../shared/fixtures).",
    );
}

/** How to get each tool the tests run for real. */
const INSTALL: Record<string, string> = {
    skopeo: "apt-get install skopeo",
    "docker-registry": "apt-get install docker-registry",
    promtool: "apt-get install prometheus",
    amtool: "apt-get install prometheus-alertmanager",
    kubectl: "install kubectl 1.28 or newer",
    python3: "apt-get install python3",
};

export interface ToolsRequirement {
    /** The tools that are not on PATH. */
    missing: string[];
    /** Whether the tests that need them skip (they are missing and not required). */
    skip: boolean;
    /** Throws, naming the missing tools and how to install them; call first in a test that needs them. */
    assert(): void;
}

/** The tools `commands` as tests need them; says once, visibly, when `what` is skipped for want of them. */
export function toolsRequirement(commands: string[], what: string): ToolsRequirement {
    const missing = commands.filter((command) => !commandExists(command));
    const notOnPath = `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not on PATH`;
    const install = missing.map((command) => INSTALL[command] ?? `install ${command}`).join("; ");
    const skip = missing.length > 0 && !REQUIRE_TOOLS;
    if (skip) console.warn(`Skipping ${what}: ${notOnPath} (${install}; set KFSTACK_REQUIRE_TOOLS=1 to fail instead).`);
    return {
        missing,
        skip,
        assert: () => {
            if (missing.length > 0) throw new Error(`${notOnPath}, and KFSTACK_REQUIRE_TOOLS=1 requires them: ${install}.`);
        },
    };
}
