// Reads the rendered manifests of a BOM's components from the manifests
// directory (location.ts: written by `npm run manifests -- pull`, or carried into
// air-gapped enclaves), checking each file against the BOM's sha256 on every read;
// each file is parsed once, then read as JSON from the cache (parsed-cache.ts).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import type { KubernetesObject } from "../../core/objects";
import { type Bom, type BomComponent, type ComponentFile, componentFiles } from "../bom/schema";
import { ParsedManifestCache, parsedCacheDirectory } from "./parsed-cache";

export const MANIFESTS_DIR_ENV = "KFSTACK_MANIFESTS_DIR";

export class ManifestsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ManifestsError";
    }
}

function isObject(value: unknown): value is KubernetesObject {
    if (typeof value !== "object" || value === null) return false;
    const candidate = value as Partial<KubernetesObject>;
    return typeof candidate.apiVersion === "string" && typeof candidate.kind === "string" && typeof candidate.metadata?.name === "string";
}

let sharedCache: ParsedManifestCache | undefined;

/** The cache every read of this process shares, in the cache folder the environment names when it is first used. */
function parsedManifests(): ParsedManifestCache {
    return (sharedCache ??= new ParsedManifestCache(parsedCacheDirectory()));
}

/**
 * The objects of one manifest file; a fresh copy the caller may change. Always made by JSON.parse,
 * so a plan is the same whether the cache had the file or not.
 */
function parseManifest(file: string, bytes: Buffer, sha256: string, cache: ParsedManifestCache): KubernetesObject[] {
    let json = cache.get(sha256);
    if (json === undefined) {
        json = JSON.stringify(parseYaml(file, bytes.toString("utf8")));
        cache.set(sha256, json);
    }
    return JSON.parse(json) as KubernetesObject[];
}

function parseYaml(file: string, text: string): KubernetesObject[] {
    const objects: KubernetesObject[] = [];
    let documents: unknown[];
    try {
        // js-yaml, not the `yaml` package used for stack files: it parses the ~10 MB of a release about 7 times faster.
        documents = loadAll(text);
    } catch (error) {
        throw new ManifestsError(`${file} is not valid YAML (${(error as Error).message.split("\n")[0]}); render it again with \`npm run manifests -- pull\`.`);
    }
    for (const [index, value] of documents.entries()) {
        if (value === null || value === undefined) continue;
        // `kind: List` (and `ConfigMapList`, `RoleList` …) documents carry their objects in `items`.
        const kind = (value as { kind?: unknown }).kind;
        const items = typeof kind === "string" && kind.endsWith("List") ? ((value as { items?: unknown[] }).items ?? []) : [value];
        for (const item of items) {
            if (!isObject(item))
                throw new ManifestsError(`${file}: document ${index + 1} is not a Kubernetes object (it needs apiVersion, kind and metadata.name).`);
            objects.push(item);
        }
    }
    return objects;
}

/** The bytes of one file of a component, after checking them against the BOM. */
function verifiedBytes(directory: string, bom: Pick<Bom, "release">, component: BomComponent, entry: ComponentFile): Buffer {
    const file = join(directory, entry.file);
    if (!existsSync(file)) {
        throw new ManifestsError(
            `${file} is missing: the manifests directory has no ${entry.rendered ? "render" : "copy"} of ${component.name} ${component.version}; run \`npm run manifests -- pull ${bom.release} --out ${directory}\`.`,
        );
    }
    const bytes = readFileSync(file);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== entry.sha256) {
        throw new ManifestsError(
            `${file} does not match the bill of materials ${bom.release}: its sha256 is ${sha256}, the BOM pins ${entry.sha256}. ` +
                `The file was changed or ${entry.rendered ? "rendered from another source; render it again" : "copied from another source; copy it again"} with \`npm run manifests -- pull ${bom.release} --out ${directory}\`.`,
        );
    }
    return bytes;
}

const isManifest = (entry: ComponentFile) => /\.ya?ml$/.test(entry.file);

/** The objects of one component, as upstream renders them; a fresh copy the caller may change. */
export function readComponent(
    directory: string,
    bom: Pick<Bom, "release">,
    component: BomComponent,
    cache: ParsedManifestCache = parsedManifests(),
): KubernetesObject[] {
    return componentFiles(component)
        .filter(isManifest)
        .flatMap((entry) => parseManifest(join(directory, entry.file), verifiedBytes(directory, bom, component, entry), entry.sha256, cache));
}

/** A data file of a component (not a manifest, e.g. dcgm-exporter's counters CSV), checked against the BOM. */
export function readComponentData(directory: string, bom: Pick<Bom, "release">, component: BomComponent, name: string): string {
    const entry = componentFiles(component).find((candidate) => candidate.file.endsWith(`/${name}`) && !isManifest(candidate));
    if (!entry) throw new ManifestsError(`The bill of materials ${bom.release} lists no data file ${name} for ${component.name}.`);
    return verifiedBytes(directory, bom, component, entry).toString("utf8");
}
