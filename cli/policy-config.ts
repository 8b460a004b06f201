// `kfstack policies config <stack>`: the pack config a stack implies, for
// `pulumi preview --policy-pack-config`, as `npm run check` applies it. Apart
// from cli/policies.ts, whose stage command must not load the program.
import { writeFileSync } from "node:fs";
import { stackConfigOf } from "../components/stack";
import { stackPackConfig } from "../engine/plan";
import { resolvePackConfig } from "../engine/policy-config";
import { plannableStackSettings } from "../engine/unset-secrets";
import { ALL_POLICIES } from "../policies/all";

export interface PoliciesConfigOptions {
    config?: string;
    out?: string;
}

/** Writes (or prints) the stack's pack config, validated against every policy's configSchema as the Pulumi CLI will. */
export function policiesConfigCommand(stack: string, options: PoliciesConfigOptions): void {
    const settings = plannableStackSettings(stack, options.config ? { configFile: options.config } : {});
    const packConfig = stackPackConfig(stackConfigOf({ stack: settings.stack, config: settings.config }).config);
    resolvePackConfig(ALL_POLICIES, packConfig);
    const text = `${JSON.stringify(packConfig, null, 2)}\n`;
    if (!options.out) {
        process.stdout.write(text);
        return;
    }
    writeFileSync(options.out, text);
    console.error(`Wrote the pack config of stack ${stack} to ${options.out}: pulumi preview --policy-pack policies --policy-pack-config ${options.out}`);
}
