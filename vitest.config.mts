import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// The rendered upstream manifests the tests plan with: KFSTACK_MANIFESTS_DIR,
// else the shared read-only fixtures next to this repository. Always set, even
// when they are missing (the tests that need them then skip or fail, saying so):
// unset, a plan would fall back to the user's default cache and pull from the internet.
const manifestsDir = process.env.KFSTACK_MANIFESTS_DIR || resolve(import.meta.dirname, "../shared/fixtures");

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        env: { KFSTACK_MANIFESTS_DIR: manifestsDir },
        // Makes the directory where the files share each stack's plan, planned once per run.
        globalSetup: ["test/global-setup.ts"],
        // A worker loads the Pulumi SDK, the cloud packages and the program once for all its files, not once per file:
        // importing them was over half of the run. Every test that runs the program sets its own mocks and config.
        isolate: false,
        // Plans of a whole stack take seconds.
        testTimeout: 120_000,
        hookTimeout: 120_000,
    },
});
