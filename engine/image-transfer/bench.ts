// The mirror benchmark behind `kfstack bench`: bundle and push of the
// synthetic Kubeflow images between two local registries, against a naive
// sequential `skopeo copy` loop (each image into its own directory, then each
// pushed alone), and re-runs with nothing left to do. Medians over `runs`.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageLock } from "../../components/images/lock";
import { type BundleResult, bundleImages } from "./bundle";
import { type LocalRegistry, commandExists, REGISTRY_COMMAND, startLocalRegistry } from "./local-registry";
import { lockEntries, normalizeImages, resolveLock } from "./lock";
import { pushBundle } from "./push";
import { sourceReference, targetReference } from "./reference";
import { Skopeo } from "./skopeo";
import { publishSynthetic, registriesConf, SYNTHETIC_IMAGES } from "./synthetic";

export interface MirrorBenchStep {
    step: string;
    ms: number;
    bytes?: number;
    dedupRatio?: number;
}

export interface MirrorBenchResult {
    images: number;
    manifestFiles: number;
    runs: number;
    steps: MirrorBenchStep[];
}

/** Why the mirror benchmark cannot run here, or undefined when it can. */
export function mirrorBenchUnavailable(): string | undefined {
    const missing = ["skopeo", REGISTRY_COMMAND].filter((command) => !commandExists(command));
    return missing.length === 0
        ? undefined
        : `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not on PATH (Debian: apt-get install ${missing.join(" ")})`;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const bytesUnder = (directory: string): number =>
    readdirSync(directory, { withFileTypes: true }).reduce(
        (sum, entry) => sum + (entry.isDirectory() ? bytesUnder(join(directory, entry.name)) : statSync(join(directory, entry.name)).size),
        0,
    );

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const started = performance.now();
    const value = await work();
    return { ms: performance.now() - started, value };
}

/** What every run of the benchmark shares: the private registry, the lock of the synthetic images and the manifests to carry. */
interface BenchSetup {
    root: string;
    privateRegistry: LocalRegistry;
    skopeo: Skopeo;
    lock: ImageLock;
    manifestsDir: string;
    parallel: number;
}

/** Starts the two registries (into `registries`, which the caller stops), publishes the synthetic images and locks them. */
async function prepareBench(root: string, registries: LocalRegistry[], options: BenchOptions): Promise<BenchSetup> {
    const publicRegistry = await startLocalRegistry(join(root, "public"));
    registries.push(publicRegistry);
    const privateRegistry = await startLocalRegistry(join(root, "private"));
    registries.push(privateRegistry);
    options.onProgress?.("publishing the synthetic images");
    await publishSynthetic(new Skopeo(), publicRegistry.host, join(root, "published"));
    const conf = join(root, "registries.conf");
    writeFileSync(
        conf,
        registriesConf(
            publicRegistry.host,
            SYNTHETIC_IMAGES.map((image) => image.image),
        ),
    );
    const skopeo = new Skopeo({ registriesConf: conf });
    const lock = await resolveLock(
        "kubeflow-1.8.1",
        normalizeImages(
            SYNTHETIC_IMAGES.map((image) => image.image),
            "the synthetic images",
        ),
        { skopeo },
    );
    const manifestsDir = options.manifestsDir ?? join(root, "manifests");
    if (!options.manifestsDir) {
        mkdirSync(manifestsDir);
        writeFileSync(join(manifestsDir, "kubeflow.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n");
    }
    return { root, privateRegistry, skopeo, lock, manifestsDir, parallel: options.parallel ?? 4 };
}

type Sample = (step: string, ms: number) => void;

/** Bundles, then bundles again with nothing to do; returns the bundle's sizes. */
async function benchBundle(setup: BenchSetup, out: string, sample: Sample): Promise<BundleResult> {
    const { lock, manifestsDir, skopeo, parallel } = setup;
    const bundled = await timed(() => bundleImages({ lock, outDir: out, manifestsDir, skopeo, parallel }));
    if (!bundled.value.complete) throw new Error(`The benchmark bundle failed: ${bundled.value.failures.map((failure) => failure.error).join(" ")}`);
    sample("bundle", bundled.ms);
    sample("bundle re-run", (await timed(() => bundleImages({ lock, outDir: out, manifestsDir, skopeo, parallel }))).ms);
    return bundled.value;
}

/** Pushes the bundle, then pushes again with nothing to do; returns the bytes pushed. */
async function benchPush(setup: BenchSetup, out: string, run: number, sample: Sample): Promise<number> {
    const registry = `${setup.privateRegistry.host}/bundle-${run}`;
    const push = () => pushBundle({ bundleDir: out, registry, insecure: true, skopeo: new Skopeo(), parallel: setup.parallel });
    const pushed = await timed(push);
    if (!pushed.value.complete) throw new Error(`The benchmark push failed: ${pushed.value.failures.map((failure) => failure.error).join(" ")}`);
    sample("push", pushed.ms);
    sample("push re-run", (await timed(push)).ms);
    return pushed.value.bytes;
}

/** The baseline: a sequential `skopeo copy` of each image into its own directory, then each pushed alone; returns the bytes copied. */
async function benchNaive(setup: BenchSetup, run: number, sample: Sample): Promise<number> {
    const { skopeo } = setup;
    const naive = join(setup.root, `naive-${run}`);
    mkdirSync(naive);
    const entries = lockEntries(setup.lock);
    const copy = async () => {
        for (const [position, entry] of entries.entries())
            await skopeo.copy(sourceReference(entry.image, entry.digest), `dir:${join(naive, String(position))}`);
    };
    const push = async () => {
        for (const [position, entry] of entries.entries()) {
            await skopeo.copy(
                `dir:${join(naive, String(position))}`,
                `docker://${targetReference(`${setup.privateRegistry.host}/naive-${run}`, entry.image, entry.digest)}`,
                { extra: ["--dest-tls-verify=false"] },
            );
        }
    };
    sample("naive copy", (await timed(copy)).ms);
    const bytes = bytesUnder(naive);
    sample("naive push", (await timed(push)).ms);
    rmSync(naive, { recursive: true, force: true });
    return bytes;
}

interface BenchOptions {
    runs: number;
    parallel?: number;
    manifestsDir?: string;
    onProgress?: (line: string) => void;
}

/**
 * Runs the benchmark; `manifestsDir` is carried in each bundle (the shared
 * fixtures make it realistic), `onProgress` gets a line per phase.
 */
export async function benchMirror(options: BenchOptions): Promise<MirrorBenchResult> {
    const root = mkdtempSync(join(tmpdir(), "kfstack-bench-mirror-"));
    const registries: LocalRegistry[] = [];
    try {
        const setup = await prepareBench(root, registries, options);
        const samples: Record<string, number[]> = {};
        const sample: Sample = (step, ms) => (samples[step] ??= []).push(ms);
        let bundle = { imageBytes: 0, diskBytes: 0, manifestFiles: 0 };
        let pushedBytes = 0;
        let naiveBytes = 0;
        for (let run = 0; run < options.runs; run += 1) {
            options.onProgress?.(`run ${run + 1}/${options.runs}`);
            const out = join(root, `bundle-${run}`);
            bundle = await benchBundle(setup, out, sample);
            pushedBytes = await benchPush(setup, out, run, sample);
            naiveBytes = await benchNaive(setup, run, sample);
            rmSync(out, { recursive: true, force: true });
        }
        const step = (name: string, extra: Omit<MirrorBenchStep, "step" | "ms"> = {}): MirrorBenchStep => ({
            step: name,
            ms: median(samples[name]!),
            ...extra,
        });
        return {
            images: Object.keys(setup.lock.images).length,
            manifestFiles: bundle.manifestFiles,
            runs: options.runs,
            steps: [
                step("bundle", { bytes: bundle.diskBytes, dedupRatio: bundle.imageBytes / bundle.diskBytes }),
                step("bundle re-run"),
                step("naive copy", { bytes: naiveBytes, dedupRatio: bundle.imageBytes / naiveBytes }),
                step("push", { bytes: pushedBytes }),
                step("push re-run"),
                step("naive push", { bytes: naiveBytes }),
            ],
        };
    } finally {
        for (const registry of registries) await registry.stop();
        rmSync(root, { recursive: true, force: true });
    }
}
