import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Each file loads the Pulumi SDK and cloud packages once; plans of a whole stack take about a second.
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
