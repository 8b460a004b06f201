// Where a run reads the rendered manifests: KFSTACK_MANIFESTS_DIR, else
// kfstack:manifestsDir, else the user's cache, which the first run that needs a
// release fills with the same pull as `npm run manifests -- pull` (as Helm
// fetches a pinned chart once). The plan and `pulumi up` both resolve it here.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { RendererError } from "../bom/kustomize";
import { PullError, pullManifests } from "../bom/pull";
import { type Bom, type BomComponent, componentFiles } from "../bom/schema";
import { kfstackCacheDirectory } from "./parsed-cache";
import { MANIFESTS_DIR_ENV, ManifestsError } from "./read";

/** Why a run reads the directory it reads. */
export type ManifestsOrigin = typeof MANIFESTS_DIR_ENV | "kfstack:manifestsDir" | "default cache";

export interface ManifestsLocation {
    readonly directory: string;
    readonly origin: ManifestsOrigin;
    /** The sources this run pulled into the default cache (none when it had every file). */
    readonly pulled: readonly string[];
}

export interface LocateOptions {
    env?: NodeJS.ProcessEnv;
    /** Receives the lines of a first-use pull; stderr by default. */
    onProgress?: (line: string) => void;
}

/** `<kfstack cache>/manifests`: `${XDG_CACHE_HOME:-~/.cache}/kfstack/manifests`, laid out as `npm run manifests -- pull` writes it. */
export function defaultManifestsDirectory(environment: NodeJS.ProcessEnv = process.env): string {
    return join(kfstackCacheDirectory(environment), "manifests");
}

/** The directory a run reads, and why: KFSTACK_MANIFESTS_DIR, else the stack's kfstack:manifestsDir, else the default cache. */
export function chooseManifestsDirectory(configured: string | undefined, environment: NodeJS.ProcessEnv = process.env): Omit<ManifestsLocation, "pulled"> {
    const fromEnvironment = environment[MANIFESTS_DIR_ENV];
    if (fromEnvironment) return { directory: resolve(fromEnvironment), origin: MANIFESTS_DIR_ENV };
    if (configured) return { directory: resolve(configured), origin: "kfstack:manifestsDir" };
    return { directory: defaultManifestsDirectory(environment), origin: "default cache" };
}

/** How the plan names where the manifests came from. */
export function describeLocation(location: ManifestsLocation): string {
    const why = location.origin === "default cache" ? "the default cache" : `set by ${location.origin}`;
    const pulled = location.pulled.length > 0 ? `; pulled ${location.pulled.join(", ")} into it on this run` : "";
    return `Rendered manifests read from ${location.directory} (${why}${pulled}).`;
}

/**
 * The manifests directory of a run. A directory the user names must exist (its files are checked as they are read);
 * the default cache is filled, on first use, with the sources whose files `components` need and it lacks. Files it has
 * are never replaced, so a changed one is refused when read, with the command that repairs it, not fetched over.
 */
export async function locateManifests(
    bom: Bom,
    components: readonly BomComponent[],
    configured: string | undefined,
    options: LocateOptions = {},
): Promise<ManifestsLocation> {
    const env = options.env ?? process.env;
    const chosen = chooseManifestsDirectory(configured, env);
    if (chosen.origin !== "default cache") {
        if (!existsSync(chosen.directory)) {
            throw new ManifestsError(
                `The manifests directory ${chosen.directory} (set by ${chosen.origin}) does not exist; create it with \`npm run manifests -- pull ${bom.release} --out ${chosen.directory}\`.`,
            );
        }
        return { ...chosen, pulled: [] };
    }
    const missing = components.flatMap((component) =>
        componentFiles(component)
            .filter((entry) => !existsSync(join(chosen.directory, entry.file)))
            .map((entry) => ({ file: entry.file, source: component.source })),
    );
    const sources = [...new Set(missing.map((entry) => entry.source))];
    if (sources.length === 0) return { ...chosen, pulled: [] };
    const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
    progress(
        `The default manifests cache ${chosen.directory} lacks ${missing.length} ${missing.length === 1 ? "file" : "files"} of ${bom.release}: pulling ${sources.join(", ")} once (pinned commits, rendered and checked against the BOM's sha256).`,
    );
    try {
        await pullManifests(bom, chosen.directory, { env, onProgress: progress, sources, keepExisting: true });
    } catch (error) {
        if (!(error instanceof PullError) && !(error instanceof RendererError)) throw error;
        throw new ManifestsError(unavailable(bom, chosen.directory, missing[0]!.file, missing.length, error.message));
    }
    return { ...chosen, pulled: sources };
}

/** The one paragraph of a first-use pull that failed (offline, air-gapped, no renderer): what is missing, where, and how to bring it. */
function unavailable(bom: Bom, directory: string, first: string, count: number, reason: string): string {
    const what = count === 1 ? first : `${first} and ${count - 1} more`;
    return (
        `The rendered manifests of ${bom.release} are not in the default cache ${directory} (missing ${what}), and pulling them failed: ${reason} ` +
        `Without access to the sources (an air-gapped site, or their host unreachable), make the directory on a connected machine with ` +
        `\`npm run manifests -- pull ${bom.release} --out <dir>\`, bring it here, and set ${MANIFESTS_DIR_ENV} (or kfstack:manifestsDir) to it, or copy its folders into ${directory}.`
    );
}
