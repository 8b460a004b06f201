// `mirror verify` inside the enclave, after the push: asks the registry for
// every image reference an air-gapped plan makes (components/images/inventory.ts
// planImageReferences: containers, init containers, ConfigMap text, args, env
// values, custom resource fields) as a node pulls it: by digest when it has
// one, else by tag; an untagged reference, whose tag is composed at run time,
// needs its repository to hold a tag. Each distinct reference is asked once.
import type { ImageUse, PlanImageReference } from "../../components/images/inventory";
import { isUnderPrefix, normalizeImage, pulledReference, withoutTrailingSlash } from "../../core/image-references";
import { forEachLimit } from "./parallel";
import { destinationOf } from "./push";
import { sha256Digest, SkopeoCommandError, type Skopeo } from "./skopeo";

export interface VerifyOptions {
    references: readonly PlanImageReference[];
    /** The plan's mirror prefix, `kfstack:airGap.registry`: every reference must be under it. */
    prefix: string;
    /** `host[:port][/prefix]` to ask in place of `prefix` (the same registry under another name); `prefix` itself by default. */
    registry?: string;
    /** The registry serves plain HTTP or an untrusted certificate (skopeo --tls-verify=false). */
    insecure?: boolean;
    skopeo: Skopeo;
    /** References asked at once; 8 by default. */
    parallel?: number;
    onChecked?: (check: ReferenceCheck) => void;
    signal?: AbortSignal;
}

export interface ReferenceCheck {
    /** The reference as the plan writes it. */
    reference: string;
    /** What was asked: `docker://<registry>/<path>@<digest>`, `…:<tag>`, or the repository of an untagged reference. */
    asked: string;
    /** Every object and field that makes the reference, in plan order. */
    uses: ImageUse[];
    /** Why it does not resolve; absent when it does. */
    problem?: string;
}

export interface VerifyResult {
    /** Where the references were asked: `host[:port][/prefix]`. */
    registry: string;
    /** One per distinct reference, sorted. */
    checks: ReferenceCheck[];
    missing: ReferenceCheck[];
    interrupted: boolean;
    ms: number;
}

/** What a node pulls for the reference, asked of `registry` in place of `prefix`; undefined for a reference not under the prefix. */
function askedOf(reference: string, prefix: string, registry: string): string | undefined {
    if (!isUnderPrefix(reference, prefix)) return undefined;
    const moved = `${registry}${reference.slice(withoutTrailingSlash(prefix).length)}`;
    const image = normalizeImage(moved);
    if (!image) return undefined;
    return image.tag === undefined && image.digest === undefined ? `docker://${image.registry}/${image.path}` : `docker://${pulledReference(moved)}`;
}

/** Why the registry does not answer `asked` as a node needs; undefined when it does. */
async function problemOf(asked: string, options: VerifyOptions): Promise<string | undefined> {
    const tls = { ...(options.insecure ? { tlsVerify: false } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    const image = normalizeImage(asked.slice("docker://".length))!;
    const untagged = image.tag === undefined && image.digest === undefined;
    try {
        if (untagged)
            return (await options.skopeo.listTags(asked, tls)).length > 0
                ? undefined
                : "untagged (its tag is composed at run time), and the repository holds no tag";
        const served = sha256Digest(await options.skopeo.rawManifest(asked, tls));
        return image.digest === undefined || served === image.digest ? undefined : `the registry serves manifest ${served} for it`;
    } catch (error) {
        if (!(error instanceof SkopeoCommandError)) throw error;
        return untagged
            ? `untagged (its tag is composed at run time), and the registry lists no tag of the repository: ${error.detail}`
            : `the registry does not answer it: ${error.detail}`;
    }
}

/** Asks the registry for every distinct reference; a reference not under the prefix is missing without asking. */
export async function verifyReferences(options: VerifyOptions): Promise<VerifyResult> {
    const started = performance.now();
    const prefix = withoutTrailingSlash(options.prefix);
    const registry = options.registry === undefined ? prefix : destinationOf(options.registry);
    const uses = new Map<string, ImageUse[]>();
    for (const { image, resource, where } of options.references) uses.set(image, [...(uses.get(image) ?? []), { resource, where }]);
    const checks: ReferenceCheck[] = [];
    const finish = (check: ReferenceCheck) => {
        checks.push(check);
        options.onChecked?.(check);
    };
    await options.skopeo.version();
    await forEachLimit(
        [...uses.keys()].sort(),
        options.parallel ?? 8,
        async (reference) => {
            const asked = askedOf(reference, prefix, registry);
            if (asked === undefined) {
                return finish({
                    reference,
                    asked: "",
                    uses: uses.get(reference)!,
                    problem: `not under the mirror prefix ${prefix}, so a node pulls it from elsewhere`,
                });
            }
            let problem: string | undefined;
            try {
                problem = await problemOf(asked, options);
            } catch (error) {
                // An abort ends the skopeo in flight: its reference is not checked, not missing.
                if (options.signal?.aborted) return;
                throw error;
            }
            finish({ reference, asked, uses: uses.get(reference)!, ...(problem !== undefined ? { problem } : {}) });
        },
        options.signal,
    );
    checks.sort((a, b) => a.reference.localeCompare(b.reference));
    return {
        registry,
        checks,
        missing: checks.filter((check) => check.problem !== undefined),
        interrupted: options.signal?.aborted === true,
        ms: performance.now() - started,
    };
}

/** The references that do not resolve, each with every object path that makes it, and what to do. */
export function missingReferencesReport(stack: string, result: VerifyResult): string {
    return [
        `${result.missing.length} of ${result.checks.length} image references of stack ${stack} do not resolve in ${result.registry}:`,
        ...result.missing.flatMap((check) => [
            `  ${check.reference}${check.asked && !check.asked.endsWith(check.reference) ? ` (asked as ${check.asked})` : ""}: ${check.problem}`,
            ...check.uses.map((use) => `    ${use.resource} ${use.where}`),
        ]),
        "A node cannot pull these. Lock them with the release's images on the connected side (`npm run images -- lock <release>`), bundle and push again, then run this again.",
    ].join("\n");
}
