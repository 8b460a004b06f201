// `kfstack manifests pull <bom>`: downloads, renders and checks the pinned
// manifests of a bill of materials into a cache directory.
import { loadBom } from "../components/bom/load";
import { type PullResult, pullManifests } from "../components/bom/pull";
import { defaultManifestsDirectory } from "../components/manifests/location";
import { MANIFESTS_DIR_ENV } from "../components/manifests/read";
import { integer, markdownTable } from "./format";

export interface ManifestsPullOptions {
    /** The default cache when not given. */
    out?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderPullSummary(result: PullResult): string {
    const components = result.sources.reduce((sum, source) => sum + source.components, 0);
    return markdownTable(
        ["source", "tag", "commit", "components", "bytes", "time"],
        [
            ...result.sources.map((source) => [
                source.name,
                source.tag,
                source.commit.slice(0, 12),
                source.components,
                integer(source.bytes),
                seconds(source.ms),
            ]),
            [`${result.sources.length} ${result.sources.length === 1 ? "source" : "sources"}`, "", "", components, integer(result.bytes), seconds(result.ms)],
        ],
    );
}

export async function manifestsPullCommand(release: string, options: ManifestsPullOptions): Promise<void> {
    const bom = loadBom(release);
    const result = await pullManifests(bom, options.out ?? defaultManifestsDirectory());
    console.log(renderPullSummary(result));
    console.log(
        `\nWrote the ${result.files.length} rendered manifests of ${bom.release} (rendered by ${result.renderer}, every sha256 matching the BOM) to ${result.outDir}.`,
    );
    console.log(
        options.out === undefined
            ? `It is the default cache: every plan and \`pulumi up\` reads it unless ${MANIFESTS_DIR_ENV} or kfstack:manifestsDir names another directory.`
            : `Point ${MANIFESTS_DIR_ENV} or kfstack:manifestsDir at it, or copy its folders into the default cache ${defaultManifestsDirectory()} (carry it along into an air-gapped site).`,
    );
}
