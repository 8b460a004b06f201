// The bundle's OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md):
// index.json naming each image by its normalized reference, and one
// content-addressed blobs/sha256 store that every image shares. Here: reading
// and updating index.json, walking an image to its blobs, checking each blob's
// sha256, and the skopeo `dir:` view push reads an image through.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MirrorInputError } from "./errors";
import { sha256File, writeFileAtomic } from "./files";

export const REF_NAME = "org.opencontainers.image.ref.name";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/** The media type a manifest declares; an OCI index or manifest by its shape when it declares none. */
export function manifestMediaType(raw: Buffer): string {
    const manifest = JSON.parse(raw.toString("utf8")) as { mediaType?: unknown; manifests?: unknown };
    if (typeof manifest.mediaType === "string") return manifest.mediaType;
    return Array.isArray(manifest.manifests) ? OCI_INDEX : OCI_MANIFEST;
}

export interface Descriptor {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
    /** Foreign (non-distributable) layers are fetched from here, not stored. */
    urls?: string[];
}

export interface OciIndex {
    schemaVersion: number;
    mediaType?: string;
    manifests: Descriptor[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const blobPath = (layout: string, digest: string) => join(layout, "blobs", "sha256", digest.slice("sha256:".length));

/** The layout's index.json; an empty index when the layout is new. */
export function readIndex(layout: string): OciIndex {
    const file = join(layout, "index.json");
    if (!existsSync(file)) return { schemaVersion: 2, manifests: [] };
    try {
        const index = JSON.parse(readFileSync(file, "utf8")) as OciIndex;
        if (!Array.isArray(index.manifests)) throw new Error("it has no manifests list");
        return index;
    } catch (error) {
        throw new MirrorInputError(
            `${file} is not an OCI image index (${(error as Error).message}); delete the bundle's oci directory and run \`mirror bundle\` again.`,
        );
    }
}

export function createLayout(layout: string): void {
    mkdirSync(join(layout, "blobs", "sha256"), { recursive: true });
    if (!existsSync(join(layout, "oci-layout"))) writeFileAtomic(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    if (!existsSync(join(layout, "index.json"))) writeIndex(layout, { schemaVersion: 2, manifests: [] });
}

export function writeIndex(layout: string, index: OciIndex): void {
    writeFileAtomic(join(layout, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
}

export const findRef = (index: OciIndex, ref: string) => index.manifests.find((descriptor) => descriptor.annotations?.[REF_NAME] === ref);

/** `index` with `descriptor` named `ref`, replacing whatever had that name. */
export function withRef(index: OciIndex, ref: string, descriptor: Descriptor): OciIndex {
    const others = index.manifests.filter((entry) => entry.annotations?.[REF_NAME] !== ref);
    return { ...index, manifests: [...others, { ...descriptor, annotations: { ...descriptor.annotations, [REF_NAME]: ref } }] };
}

export interface BlobProblem {
    digest: string;
    /** What the blob is to the image: "manifest", "config of linux/arm64", "layer 2 of 3". */
    role: string;
    /** undefined when the blob is missing. */
    actual?: string;
}

export const describeProblem = (problem: BlobProblem) =>
    problem.actual === undefined
        ? `blob ${problem.digest} (${problem.role}) is missing`
        : `blob ${problem.digest} (${problem.role}) has sha256 ${problem.actual.slice("sha256:".length)}`;

/** Checks blobs of one layout against their digests, each file hashed once per checker. */
export class BlobChecker {
    private readonly results = new Map<string, Promise<string | undefined>>();

    constructor(readonly layout: string) {}

    /** The blob's actual digest, or undefined when it is missing. */
    actualDigest(digest: string): Promise<string | undefined> {
        let result = this.results.get(digest);
        if (!result) {
            // A missing blob is not remembered: a copy in flight may write it next.
            const hashed: Promise<string | undefined> = hashFile(blobPath(this.layout, digest)).then((actual) => {
                if (actual === undefined && this.results.get(digest) === hashed) this.results.delete(digest);
                return actual;
            });
            result = hashed;
            this.results.set(digest, result);
        }
        return result;
    }

    forget(digest: string): void {
        this.results.delete(digest);
    }
}

/** The file's "sha256:<hex>" digest, or undefined when it does not exist. */
const hashFile = (file: string): Promise<string | undefined> =>
    sha256File(file).then(
        (hex) => `sha256:${hex}`,
        (error: NodeJS.ErrnoException) => {
            if (error.code === "ENOENT") return undefined;
            throw error;
        },
    );

export interface ImageBlobs {
    top: Descriptor;
    /** The per-platform manifests of a multi-arch image. */
    instances: Descriptor[];
    /** Configs and layers, each once. */
    blobs: Descriptor[];
    /** Bytes of every blob the image needs, manifests included. */
    size: number;
    /** Blobs missing or not matching their digest; the image is whole when this is empty. */
    problems: BlobProblem[];
}

const platformOf = (descriptor: Descriptor & { platform?: { os?: string; architecture?: string; variant?: string } }) =>
    descriptor.platform
        ? [descriptor.platform.os, descriptor.platform.architecture, descriptor.platform.variant].filter(Boolean).join("/")
        : descriptor.digest.slice(0, 19);

/** Walks an image from its top manifest to every blob it needs, checking each one's sha256. */
export async function imageBlobs(checker: BlobChecker, top: Descriptor): Promise<ImageBlobs> {
    const result: ImageBlobs = { top, instances: [], blobs: [], size: 0, problems: [] };
    const seen = new Set<string>();
    /** The blob's problem, if any. */
    const problemOf = async (descriptor: Descriptor, role: string): Promise<BlobProblem | undefined> => {
        if (!DIGEST.test(descriptor.digest)) return { digest: String(descriptor.digest), role: `${role}, not a sha256 digest`, actual: "sha256:" };
        const actual = await checker.actualDigest(descriptor.digest);
        if (actual === undefined && descriptor.urls?.length) return undefined;
        return actual === descriptor.digest ? undefined : { digest: descriptor.digest, role, ...(actual !== undefined ? { actual } : {}) };
    };
    const check = async (descriptor: Descriptor, role: string): Promise<boolean> => {
        const problem = await problemOf(descriptor, role);
        if (problem) result.problems.push(problem);
        return problem === undefined;
    };
    const readManifest = async (
        descriptor: Descriptor,
        role: string,
    ): Promise<{ manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] } | undefined> => {
        if (!(await check(descriptor, role))) return undefined;
        return JSON.parse(readFileSync(blobPath(checker.layout, descriptor.digest), "utf8")) as {
            manifests?: Descriptor[];
            config?: Descriptor;
            layers?: Descriptor[];
        };
    };
    const addBlobs = async (manifest: { config?: Descriptor; layers?: Descriptor[] }, platform: string) => {
        const layers = manifest.layers ?? [];
        const parts = [
            ...(manifest.config ? [{ descriptor: manifest.config, role: `config${platform}` }] : []),
            ...layers.map((descriptor, index) => ({ descriptor, role: `layer ${index + 1} of ${layers.length}${platform}` })),
        ].filter(({ descriptor }) => !seen.has(descriptor.digest) && seen.add(descriptor.digest));
        // Hashed at once, reported in manifest order.
        const problems = await Promise.all(parts.map(({ descriptor, role }) => problemOf(descriptor, role)));
        result.problems.push(...problems.filter((problem): problem is BlobProblem => problem !== undefined));
        result.blobs.push(...parts.map(({ descriptor }) => descriptor));
    };
    const manifest = await readManifest(top, "manifest");
    if (manifest?.manifests) {
        for (const instance of manifest.manifests) {
            const platform = platformOf(instance);
            result.instances.push(instance);
            const child = await readManifest(instance, `manifest of ${platform}`);
            if (child) await addBlobs(child, ` of ${platform}`);
        }
    } else if (manifest) {
        await addBlobs(manifest, "");
    }
    result.size = [top, ...result.instances, ...result.blobs].reduce((sum, descriptor) => sum + descriptor.size, 0);
    return result;
}

/**
 * Writes a skopeo `dir:` view of a checked image into `view`: its manifests
 * and blobs as symbolic links into the layout. skopeo 1.9 cannot read an
 * image with a Docker media type back out of an OCI layout (it writes them
 * with --preserve-digests, but its reader only matches OCI media types), and
 * most upstream images are Docker schema 2; a `dir:` image keeps every digest.
 */
export function writeDirView(view: string, layout: string, image: ImageBlobs): void {
    mkdirSync(view, { recursive: true });
    writeFileSync(join(view, "version"), "Directory Transport Version: 1.1\n");
    symlinkSync(blobPath(layout, image.top.digest), join(view, "manifest.json"));
    for (const instance of image.instances)
        symlinkSync(blobPath(layout, instance.digest), join(view, `${instance.digest.slice("sha256:".length)}.manifest.json`));
    for (const blob of image.blobs) {
        if (existsSync(blobPath(layout, blob.digest))) symlinkSync(blobPath(layout, blob.digest), join(view, blob.digest.slice("sha256:".length)));
    }
}
