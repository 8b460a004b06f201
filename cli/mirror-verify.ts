// `kfstack mirror verify --stack <stack>`: after the push, inside the enclave,
// asks the mirror for every image reference the air-gapped stack's plan makes
// (engine/image-transfer/verify.ts), so a reference the bundle lacks is found
// before a pod fails to pull it.
import { planImageReferences } from "../components/images/inventory";
import { MirrorInputError } from "../engine/image-transfer/errors";
import { destinationOf } from "../engine/image-transfer/push";
import { Skopeo } from "../engine/image-transfer/skopeo";
import { missingReferencesReport, type VerifyResult, verifyReferences } from "../engine/image-transfer/verify";
import { EXIT_INVALID } from "./errors";
import { markdownTable } from "./format";
import { checkParallel, EXIT_INTERRUPTED, interruptible, progress, stackConfigReader } from "./mirror";

export interface MirrorVerifyOptions {
    stack: string;
    registry?: string;
    insecure?: boolean;
    parallel: number;
}

export function renderVerifySummary(result: VerifyResult): string {
    const uses = result.checks.reduce((sum, check) => sum + check.uses.length, 0);
    return markdownTable(
        ["registry", "references", "uses", "resolve", "missing", "time"],
        [
            [
                result.registry,
                result.checks.length,
                uses,
                result.checks.length - result.missing.length,
                result.missing.length,
                `${(result.ms / 1000).toFixed(1)} s`,
            ],
        ],
    );
}

export async function mirrorVerifyCommand(options: MirrorVerifyOptions): Promise<void> {
    checkParallel(options.parallel);
    // Before the plan, which takes seconds.
    if (options.registry !== undefined) destinationOf(options.registry);
    const config = (await stackConfigReader())(options.stack);
    if (!config.airGap.enabled) {
        throw new MirrorInputError(
            `Stack "${options.stack}" is not air-gapped (kfstack:airGap.enabled is false): its images come from their public registries, so there is no mirror to verify.`,
        );
    }
    const { planStack } = await import("../engine/plan.js");
    process.stderr.write(`planning ${options.stack} for its image references\n`);
    const plan = await planStack(options.stack);
    const references = planImageReferences(plan.resources.map((resource) => ({ type: resource.type, name: resource.name, props: resource.inputs })));
    const bar = progress(new Set(references.map((reference) => reference.image)).size, "verified");
    let done = 0;
    let result: VerifyResult;
    try {
        result = await interruptible((signal) =>
            verifyReferences({
                references,
                prefix: config.airGap.registry!,
                ...(options.registry !== undefined ? { registry: options.registry } : {}),
                insecure: options.insecure === true,
                skopeo: new Skopeo(),
                parallel: options.parallel,
                signal,
                onChecked: (check) => bar.update(++done, `${check.problem === undefined ? "resolves" : "missing"} ${check.reference}`),
            }),
        );
    } finally {
        bar.stop();
    }
    console.log(renderVerifySummary(result));
    if (result.missing.length > 0) {
        console.error(`\n${missingReferencesReport(options.stack, result)}`);
        process.exitCode = EXIT_INVALID;
    } else if (result.interrupted) {
        console.error(`\nInterrupted: ${result.checks.length} references checked, all resolve so far. Run the same command again to check them all.`);
        process.exitCode = EXIT_INTERRUPTED;
    } else {
        console.log(`\nEvery image reference of stack ${options.stack} (${result.checks.length}) resolves in ${result.registry}.`);
    }
}
