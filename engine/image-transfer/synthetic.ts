// Small synthetic container images for the mirror tests and benchmark: real
// OCI layouts (blobs, manifests, index.json) written by hand, with tiny
// gzipped tar layers, named after Kubeflow 1.8.1 images. Several images share
// a base layer; some use Docker schema 2 manifests and two are multi-arch (an
// OCI index, a Docker manifest list), as real registries serve them.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "./layout";
import { forEachLimit } from "./parallel";
import type { Skopeo } from "./skopeo";

export interface SyntheticImage {
    /** Where the image lives upstream: "docker.io/kubeflow/training-operator:v1-9e52eb7". */
    image: string;
    /** Manifest format: OCI or Docker schema 2, for one platform or (the lists) for two. */
    format: "oci" | "docker" | "oci-index" | "docker-list";
    /** Names of the shared base layers (see BASE_LAYERS), bottom first. */
    bases: string[];
    /** Bytes of the image's own top layer (random-looking, so it does not compress away). */
    ownBytes: number;
}

/** Shared base layers: name -> size of their content in bytes. */
export const BASE_LAYERS: Record<string, number> = { distroless: 48 * 1024, python: 96 * 1024 };

/** Kubeflow 1.8.1 images; most share a base layer, as real ones do. */
export const SYNTHETIC_IMAGES: SyntheticImage[] = [
    { image: "docker.io/kubeflow/training-operator:v1-9e52eb7", format: "docker", bases: ["distroless"], ownBytes: 24 * 1024 },
    { image: "gcr.io/ml-pipeline/api-server:2.0.5", format: "oci", bases: ["distroless"], ownBytes: 32 * 1024 },
    { image: "gcr.io/ml-pipeline/persistenceagent:2.0.5", format: "oci", bases: ["distroless"], ownBytes: 16 * 1024 },
    { image: "docker.io/kubeflownotebookswg/jupyter-scipy:v1.8.0", format: "docker", bases: ["distroless", "python"], ownBytes: 40 * 1024 },
    { image: "docker.io/kubeflownotebookswg/notebook-controller:v1.8.0", format: "oci", bases: ["distroless"], ownBytes: 20 * 1024 },
    { image: "quay.io/jetstack/cert-manager-controller:v1.12.2", format: "oci-index", bases: ["distroless"], ownBytes: 12 * 1024 },
    { image: "docker.io/istio/pilot:1.17.5", format: "docker-list", bases: ["distroless"], ownBytes: 28 * 1024 },
    { image: "ghcr.io/dexidp/dex:v2.36.0", format: "oci", bases: [], ownBytes: 16 * 1024 },
];

export interface Blob {
    digest: string;
    bytes: Buffer;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Deterministic bytes that do not compress: a sha256 counter stream seeded by `seed`. */
function noise(seed: string, size: number): Buffer {
    const chunks: Buffer[] = [];
    for (let counter = 0; chunks.length * 32 < size; counter += 1) chunks.push(createHash("sha256").update(`${seed}/${counter}`).digest());
    return Buffer.concat(chunks).subarray(0, size);
}

/** A ustar archive of regular files (mode 0644, mtime 0, root-owned). */
export function tarArchive(files: { name: string; content: Buffer }[]): Buffer {
    const blocks: Buffer[] = [];
    for (const file of files) {
        const header = Buffer.alloc(512);
        const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
        const octal = (offset: number, length: number, value: number) => field(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
        field(0, 100, file.name);
        octal(100, 8, 0o644);
        octal(108, 8, 0);
        octal(116, 8, 0);
        octal(124, 12, file.content.length);
        octal(136, 12, 0);
        field(148, 8, "        ");
        field(156, 1, "0");
        field(257, 6, "ustar\0");
        field(263, 2, "00");
        const checksum = header.reduce((sum, byte) => sum + byte, 0);
        field(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
        blocks.push(header, file.content, Buffer.alloc((512 - (file.content.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return Buffer.concat(blocks);
}

interface Layer {
    blob: Blob;
    diffId: string;
}

function layer(name: string, size: number): Layer {
    const tar = tarArchive([{ name: `opt/${name}/data.bin`, content: noise(name, size) }]);
    const gzipped = gzipSync(tar, { level: 1 });
    return { blob: { digest: sha256(gzipped), bytes: gzipped }, diffId: sha256(tar) };
}

function jsonBlob(value: unknown): Blob {
    const bytes = Buffer.from(JSON.stringify(value));
    return { digest: sha256(bytes), bytes };
}

/** One platform's manifest and the blobs it needs. */
function platformManifest(image: SyntheticImage, architecture: string, docker: boolean): { manifest: Blob; blobs: Blob[] } {
    const layers = [...image.bases.map((base) => layer(`base-${base}`, BASE_LAYERS[base]!)), layer(`${image.image}/${architecture}`, image.ownBytes)];
    const config = jsonBlob({
        architecture,
        os: "linux",
        config: { Labels: { "org.opencontainers.image.title": image.image } },
        rootfs: { type: "layers", diff_ids: layers.map((entry) => entry.diffId) },
    });
    const manifest = jsonBlob({
        schemaVersion: 2,
        mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
        config: {
            mediaType: docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json",
            digest: config.digest,
            size: config.bytes.length,
        },
        layers: layers.map((entry) => ({
            mediaType: docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip",
            digest: entry.blob.digest,
            size: entry.blob.bytes.length,
        })),
    });
    return { manifest, blobs: [config, ...layers.map((entry) => entry.blob)] };
}

export interface BuiltImage {
    image: string;
    /** The top-level manifest: what a registry reports as the image's digest. */
    digest: string;
    mediaType: string;
    size: number;
    /** Every blob of the image, manifests included. */
    blobs: Blob[];
}

/** The blobs and top-level manifest of a synthetic image. */
export function buildImage(image: SyntheticImage): BuiltImage {
    if (image.format === "oci" || image.format === "docker") {
        const mediaType = image.format === "docker" ? DOCKER_MANIFEST : OCI_MANIFEST;
        const { manifest, blobs } = platformManifest(image, "amd64", image.format === "docker");
        return { image: image.image, digest: manifest.digest, mediaType, size: manifest.bytes.length, blobs: [manifest, ...blobs] };
    }
    const docker = image.format === "docker-list";
    const platforms = ["amd64", "arm64"].map((architecture) => ({ architecture, ...platformManifest(image, architecture, docker) }));
    const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
    const index = jsonBlob({
        schemaVersion: 2,
        mediaType,
        manifests: platforms.map((platform) => ({
            mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
            digest: platform.manifest.digest,
            size: platform.manifest.bytes.length,
            platform: { architecture: platform.architecture, os: "linux" },
        })),
    });
    return {
        image: image.image,
        digest: index.digest,
        mediaType,
        size: index.bytes.length,
        blobs: [index, ...platforms.flatMap((platform) => [platform.manifest, ...platform.blobs])],
    };
}

/**
 * Writes one image as a skopeo `dir:` directory: manifest.json, a
 * `<hex>.manifest.json` per platform of a multi-arch image, and every other
 * blob under its hex digest. (skopeo 1.9 cannot read Docker-typed manifests
 * out of an OCI layout, and `dir:` keeps every digest of either kind.)
 */
export function writeDirImage(directory: string, built: BuiltImage): void {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "version"), "Directory Transport Version: 1.1\n");
    const manifests = new Set<string>();
    const top = built.blobs.find((blob) => blob.digest === built.digest)!;
    writeFileSync(join(directory, "manifest.json"), top.bytes);
    if (built.mediaType === OCI_INDEX || built.mediaType === DOCKER_MANIFEST_LIST) {
        for (const instance of (JSON.parse(top.bytes.toString("utf8")) as { manifests: { digest: string }[] }).manifests) manifests.add(instance.digest);
    }
    for (const blob of built.blobs) {
        if (blob.digest === built.digest) continue;
        const hex = blob.digest.slice("sha256:".length);
        writeFileSync(join(directory, manifests.has(blob.digest) ? `${hex}.manifest.json` : hex), blob.bytes);
    }
}

/** Where a public image lives in the local "public" registry: under its registry's name, so images of different registries never clash. */
export const publicPath = (image: string) => image.replace(/:[^/:@]+$/, "");

/** A registries.conf(5) that sends every registry of `images` to `host/<registry>` over plain HTTP. */
export function registriesConf(host: string, images: string[]): string {
    const registries = [...new Set(images.map((image) => image.split("/")[0]!))].sort();
    return registries.map((registry) => `[[registry]]\nprefix = "${registry}"\nlocation = "${host}/${registry}"\ninsecure = true\n`).join("\n");
}

/** The synthetic images' own top layers: one blob per image that no other image shares. */
export function ownLayer(built: BuiltImage): string {
    const manifest = JSON.parse(built.blobs[built.mediaType === OCI_INDEX || built.mediaType === DOCKER_MANIFEST_LIST ? 1 : 0]!.bytes.toString("utf8")) as {
        layers: { digest: string }[];
    };
    return manifest.layers.at(-1)!.digest;
}

/**
 * Builds `images`, writes each as a `dir:` image under `workDir` and pushes it
 * with skopeo to `host/<publicPath(image)>:<tag>` over plain HTTP; returns what was built.
 */
export async function publishSynthetic(skopeo: Skopeo, host: string, workDir: string, images: SyntheticImage[] = SYNTHETIC_IMAGES): Promise<BuiltImage[]> {
    const built = images.map(buildImage);
    await forEachLimit(built, 4, async (image) => {
        const directory = join(workDir, createHash("sha256").update(image.image).digest("hex").slice(0, 12));
        writeDirImage(directory, image);
        await skopeo.copy(`dir:${directory}`, `docker://${host}/${publicPath(image.image)}:${image.image.slice(image.image.lastIndexOf(":") + 1)}`, {
            extra: ["--dest-tls-verify=false"],
        });
    });
    return built;
}

const FORMATS_IN_TURN: SyntheticImage["format"][] = ["oci", "docker", "oci", "oci-index", "docker", "oci", "docker-list", "oci"];

/** Synthetic images under real tagged names (a stack's inventory): formats, shared bases and sizes in turn, mixed as SYNTHETIC_IMAGES are. */
export function syntheticImagesNamed(names: readonly string[]): SyntheticImage[] {
    return names.map((image, index) => ({
        image,
        format: FORMATS_IN_TURN[index % FORMATS_IN_TURN.length]!,
        bases: index % 3 === 0 ? ["distroless", "python"] : index % 5 === 0 ? [] : ["distroless"],
        ownBytes: (12 + (index % 8) * 4) * 1024,
    }));
}
