// `images lock`, `mirror bundle` and `mirror push` for real: skopeo against two
// local CNCF distribution registries. Synthetic images named after Kubeflow
// 1.8.1 images (OCI and Docker schema 2, an OCI index and a Docker manifest
// list, most sharing a base layer) are published to the "public" registry,
// which a registries.conf puts in place of docker.io, gcr.io, quay.io and
// ghcr.io; the bundle is pushed into the "private" one.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { humanBytes } from "../../cli/mirror";
import { bundleImages, type ImageEvent } from "../../engine/image-transfer/bundle";
import { filesUnder } from "../../engine/image-transfer/checksums";
import { sha256File } from "../../engine/image-transfer/files";
import { blobPath, readIndex, REF_NAME } from "../../engine/image-transfer/layout";
import { type LocalRegistry, startLocalRegistry } from "../../engine/image-transfer/local-registry";
import { readLock } from "../../engine/image-transfer/lock";
import { Skopeo, SkopeoCommandError } from "../../engine/image-transfer/skopeo";
import { type BuiltImage, ownLayer, publishSynthetic, registriesConf, SYNTHETIC_IMAGES } from "../../engine/image-transfer/synthetic";
import { kfstack, mirrorTools, summaryRow } from "./helpers";

const tools = mirrorTools("the mirror end-to-end tests");

/** Bytes of an image's distinct blobs, and of all images' distinct blobs together. */
function sizes(built: BuiltImage[]): { perImage: number[]; distinct: number } {
    const distinctSize = (blobs: BuiltImage["blobs"]) =>
        [...new Map(blobs.map((blob) => [blob.digest, blob.bytes.length])).values()].reduce((sum, size) => sum + size, 0);
    return { perImage: built.map((image) => distinctSize(image.blobs)), distinct: distinctSize(built.flatMap((image) => image.blobs)) };
}

/**
 * A Skopeo that lets the copies of the first `admit` images run and holds every
 * other image's copy until the signal aborts, then hands it the aborted signal:
 * so an interrupted bundle finishes exactly `admit` images, whatever the timing,
 * and the copy in flight at the abort is one the abort ends.
 */
class AbortGatedSkopeo extends Skopeo {
    private readonly admitted = new Set<string>();
    /** Images whose copy waited for the abort. */
    held = 0;
    constructor(
        registriesConf: string,
        private readonly admit: number,
        private readonly signal: AbortSignal,
    ) {
        super({ registriesConf });
    }

    override async copy(source: string, destination: string, options: { extra?: string[]; signal?: AbortSignal } = {}): Promise<void> {
        // docker://<registry>/<path>@<digest>: a Docker manifest list's platforms are copies of the same repository.
        const image = source.slice(0, source.lastIndexOf("@"));
        if (!this.admitted.has(image) && this.admitted.size < this.admit) this.admitted.add(image);
        if (!this.admitted.has(image)) {
            this.held++;
            if (!this.signal.aborted) await new Promise((resolve) => this.signal.addEventListener("abort", resolve, { once: true }));
        }
        return super.copy(source, destination, options);
    }
}

describe.skipIf(tools.skip)("images lock, mirror bundle and mirror push against two local registries", () => {
    let root: string;
    let publicRegistry: LocalRegistry | undefined;
    let privateRegistry: LocalRegistry | undefined;
    let built: BuiltImage[];
    let conf: string;
    let imagesFile: string;
    let lockFile: string;
    let manifests: string;
    let bundle: string;
    const lockedDigests = () => Object.fromEntries(built.map((image) => [image.image, image.digest]));
    const pathAndTag = (image: string) => image.slice(image.indexOf("/") + 1);

    beforeAll(async () => {
        tools.assert();
        root = mkdtempSync(join(tmpdir(), "kfstack-mirror-"));
        publicRegistry = await startLocalRegistry(join(root, "public"));
        privateRegistry = await startLocalRegistry(join(root, "private"));
        built = await publishSynthetic(new Skopeo(), publicRegistry.host, join(root, "published"));
        conf = join(root, "registries.conf");
        writeFileSync(
            conf,
            registriesConf(
                publicRegistry.host,
                SYNTHETIC_IMAGES.map((image) => image.image),
            ),
        );
        imagesFile = join(root, "images.json");
        // As the inventory lists them, some written the short way.
        writeFileSync(
            imagesFile,
            JSON.stringify([...SYNTHETIC_IMAGES.map((image) => image.image.replace(/^docker\.io\//, "")), "docker.io/kubeflow/training-operator:v1-9e52eb7"]),
        );
        lockFile = join(root, "kubeflow-1.8.1.lock.json");
        manifests = join(root, "manifests");
        mkdirSync(join(manifests, "kubeflow-v1.8.1"), { recursive: true });
        writeFileSync(join(manifests, "kubeflow-v1.8.1", "training-operator.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n");
        writeFileSync(join(manifests, "kubeflow-v1.8.1", "pipelines.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pipeline-install-config\n");
        bundle = join(root, "bundle");
    });

    afterAll(async () => {
        await publicRegistry?.stop();
        await privateRegistry?.stop();
        if (root) rmSync(root, { recursive: true, force: true });
    });

    it("locks the digest the registry serves for every image, keyed by its normalized name", async () => {
        const run = await kfstack("images", "lock", "kubeflow-1.8.1", "--images", imagesFile, "--out", lockFile, "--registries-conf", conf);
        expect(run.stderr).not.toMatch(/failed|Could not/);
        expect(run.code).toBe(0);
        expect(readLock(lockFile)).toEqual({ release: "kubeflow-1.8.1", images: lockedDigests() });
        expect(Object.keys(readLock(lockFile).images)).toEqual(Object.keys(lockedDigests()).sort());
        expect(run.stdout).toContain(`Locked the digests of 8 images of kubeflow-1.8.1 in `);
        expect(run.stdout).toContain(`: wrote ${lockFile}. Commit it; \`npm run mirror -- bundle\` copies exactly these digests.`);
    });

    it("resumes an interrupted bundle, skipping exactly the images the first run finished", async () => {
        const controller = new AbortController();
        const first: ImageEvent[] = [];
        const gated = new AbortGatedSkopeo(conf, 3, controller.signal);
        const interrupted = await bundleImages({
            lock: readLock(lockFile),
            outDir: bundle,
            manifestsDir: manifests,
            skopeo: gated,
            parallel: 2,
            signal: controller.signal,
            onImage: (event) => {
                first.push(event);
                if (first.length === 3) controller.abort();
            },
        });
        expect(interrupted.interrupted).toBe(true);
        expect(interrupted.complete).toBe(false);
        // Exactly the three images let through finished; the one copy in flight when the abort came was ended by it.
        expect(first).toHaveLength(3);
        expect(gated.held).toBe(1);
        expect(new Set(first.map((event) => event.outcome))).toEqual(new Set(["copied"]));
        expect(readdirSync(bundle).sort()).toEqual(["oci"]);

        const run = await kfstack(
            "mirror",
            "bundle",
            "--lock",
            lockFile,
            "--out",
            bundle,
            "--manifests",
            manifests,
            "--registries-conf",
            conf,
            "--parallel",
            "3",
        );
        expect(run.code).toBe(0);
        const outcomes = (outcome: string) => [...run.stderr.matchAll(new RegExp(`^bundled \\d/8: ${outcome} (\\S+)`, "gm"))].map((match) => match[1]).sort();
        const finished = first.map((event) => event.image).sort();
        expect(outcomes("skipped")).toEqual(finished);
        expect(outcomes("copied")).toEqual(
            built
                .map((image) => image.image)
                .filter((image) => !finished.includes(image))
                .sort(),
        );
        const { perImage, distinct } = sizes(built);
        const imageBytes = perImage.reduce((sum, size) => sum + size, 0);
        expect(summaryRow(run.stdout).slice(0, 8)).toEqual([
            "8",
            String(8 - first.length),
            String(first.length),
            "0",
            humanBytes(imageBytes),
            humanBytes(distinct),
            `${(imageBytes / distinct).toFixed(2)}x`,
            "2",
        ]);
        expect(run.stdout).toContain(`Bundled 8 images of kubeflow-1.8.1, the rendered manifests, lock.json and SHA256SUMS in ${bundle}.`);
    });

    it("stores every blob once, names every image in one index and checksums every file", async () => {
        const store = readdirSync(join(bundle, "oci", "blobs", "sha256")).sort();
        expect(store).toEqual([...new Set(built.flatMap((image) => image.blobs.map((blob) => blob.digest.slice("sha256:".length))))].sort());
        const index = readIndex(join(bundle, "oci"));
        expect(Object.fromEntries(index.manifests.map((descriptor) => [descriptor.annotations?.[REF_NAME], descriptor.digest]))).toEqual(lockedDigests());
        expect(readLock(join(bundle, "lock.json"))).toEqual(readLock(lockFile));
        expect(readFileSync(join(bundle, "manifests", "kubeflow-v1.8.1", "pipelines.yaml"), "utf8")).toBe(
            readFileSync(join(manifests, "kubeflow-v1.8.1", "pipelines.yaml"), "utf8"),
        );
        const sums = readFileSync(join(bundle, "SHA256SUMS"), "utf8").trimEnd().split("\n");
        expect(sums.map((line) => line.slice(66))).toEqual(filesUnder(bundle, ["SHA256SUMS"]));
        for (const line of sums) expect(`${await sha256File(join(bundle, line.slice(66)))}  ${line.slice(66)}`).toBe(line);
    });

    it("does nothing but verify when the bundle is complete", async () => {
        const run = await kfstack("mirror", "bundle", "--lock", lockFile, "--out", bundle, "--manifests", manifests, "--registries-conf", conf);
        expect(run.code).toBe(0);
        expect(summaryRow(run.stdout).slice(0, 4)).toEqual(["8", "0", "8", "0"]);
    });

    it("fetches a damaged blob anew when the bundle runs again", async () => {
        const damaged = built.find((image) => image.image === "gcr.io/ml-pipeline/api-server:2.0.5")!;
        writeFileSync(blobPath(join(bundle, "oci"), ownLayer(damaged)), "not the layer");
        const run = await kfstack("mirror", "bundle", "--lock", lockFile, "--out", bundle, "--manifests", manifests, "--registries-conf", conf);
        expect(run.code).toBe(0);
        expect([...run.stderr.matchAll(/^bundled \d\/8: copied (\S+)/gm)].map((match) => match[1])).toEqual([damaged.image]);
        expect(`sha256:${await sha256File(blobPath(join(bundle, "oci"), ownLayer(damaged)))}`).toBe(ownLayer(damaged));
    });

    it("pushes every image into the private registry, each serving its locked digest", async () => {
        const registry = `${privateRegistry!.host}/mirror`;
        const run = await kfstack("mirror", "push", "--bundle", bundle, "--registry", registry, "--insecure");
        expect(run.stderr).not.toContain("not pushed");
        expect(run.code).toBe(0);
        for (const image of built) {
            expect(await new Skopeo().manifestDigest(`docker://${registry}/${pathAndTag(image.image)}`, { tlsVerify: false })).toBe(image.digest);
        }
        expect(JSON.parse(readFileSync(join(bundle, "pushed.json"), "utf8"))).toEqual({
            pushed: Object.fromEntries(built.map((image) => [`${registry}/${pathAndTag(image.image)}`, image.digest]).sort(([a], [b]) => a!.localeCompare(b!))),
        });
        expect(summaryRow(run.stdout).slice(0, 5)).toEqual([registry, "8", "8", "0", "0"]);
        expect(run.stdout).toContain(
            `Every image of the bundle is in ${registry}, each verified against the lock's digest (recorded in ${join(bundle, "pushed.json")}).`,
        );
    });

    it("skips the images already pushed and verified when the push runs again", async () => {
        const run = await kfstack("mirror", "push", "--bundle", bundle, "--registry", `${privateRegistry!.host}/mirror`, "--insecure");
        expect(run.code).toBe(0);
        expect(summaryRow(run.stdout).slice(0, 5)).toEqual([`${privateRegistry!.host}/mirror`, "8", "0", "8", "0"]);
    });

    it("does not push an image with a corrupted blob, names the blob, and pushes and records the others", async () => {
        const copy = join(root, "bundle-copy");
        cpSync(bundle, copy, { recursive: true });
        rmSync(join(copy, "pushed.json"));
        const damaged = built.find((image) => image.image === "docker.io/kubeflow/training-operator:v1-9e52eb7")!;
        const blob = blobPath(join(copy, "oci"), ownLayer(damaged));
        const bytes = readFileSync(blob);
        bytes[100] = bytes[100]! ^ 0xff;
        writeFileSync(blob, bytes);
        const actual = await sha256File(blob);
        const registry = `${privateRegistry!.host}/damaged`;

        const run = await kfstack("mirror", "push", "--bundle", copy, "--registry", registry, "--insecure");
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(
            `\n${damaged.image}: not pushed: blob ${ownLayer(damaged)} (layer 2 of 2) has sha256 ${actual}. The bundle is damaged: check it with \`sha256sum -c SHA256SUMS\` in ${copy}, ` +
                "copy it again (or run `mirror bundle` again on the connected side, which fetches damaged blobs anew), then run this push again.\n",
        );
        expect(run.stderr).toContain(
            `\n1 of 8 images were not pushed; 7 are pushed and verified (recorded in ${join(copy, "pushed.json")}). Fix the causes above, then run the same command again: it pushes only the rest.\n`,
        );
        const pushed = JSON.parse(readFileSync(join(copy, "pushed.json"), "utf8")) as { pushed: Record<string, string> };
        expect(Object.keys(pushed.pushed).sort()).toEqual(
            built
                .filter((image) => image !== damaged)
                .map((image) => `${registry}/${pathAndTag(image.image)}`)
                .sort(),
        );
        const inspect = new Skopeo().manifestDigest(`docker://${registry}/${pathAndTag(damaged.image)}`, { tlsVerify: false });
        await expect(inspect).rejects.toThrow(SkopeoCommandError);
        await expect(inspect).rejects.toThrow(/manifest unknown/);
    });
});
