// The mirror's pieces that need neither skopeo nor a registry: image names,
// lock files, the bundle layout's blob checks, skopeo's errors, and the CLI's
// refusals of bad input.
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BlobChecker, blobPath, createLayout, describeProblem, imageBlobs } from "../../engine/image-transfer/layout";
import { lockEntries, normalizeImages, readLock, resolveLock } from "../../engine/image-transfer/lock";
import { pushTargets } from "../../engine/image-transfer/push";
import { parseRegistryDestination, targetReference } from "../../engine/image-transfer/reference";
import { Skopeo, skopeoMessage } from "../../engine/image-transfer/skopeo";
import { buildImage, ownLayer, SYNTHETIC_IMAGES } from "../../engine/image-transfer/synthetic";
import { kfstack } from "./helpers";
import { normalizeImage } from "../../core/image-references";

const scratch = () => mkdtempSync(join(tmpdir(), "kfstack-mirror-unit-"));
const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;

function writeJson(file: string, value: unknown): string {
    writeFileSync(file, JSON.stringify(value));
    return file;
}

describe("normalizeImage", () => {
    it("makes Docker Hub and library/ explicit and keeps the tag", () => {
        expect(normalizeImage("busybox:1.28")?.image).toBe("docker.io/library/busybox:1.28");
        expect(normalizeImage("kubeflow/training-operator:v1-9e52eb7")).toEqual({
            image: "docker.io/kubeflow/training-operator:v1-9e52eb7",
            registry: "docker.io",
            path: "kubeflow/training-operator",
            tag: "v1-9e52eb7",
        });
        expect(normalizeImage("index.docker.io/istio/pilot:1.17.5")?.image).toBe("docker.io/istio/pilot:1.17.5");
        expect(normalizeImage("gcr.io/ml-pipeline/api-server:2.0.5")?.image).toBe("gcr.io/ml-pipeline/api-server:2.0.5");
    });

    it("leaves an untagged image untagged, as the image inventory does, and keeps a digest", () => {
        expect(normalizeImage("gcr.io/knative-releases/serving/activator")?.image).toBe("gcr.io/knative-releases/serving/activator");
        expect(normalizeImage(`gcr.io/knative-releases/serving/activator@${DIGEST_A}`)).toEqual({
            image: `gcr.io/knative-releases/serving/activator@${DIGEST_A}`,
            registry: "gcr.io",
            path: "knative-releases/serving/activator",
            digest: DIGEST_A,
        });
    });

    it("refuses what is not an image reference", () => {
        expect(normalizeImage("https://example.com/x")).toBeUndefined();
        expect(normalizeImage("Kubeflow/Training")).toBeUndefined();
    });
});

describe("where an image is pushed", () => {
    it("accepts host[:port][/prefix] and drops a trailing slash", () => {
        expect(parseRegistryDestination("registry.enclave.local:5000/kubeflow/")).toBe("registry.enclave.local:5000/kubeflow");
        expect(parseRegistryDestination("localhost:5000")).toBe("localhost:5000");
        expect(parseRegistryDestination("https://registry.enclave.local")).toBeUndefined();
        expect(parseRegistryDestination("registry.enclave.local/Kubeflow")).toBeUndefined();
    });

    it("keeps the repository path and tag, uses the digest for an image pinned only by digest, and latest for an untagged one", () => {
        const target = (text: string) => targetReference("registry.enclave.local/kf", normalizeImage(text)!, DIGEST_A);
        expect(target("docker.io/kubeflow/training-operator:v1-9e52eb7")).toBe("registry.enclave.local/kf/kubeflow/training-operator:v1-9e52eb7");
        expect(target(`gcr.io/knative-releases/serving/activator@${DIGEST_A}`)).toBe(
            `registry.enclave.local/kf/knative-releases/serving/activator@${DIGEST_A}`,
        );
        expect(target("quay.io/jetstack/cert-manager-controller")).toBe("registry.enclave.local/kf/jetstack/cert-manager-controller:latest");
    });

    it("refuses to push two images of different registries to the same reference", () => {
        const entries = lockEntries({
            release: "kubeflow-1.8.1",
            images: { "docker.io/kserve/agent:v0.11.2": DIGEST_A, "gcr.io/kserve/agent:v0.11.2": DIGEST_B, "gcr.io/ml-pipeline/api-server:2.0.5": DIGEST_A },
        });
        expect(() => pushTargets(entries, "registry.enclave.local")).toThrow(
            [
                "Images from different registries would be pushed to the same reference in registry.enclave.local; nothing was pushed:",
                "  registry.enclave.local/kserve/agent:v0.11.2: docker.io/kserve/agent:v0.11.2, gcr.io/kserve/agent:v0.11.2",
                "Push each group to its own --registry prefix.",
            ].join("\n"),
        );
    });
});

describe("the lock file", () => {
    it("reads a valid lock", () => {
        const file = writeJson(join(scratch(), "lock.json"), { release: "kubeflow-1.8.1", images: { "gcr.io/ml-pipeline/api-server:2.0.5": DIGEST_A } });
        expect(lockEntries(readLock(file))).toEqual([{ image: normalizeImage("gcr.io/ml-pipeline/api-server:2.0.5"), digest: DIGEST_A }]);
    });

    it("names every bad entry: a key that is not normalized, a value that is not a digest, a digest the reference contradicts", () => {
        const file = writeJson(join(scratch(), "lock.json"), {
            release: "kubeflow-1.8.1",
            images: {
                "busybox:1.28": DIGEST_A,
                "gcr.io/ml-pipeline/api-server:2.0.5": "sha256:abc",
                [`gcr.io/knative-releases/serving/activator@${DIGEST_A}`]: DIGEST_B,
            },
        });
        expect(() => readLock(file)).toThrow(
            [
                `${file} is not a valid image lock:`,
                '  images["busybox:1.28"]: the key must be the normalized reference "docker.io/library/busybox:1.28"',
                '  images["gcr.io/ml-pipeline/api-server:2.0.5"]: "sha256:abc" is not a sha256 digest ("sha256:" and 64 hex digits)',
                `  images["gcr.io/knative-releases/serving/activator@${DIGEST_A}"]: the reference pins ${DIGEST_A}, but the lock says ${DIGEST_B}`,
                "Make it again with `npm run images -- lock <bom>`.",
            ].join("\n"),
        );
    });

    it("says how to make a lock that is missing", () => {
        const file = join(scratch(), "missing.json");
        expect(() => readLock(file)).toThrow(`There is no image lock at ${file}; make one on a connected machine with \`npm run images -- lock <release>\`.`);
    });

    it("refuses a lock without release or images", () => {
        const file = writeJson(join(scratch(), "lock.json"), { images: {} });
        expect(() => readLock(file)).toThrow(
            [
                `${file} is not a valid image lock:`,
                '  "release" must name the release, such as "kubeflow-1.8.1"',
                '  "images" is empty',
                "Make it again with `npm run images -- lock <bom>`.",
            ].join("\n"),
        );
    });

    it("normalizes and deduplicates an image list, naming every entry that is not an image", () => {
        expect(
            normalizeImages(["busybox:1.28", "docker.io/library/busybox:1.28", "gcr.io/ml-pipeline/api-server:2.0.5"], "images.json").map(
                (image) => image.image,
            ),
        ).toEqual(["docker.io/library/busybox:1.28", "gcr.io/ml-pipeline/api-server:2.0.5"]);
        expect(() => normalizeImages(["busybox:1.28", 7, "no spaces allowed"], "images.json")).toThrow(
            [
                'images.json lists entries that are not image references (such as "gcr.io/ml-pipeline/api-server:2.0.5"); fix them:',
                "  [1]: 7 is not an image reference",
                '  [2]: "no spaces allowed" is not an image reference',
            ].join("\n"),
        );
    });
});

describe("the bundle's blob checks", () => {
    function layoutWith(image: ReturnType<typeof buildImage>): string {
        const layout = join(scratch(), "oci");
        createLayout(layout);
        for (const blob of image.blobs) writeFileSync(blobPath(layout, blob.digest), blob.bytes);
        return layout;
    }
    const descriptorOf = (image: ReturnType<typeof buildImage>) => ({ mediaType: image.mediaType, digest: image.digest, size: image.size });

    it("walks a multi-arch image to every blob, each counted once", async () => {
        const image = buildImage(SYNTHETIC_IMAGES.find((candidate) => candidate.format === "oci-index")!);
        const blobs = await imageBlobs(new BlobChecker(layoutWith(image)), descriptorOf(image));
        expect(blobs.problems).toEqual([]);
        expect(blobs.instances).toHaveLength(2);
        expect(blobs.size).toBe([...new Map(image.blobs.map((blob) => [blob.digest, blob.bytes.length])).values()].reduce((sum, size) => sum + size, 0));
    });

    it("names a corrupted and a missing blob with what it is to the image", async () => {
        const image = buildImage(SYNTHETIC_IMAGES[0]!);
        const layout = layoutWith(image);
        writeFileSync(blobPath(layout, ownLayer(image)), "corrupted");
        const manifest = JSON.parse(image.blobs[0]!.bytes.toString("utf8")) as { config: { digest: string } };
        rmSync(blobPath(layout, manifest.config.digest));
        const blobs = await imageBlobs(new BlobChecker(layout), descriptorOf(image));
        expect(blobs.problems.map(describeProblem)).toEqual([
            `blob ${manifest.config.digest} (config) is missing`,
            `blob ${ownLayer(image)} (layer 2 of 2) has sha256 ${createHash("sha256").update("corrupted").digest("hex")}`,
        ]);
    });
});

/** A stand-in skopeo: version 1.9.3; `inspect` serves one small manifest, except that quay.io is unreachable. */
function fakeSkopeo(): Skopeo {
    const bin = scratch();
    writeFileSync(
        join(bin, "fatal.txt"),
        'time="2026-01-01T00:00:00Z" level=fatal msg="Error parsing image name \\"docker://quay.io/x\\": pinging container registry quay.io: connection refused"\n',
    );
    const script = [
        "#!/bin/sh",
        'if [ "$1" = "--version" ]; then echo "skopeo version 1.9.3"; exit 0; fi',
        'for arg; do last="$arg"; done',
        'case "$last" in',
        `  docker://quay.io/*) while IFS= read -r line; do printf '%s\\n' "$line" >&2; done < ${join(bin, "fatal.txt")}; exit 1;;`,
        `  *) printf '%s' '{"schemaVersion":2}';;`,
        "esac",
        "",
    ];
    writeFileSync(join(bin, "skopeo"), script.join("\n"));
    chmodSync(join(bin, "skopeo"), 0o755);
    return new Skopeo({ env: { PATH: bin } });
}

describe("resolveLock", () => {
    const served = `sha256:${createHash("sha256").update('{"schemaVersion":2}').digest("hex")}`;

    it("locks the sha256 of the manifest each image serves", async () => {
        const images = normalizeImages(["gcr.io/ml-pipeline/api-server:2.0.5", "busybox:1.28"], "images.json");
        expect(await resolveLock("kubeflow-1.8.1", images, { skopeo: fakeSkopeo() })).toEqual({
            release: "kubeflow-1.8.1",
            images: { "docker.io/library/busybox:1.28": served, "gcr.io/ml-pipeline/api-server:2.0.5": served },
        });
    });

    it("names every image it could not resolve, one line per cause, and writes nothing", async () => {
        const images = normalizeImages(
            ["gcr.io/ml-pipeline/api-server:2.0.5", "quay.io/jetstack/cert-manager-controller:v1.12.2", "quay.io/jetstack/cert-manager-webhook:v1.12.2"],
            "images.json",
        );
        await expect(resolveLock("kubeflow-1.8.1", images, { skopeo: fakeSkopeo() })).rejects.toThrow(
            [
                "Could not resolve 2 of 3 images; no lock was written:",
                "  quay.io/jetstack/cert-manager-controller:v1.12.2, quay.io/jetstack/cert-manager-webhook:v1.12.2 (2 images): pinging container registry quay.io: connection refused.",
                "Check the network connection, the image names and the registry credentials (`skopeo login <registry>`); for a mirror or an insecure registry pass --registries-conf <file>.",
            ].join("\n"),
        );
    });
});

describe("skopeo", () => {
    it("says how to install skopeo when it is not on PATH", async () => {
        const empty = scratch();
        await expect(new Skopeo({ env: { PATH: empty } }).version()).rejects.toThrow(
            `skopeo is not installed (it is not on PATH: ${empty}). kfstack resolves, bundles and pushes container images with skopeo, a declared system dependency of \`images lock\` and \`mirror bundle|push\`. ` +
                "Install skopeo 1.9 or newer (Debian and Ubuntu: `sudo apt-get install skopeo`; Fedora and RHEL: `sudo dnf install skopeo`; macOS: `brew install skopeo`), then run the command again.",
        );
    });

    it("refuses a skopeo older than 1.9", async () => {
        const bin = scratch();
        writeFileSync(join(bin, "skopeo"), "#!/bin/sh\necho 'skopeo version 1.4.1'\n");
        chmodSync(join(bin, "skopeo"), 0o755);
        await expect(new Skopeo({ env: { PATH: bin } }).version()).rejects.toThrow(
            'skopeo reports "skopeo version 1.4.1", but kfstack needs skopeo 1.9 or newer (for `copy --preserve-digests` and `--multi-arch`). Install a newer skopeo, then run the command again.',
        );
    });

    it("turns skopeo's fatal log line into one sentence", () => {
        expect(
            skopeoMessage(
                'time="2026-01-01T00:00:00Z" level=fatal msg="Error parsing image name \\"docker://gcr.io/x/y:1\\": reading manifest 1 in gcr.io/x/y: manifest unknown: manifest unknown"\n',
            ),
        ).toBe("reading manifest 1 in gcr.io/x/y: manifest unknown: manifest unknown.");
    });
});

describe("mirror and images commands refuse bad input", () => {
    it("asks what to bundle when neither --stack nor --lock is given", async () => {
        const run = await kfstack("mirror", "bundle", "--out", join(scratch(), "bundle"), "--manifests", scratch());
        expect(run).toEqual({ code: 2, stdout: "", stderr: "Say what to bundle: --stack <stack> (the committed lock of its release) or --lock <file>.\n" });
    });

    it("refuses a --parallel that is not a positive whole number", async () => {
        const run = await kfstack("mirror", "bundle", "--lock", "lock.json", "--out", "bundle", "--parallel", "0");
        expect(run).toEqual({ code: 2, stdout: "", stderr: "--parallel must be a whole number from 1 to 64, not 0.\n" });
    });

    it("refuses to write a bundle into a directory that is not one", async () => {
        const out = scratch();
        writeFileSync(join(out, "notes.txt"), "mine");
        const lock = writeJson(join(scratch(), "lock.json"), { release: "kubeflow-1.8.1", images: { "gcr.io/ml-pipeline/api-server:2.0.5": DIGEST_A } });
        expect(await kfstack("mirror", "bundle", "--lock", lock, "--out", out, "--manifests", scratch())).toEqual({
            code: 2,
            stdout: "",
            stderr: `${out} exists and is not a kfstack bundle (it has files but no oci/oci-layout); choose a new or empty directory for --out.\n`,
        });
    });

    it("refuses to push a directory that is not a bundle, or one without SHA256SUMS", async () => {
        const notBundle = scratch();
        expect(await kfstack("mirror", "push", "--bundle", notBundle, "--registry", "registry.enclave.local")).toEqual({
            code: 2,
            stdout: "",
            stderr: `${notBundle} is not a kfstack bundle: it has no oci/index.json. Pass --bundle the directory \`npm run mirror -- bundle --out <dir>\` made.\n`,
        });
        const incomplete = scratch();
        createLayout(join(incomplete, "oci"));
        expect(await kfstack("mirror", "push", "--bundle", incomplete, "--registry", "registry.enclave.local")).toEqual({
            code: 2,
            stdout: "",
            stderr: `${incomplete} is an incomplete bundle: it has no SHA256SUMS, which \`mirror bundle\` writes last. Finish it on the connected side by running the same \`npm run mirror -- bundle\` command again, then copy it here again.\n`,
        });
    });

    it("refuses a bundle whose lock does not match SHA256SUMS", async () => {
        const bundle = scratch();
        createLayout(join(bundle, "oci"));
        writeJson(join(bundle, "lock.json"), { release: "kubeflow-1.8.1", images: { "gcr.io/ml-pipeline/api-server:2.0.5": DIGEST_A } });
        writeFileSync(join(bundle, "SHA256SUMS"), `${"0".repeat(64)}  lock.json\n`);
        const run = await kfstack("mirror", "push", "--bundle", bundle, "--registry", "registry.enclave.local");
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(
            new RegExp(
                `^${join(bundle, "lock.json")} has sha256 [0-9a-f]{64}, but SHA256SUMS says 0{64}: the bundle was changed or damaged after it was made\\. Check it with \`sha256sum -c SHA256SUMS\` in ${bundle} and copy it again\\.\n$`,
            ),
        );
    });

    it("refuses a registry that is not host[:port][/prefix]", async () => {
        const run = await kfstack("mirror", "push", "--bundle", scratch(), "--registry", "https://registry.enclave.local");
        expect(run).toEqual({
            code: 2,
            stdout: "",
            stderr: '--registry "https://registry.enclave.local" is not a registry: give host[:port][/prefix] in lower case, such as registry.enclave.local:5000/kubeflow.\n',
        });
    });

    it("refuses to verify a stack that is not air-gapped, or a registry that is not host[:port][/prefix], before planning", async () => {
        expect(await kfstack("mirror", "verify", "--stack", "dev")).toEqual({
            code: 2,
            stdout: "",
            stderr: 'Stack "dev" is not air-gapped (kfstack:airGap.enabled is false): its images come from their public registries, so there is no mirror to verify.\n',
        });
        expect(await kfstack("mirror", "verify", "--stack", "airgap", "--registry", "Registry.Enclave")).toEqual({
            code: 2,
            stdout: "",
            stderr: '--registry "Registry.Enclave" is not a registry: give host[:port][/prefix] in lower case, such as registry.enclave.local:5000/kubeflow.\n',
        });
    });

    it("refuses an image list that is not a JSON array, and names entries that are not images", async () => {
        const directory = scratch();
        const object = writeJson(join(directory, "object.json"), { images: [] });
        expect(await kfstack("images", "lock", "kubeflow-1.8.1", "--images", object)).toEqual({
            code: 2,
            stdout: "",
            stderr: `${object} is not a JSON array; --images takes a JSON array of image references, such as ["gcr.io/ml-pipeline/api-server:2.0.5"].\n`,
        });
        const bad = writeJson(join(directory, "bad.json"), ["gcr.io/ml-pipeline/api-server:2.0.5", "not an image"]);
        expect(await kfstack("images", "lock", "kubeflow-1.8.1", "--images", bad)).toEqual({
            code: 2,
            stdout: "",
            stderr: `${bad} lists entries that are not image references (such as "gcr.io/ml-pipeline/api-server:2.0.5"); fix them:\n  [1]: "not an image" is not an image reference\n`,
        });
    });

    it("refuses an unknown release", async () => {
        const run = await kfstack("images", "lock", "kubeflow-9.9.9", "--images", "images.json");
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/^There is no bill of materials "kubeflow-9\.9\.9"; known releases: .*kubeflow-1\.8\.1.*\.\n$/);
    });
});
