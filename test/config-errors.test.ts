// Invalid stack configurations must be refused before anything is created:
// one ConfigError that names each bad key in full (kfstack:...), and no
// resource registered besides the root stack. Each row starts from a valid
// stack (a shipped Pulumi.<stack>.yaml) and makes one change.
import { plannableStackSettings } from "../engine/unset-secrets";
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigIssue, rawStackConfig } from "../components/config/load";
import { platformProgram } from "../components/platform";
import { STACK_TYPE, type PlannedResource, runOffline } from "../engine/offline";
import { type RawConfig, build, jsonParseError, rejection, set, toWire } from "./config-cases";
import { type BaseStack, CLUSTER_CASES, type StackCase } from "./config-errors/cluster-cases";
import { DATA_PLANE_CASES } from "./config-errors/data-plane-cases";
import { AIR_GAP_CASES } from "./config-errors/air-gap-cases";
import { GATEWAY_CASES } from "./config-errors/gateway-cases";
import { EXISTING_CASES } from "./config-errors/existing-cases";
import { PLATFORM_CASES } from "./config-errors/platform-cases";
import { TENANT_CASES } from "./config-errors/tenant-cases";

/** A shipped stack's settings, as raw values: every row starts from one of them. */
function shipped(stack: string): RawConfig {
    return rawStackConfig(plannableStackSettings(stack).config).raw;
}

const BASES: Record<BaseStack, RawConfig> = {
    "aws dev": shipped("dev"),
    "aws prod": shipped("prod"),
    "gcp dev": shipped("gke-dev"),
    onprem: shipped("onprem"),
};

/** The keys Pulumi marks secret once a stack's secrets are set with --secret (the bases' placeholders stand in for them). */
const SECRET_KEYS = ["kfstack:identity", "kfstack:monitoring"];

/** Runs the kfstack program offline on `raw` and returns the ConfigError it must fail with. */
function rejectionOf(raw: RawConfig) {
    return rejection(runOffline(platformProgram(), { project: "kfstack", stack: "bad", config: toWire("kfstack", raw), secretKeys: SECRET_KEYS }));
}

function resourceTypes(resources: PlannedResource[]): string[] {
    return resources.map((resource) => resource.type);
}

const CASES: StackCase[] = [...CLUSTER_CASES, ...EXISTING_CASES, ...PLATFORM_CASES, ...GATEWAY_CASES, ...TENANT_CASES, ...DATA_PLANE_CASES, ...AIR_GAP_CASES];

describe("stack configuration validation", () => {
    it.each(Object.entries(BASES))("accepts the unchanged %s stack the cases start from", async (_name, base) => {
        const run = await runOffline(platformProgram(), { project: "kfstack", stack: "good", config: toWire("kfstack", base), secretKeys: SECRET_KEYS });
        expect(resourceTypes(run.resources)).toContain(STACK_TYPE);
        expect(run.resources.length).toBeGreaterThan(1);
    });

    it.each(CASES)("$name", async ({ base, change, key, message }) => {
        const { error, resources } = await rejectionOf(build(BASES[base], change));
        expect(error.issues).toContainEqual<ConfigIssue>({ key, message });
        expect(resourceTypes(resources)).toEqual([STACK_TYPE]);
    });

    it("lists every problem of a stack in one error and creates nothing", async () => {
        const { error, resources } = await rejectionOf(
            build(
                BASES["aws prod"],
                set("nodeCount", 6),
                set("zones", ["us-east-1a", "us-east-1a", "us-east-1b"]),
                set("cluster.gpuPool.driver.version", "530.30.02"),
            ),
        );
        expect(error.issues.map((issue) => issue.key).sort()).toEqual(["kfstack:cluster.gpuPool.driver.version", "kfstack:nodeCount", "kfstack:zones[1]"]);
        expect(error.message.split("\n")[0]).toBe("Invalid kfstack configuration: 3 problems; nothing was created.");
        expect(error.message).toBe(
            [
                "Invalid kfstack configuration: 3 problems; nothing was created.",
                "  kfstack:nodeCount: is not a kfstack setting; check its spelling and place in the configuration reference",
                "  kfstack:zones[1]: us-east-1a is listed twice; list each zone once",
                "  kfstack:cluster.gpuPool.driver.version: 530.30.02 is too old for CUDA 12.2, which needs driver >= 535.54.03",
                "Fix these keys in Pulumi.bad.yaml; README.md has the configuration reference.",
            ].join("\n"),
        );
        expect(resourceTypes(resources)).toEqual([STACK_TYPE]);
    });

    it("reports structured config that is not valid JSON under its full key", () => {
        const { raw, issues } = rawStackConfig({ "kfstack:cloud": "aws", "kfstack:cluster": "{not json", "aws:region": "us-west-2" });
        expect(raw).toEqual({ cloud: "aws" });
        expect(issues).toEqual<ConfigIssue[]>([{ key: "kfstack:cluster", message: `is not valid structured config (${jsonParseError("{not json")})` }]);
    });
});

describe("a ConfigError under Pulumi's runner", () => {
    it("is a RunError to the SDK, which then prints its message without a stack trace", () => {
        expect(pulumi.RunError.isInstance(new ConfigError([{ key: "kfstack:cloud", message: "is required" }]))).toBe(true);
    });
});
