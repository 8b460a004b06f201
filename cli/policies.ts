// `kfstack policies stage --out <dir>`: writes the policy pack, with the core/
// it imports, into a self-contained directory to `pulumi policy publish` from.
// `kfstack policies config <stack>`: the pack config a stack implies, for
// `pulumi preview --policy-pack-config`, as `npm run check` applies it.
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { stackConfigOf } from "../components/stack";
import { stackPackConfig } from "../engine/plan";
import { resolvePackConfig } from "../engine/policy-config";
import { stagePolicyPack } from "../engine/policy-pack-stage";
import { plannableStackSettings } from "../engine/unset-secrets";
import { ALL_POLICIES } from "../policies/all";

export interface PoliciesStageOptions {
    out: string;
}

export function policiesStageCommand(options: PoliciesStageOptions): void {
    const { out, modules } = stagePolicyPack({ out: options.out });
    const core = modules.filter((module) => module.startsWith("core/")).length;
    const fromHere = relative(process.cwd(), out);
    const shown = fromHere === "" ? "." : fromHere.startsWith("..") ? out : fromHere;
    console.log(`Staged the policy pack into ${out}: ${modules.length - core} modules of policies/, ${core} of core/.`);
    console.log(`Publish it with: (cd ${shown} && npm install && pulumi policy publish <org>)`);
}

export interface PoliciesConfigOptions {
    config?: string;
    out?: string;
}

/** Writes (or prints) the stack's pack config, validated against every policy's configSchema as the Pulumi CLI will. */
export function policiesConfigCommand(stack: string, options: PoliciesConfigOptions): void {
    const settings = plannableStackSettings(stack, options.config ? { configFile: options.config } : {});
    const packConfig = stackPackConfig(stackConfigOf(settings.config).config);
    resolvePackConfig(ALL_POLICIES, packConfig);
    const text = `${JSON.stringify(packConfig, null, 2)}\n`;
    if (!options.out) {
        process.stdout.write(text);
        return;
    }
    writeFileSync(options.out, text);
    console.error(`Wrote the pack config of stack ${stack} to ${options.out}: pulumi preview --policy-pack policies --policy-pack-config ${options.out}`);
}
