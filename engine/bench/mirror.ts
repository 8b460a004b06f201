// The mirror benchmark behind `kfstack bench`: `mirror bundle` and `mirror
// push` as whole processes (`npm run mirror -- …`), of synthetic images under
// the names of a stack's whole inventory, between two local registries,
// against raw `skopeo copy` doing the same transfers with the same parallelism
// (into one OCI blob store, then out of it), interleaved round by round; and
// each command re-run with nothing left to do.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ImageLock } from "../../components/images/lock";
import { type LocalRegistry, REGISTRY_COMMAND, commandExists, startLocalRegistry } from "../image-transfer/local-registry";
import { type LockEntry, lockEntries, normalizeImages, resolveLock, writeLock } from "../image-transfer/lock";
import { forEachLimit } from "../image-transfer/parallel";
import { sourceReference, targetReference } from "../image-transfer/reference";
import { Skopeo } from "../image-transfer/skopeo";
import { publishSynthetic, registriesConf, syntheticImagesNamed } from "../image-transfer/synthetic";
import { type Spread, interleaved, spread, timedNpmRun } from "./processes";

const run = promisify(execFile);

export interface MirrorBench {
    images: number;
    parallel: number;
    runs: number;
    bundle: Spread;
    rawCopy: Spread;
    bundleNoop: Spread;
    push: Spread;
    rawPush: Spread;
    pushNoop: Spread;
}

export interface MirrorBenchOptions {
    runs: number;
    /** Tagged image references, the images to carry. */
    images: readonly string[];
    /** Rendered manifests each bundle carries. */
    manifestsDir: string;
    parallel: number;
    progress: (line: string) => void;
}

/** Why the mirror benchmark cannot run here, or undefined when it can. */
export function mirrorBenchUnavailable(): string | undefined {
    const missing = ["skopeo", REGISTRY_COMMAND].filter((command) => !commandExists(command));
    return missing.length === 0
        ? undefined
        : `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not on PATH (Debian: apt-get install ${missing.join(" ")})`;
}

interface Setup {
    root: string;
    conf: string;
    lockFile: string;
    lock: ImageLock;
    privateHost: string;
}

/** Publishes the synthetic images to a public stand-in registry and locks them; `registries` collects what to stop. */
async function prepare(root: string, registries: LocalRegistry[], options: MirrorBenchOptions): Promise<Setup> {
    const publicRegistry = await startLocalRegistry(join(root, "public"));
    registries.push(publicRegistry);
    const privateRegistry = await startLocalRegistry(join(root, "private"));
    registries.push(privateRegistry);
    options.progress(`publishing ${options.images.length} synthetic images`);
    await publishSynthetic(new Skopeo(), publicRegistry.host, join(root, "published"), syntheticImagesNamed(options.images));
    const conf = join(root, "registries.conf");
    writeFileSync(conf, registriesConf(publicRegistry.host, [...options.images]));
    const lock = await resolveLock("kubeflow-1.8.1", normalizeImages([...options.images], "the inventory"), { skopeo: new Skopeo({ registriesConf: conf }) });
    const lockFile = join(root, "lock.json");
    writeLock(lockFile, lock);
    return { root, conf, lockFile, lock, privateHost: privateRegistry.host };
}

/** Raw `skopeo copy` of every locked image, `parallel` at a time, with the arguments `copyArgs` gives; its wall time. */
async function rawSkopeo(setup: Setup, parallel: number, copyArgs: (position: number, entry: LockEntry) => string[]): Promise<number> {
    const started = performance.now();
    await forEachLimit([...lockEntries(setup.lock).entries()], parallel, async ([position, entry]) => {
        await run("skopeo", ["copy", "--quiet", "--multi-arch", "all", ...copyArgs(position, entry)]);
    });
    return performance.now() - started;
}

/** Every locked image into one shared blob store (an OCI layout per image), as a bundle stores them. */
const rawCopy = (setup: Setup, directory: string, parallel: number) => {
    mkdirSync(directory);
    return rawSkopeo(setup, parallel, (position, entry) => [
        "--registries-conf",
        setup.conf,
        "--dest-shared-blob-dir",
        join(directory, "blobs"),
        sourceReference(entry.image, entry.digest),
        `oci:${join(directory, String(position))}:image`,
    ]);
};

/** Every image of `rawCopy`'s store into the private registry, as a push sends them. */
const rawPush = (setup: Setup, directory: string, round: number, parallel: number) =>
    rawSkopeo(setup, parallel, (position, entry) => [
        "--src-shared-blob-dir",
        join(directory, "blobs"),
        "--dest-tls-verify=false",
        `oci:${join(directory, String(position))}:image`,
        `docker://${targetReference(`${setup.privateHost}/raw-${round}`, entry.image, entry.digest)}`,
    ]);

export async function benchMirror(options: MirrorBenchOptions): Promise<MirrorBench> {
    const root = mkdtempSync(join(tmpdir(), "kfstack-bench-mirror-"));
    const registries: LocalRegistry[] = [];
    try {
        const setup = await prepare(root, registries, options);
        const parallel = String(options.parallel);
        const bundleDir = (round: number) => join(root, `bundle-${round}`);
        const rawDir = (round: number) => join(root, `raw-${round}`);
        const bundle = (round: number) =>
            timedNpmRun("mirror", [
                "bundle",
                "--lock",
                setup.lockFile,
                "--out",
                bundleDir(round),
                "--manifests",
                options.manifestsDir,
                "--registries-conf",
                setup.conf,
                "--parallel",
                parallel,
            ]);
        const push = (round: number) =>
            timedNpmRun("mirror", [
                "push",
                "--bundle",
                bundleDir(round),
                "--registry",
                `${setup.privateHost}/bundle-${round}`,
                "--insecure",
                "--parallel",
                parallel,
            ]);
        const times = await interleaved(
            options.runs,
            {
                bundle,
                rawCopy: (round) => rawCopy(setup, rawDir(round), options.parallel),
                bundleNoop: bundle,
                push,
                rawPush: (round) => rawPush(setup, rawDir(round), round, options.parallel),
                pushNoop: (round) => {
                    const ms = push(round);
                    rmSync(bundleDir(round), { recursive: true, force: true });
                    rmSync(rawDir(round), { recursive: true, force: true });
                    return ms;
                },
            },
            options.progress,
        );
        return {
            images: Object.keys(setup.lock.images).length,
            parallel: options.parallel,
            runs: options.runs,
            bundle: spread(times.bundle),
            rawCopy: spread(times.rawCopy),
            bundleNoop: spread(times.bundleNoop),
            push: spread(times.push),
            rawPush: spread(times.rawPush),
            pushNoop: spread(times.pushNoop),
        };
    } finally {
        for (const registry of registries) await registry.stop();
        rmSync(root, { recursive: true, force: true });
    }
}
