// The pack config as the Pulumi CLI hands it to the analyzer's Configure: for
// each policy its enforcement level and its properties, the schema's defaults
// filled in (ReconcilePolicyPackConfig) and every policy's properties validated
// against its configSchema first (ValidatePolicyPackConfig, which uses
// gojsonschema; here ajv), so a bad value stops the check as it stops a preview.
// `npm run check` and the analyzer test configure the pack with the same.
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import { ajv } from "../components/packages";
import { ALL_POLICIES } from "../policies/all";
import type { KfstackPolicy } from "../policies/lib/policy";

export interface PolicyConfig {
    enforcementLevel: EnforcementLevel;
    /** The policy's settings as `getConfig()` returns them: the schema's defaults, overridden by the pack config. */
    properties: Record<string, unknown>;
}

/** A pack config the pack cannot be configured with; the message lists every problem. */
export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

function entryOf(policy: KfstackPolicy, config: PolicyPackConfig): { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> } {
    const entry = config[policy.name];
    if (entry === undefined) return { properties: {} };
    if (typeof entry === "string") return { enforcementLevel: entry, properties: {} };
    const { enforcementLevel, ...properties } = entry;
    return { ...(enforcementLevel ? { enforcementLevel } : {}), properties };
}

function defaultsOf(policy: KfstackPolicy): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) => ("default" in schema ? [[key, schema.default]] : [])),
    );
}

/**
 * Why the pack config is wrong, a line each: settings that fail the configSchema of one of `policies`, and entries for no
 * policy of the pack. Only a policy the config gives settings is validated: the schemas' own defaults are (test/policy-config.test.ts).
 */
export function packConfigProblems(policies: readonly KfstackPolicy[], config: PolicyPackConfig): string[] {
    const names = new Set(ALL_POLICIES.map((policy) => policy.name));
    const strangers = Object.keys(config)
        .filter((name) => !names.has(name))
        .map((name) => `"${name}" is not a policy of the kfstack pack; use a name from the README's policy table.`);
    const configured = policies.filter((policy) => policy.configSchema && Object.keys(entryOf(policy, config).properties).length > 0);
    const validator = configured.length > 0 ? new ajv.Ajv({ allErrors: true, strict: false }) : undefined;
    const invalid = configured.flatMap((policy) => {
        if (!policy.configSchema || !validator) return [];
        const validate = validator.compile({ type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required ?? [] });
        if (validate({ ...defaultsOf(policy), ...entryOf(policy, config).properties })) return [];
        return (validate.errors ?? []).map((error) => `${policy.name}${error.instancePath.replaceAll("/", ".")}: ${error.message ?? "is invalid"}.`);
    });
    return [...strangers, ...invalid];
}

/**
 * Each enabled or disabled policy's configuration as the analyzer receives it. Throws PolicyConfigError,
 * listing every problem, when the config names no policy of the pack or fails a policy's configSchema.
 */
export function resolvePackConfig(policies: readonly KfstackPolicy[], config: PolicyPackConfig): Map<string, PolicyConfig> {
    const problems = packConfigProblems(policies, config);
    if (problems.length > 0) throw new PolicyConfigError(`The policy pack config is invalid:\n  ${problems.join("\n  ")}`);
    return new Map(
        policies.map((policy) => {
            const { enforcementLevel, properties } = entryOf(policy, config);
            return [
                policy.name,
                { enforcementLevel: enforcementLevel ?? policy.enforcementLevel ?? "advisory", properties: { ...defaultsOf(policy), ...properties } },
            ];
        }),
    );
}
