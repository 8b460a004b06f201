// A GPU over-commit is a decision the stack states: with its acknowledgement
// the plan goes ahead and records it, with the reason, for reviewers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { planStack } from "../engine/plan";

describe("an acknowledged GPU over-commit", () => {
    it("plans, and records the over-commit and its reason as a plan warning", async () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-gpu-overcommit-"));
        try {
            const document = parseDocument(readFileSync("Pulumi.prod.yaml", "utf8"));
            document.setIn(["config", "kfstack:tenants", 1, "quotas", "gpus"], 24);
            document.setIn(
                ["config", "kfstack:tenancy"],
                document.createNode({ acknowledgeGpuOvercommit: { reason: "The vision and NLP teams train in different quarters." } }),
            );
            const configFile = join(directory, "Pulumi.prod.yaml");
            writeFileSync(configFile, document.toString());
            const plan = await planStack("prod", { configFile });
            expect(plan.summary.warnings.filter((warning) => warning.startsWith("GPU"))).toEqual([
                "GPU quotas over-commit the pool: the tenants' GPU quotas add up to 40 (vision 16, nlp 24), but the GPU pool holds at most 32 (cluster.gpuPool.maxNodes 4 × 8 a100-40gb of p4d.24xlarge); acknowledged: The vision and NLP teams train in different quarters.",
            ]);
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });
});
