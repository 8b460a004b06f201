// `kfstack policies stage --out <dir>`: writes the policy pack, with the core/
// it imports, into a self-contained directory to `pulumi policy publish` from.
import { relative } from "node:path";
import { stagePolicyPack } from "../engine/policy-pack-stage";

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
