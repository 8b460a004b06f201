// `mirror push` inside the enclave: pushes every image of a bundle into the
// enclave's registry. Each image's blobs are checked against their sha256
// before it is pushed (a damaged image is not pushed, and the blob is named);
// after the push, the digest the registry serves is compared with the lock,
// and only then is the image recorded in <bundle>/pushed.json. A re-run skips
// what is recorded and pushes the rest.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUNDLE_LAYOUT, BUNDLE_LOCK, BUNDLE_PUSHED, BUNDLE_SUMS, type ImageEvent } from "./bundle";
import { readChecksums } from "./checksums";
import { MirrorError, MirrorInputError } from "./errors";
import { sha256File, writeFileAtomic } from "./files";
import { BlobChecker, describeProblem, findRef, type ImageBlobs, imageBlobs, type OciIndex, readIndex, writeDirView } from "./layout";
import type { ImageLock } from "../../components/images/lock";
import { lockEntries, type LockEntry, readLock } from "./lock";
import { forEachLimit } from "./parallel";
import { layoutRefName, parseRegistryDestination, targetReference } from "./reference";
import { SkopeoCommandError, type Skopeo } from "./skopeo";

export interface PushOptions {
    bundleDir: string;
    /** `host[:port][/prefix]` of the enclave's registry. */
    registry: string;
    /** Plain HTTP or an unverified certificate (skopeo --dest-tls-verify=false). */
    insecure?: boolean;
    skopeo: Skopeo;
    /** Images pushed at once; 4 by default. */
    parallel?: number;
    /** Called once the bundle is read, with the number of images to push or skip. */
    onStart?: (total: number) => void;
    onImage?: (event: ImageEvent) => void;
    signal?: AbortSignal;
}

export interface PushResult {
    bundleDir: string;
    registry: string;
    images: ImageEvent[];
    failures: ImageEvent[];
    interrupted: boolean;
    /** Every image is pushed and verified, now or by an earlier run. */
    complete: boolean;
    pushedFile: string;
    bytes: number;
    ms: number;
}

/** pushed.json: target reference -> the digest verified there. */
interface PushedRecord {
    pushed: Record<string, string>;
}

/** The bundle's lock, checked against SHA256SUMS; throws MirrorInputError when the bundle is incomplete or changed. */
export async function readBundleLock(bundle: string): Promise<ImageLock> {
    const sums = join(bundle, BUNDLE_SUMS);
    if (!existsSync(join(bundle, BUNDLE_LAYOUT, "index.json"))) {
        throw new MirrorInputError(
            `${bundle} is not a kfstack bundle: it has no ${BUNDLE_LAYOUT}/index.json. Pass --bundle the directory \`npm run mirror -- bundle --out <dir>\` made.`,
        );
    }
    if (!existsSync(sums)) {
        throw new MirrorInputError(
            `${bundle} is an incomplete bundle: it has no ${BUNDLE_SUMS}, which \`mirror bundle\` writes last. Finish it on the connected side by running the same \`npm run mirror -- bundle\` command again, then copy it here again.`,
        );
    }
    const expected = readChecksums(sums).get(BUNDLE_LOCK);
    const actual = existsSync(join(bundle, BUNDLE_LOCK)) ? await sha256File(join(bundle, BUNDLE_LOCK)) : undefined;
    if (expected === undefined || actual !== expected) {
        throw new MirrorInputError(
            `${join(bundle, BUNDLE_LOCK)} ${actual === undefined ? "is missing" : `has sha256 ${actual}, but ${BUNDLE_SUMS} says ${expected ?? "nothing about it"}`}: the bundle was changed or damaged after it was made. Check it with \`sha256sum -c ${BUNDLE_SUMS}\` in ${bundle} and copy it again.`,
        );
    }
    return readLock(join(bundle, BUNDLE_LOCK), "the bundle is incomplete: make it again with `npm run mirror -- bundle`");
}

function readPushed(file: string): PushedRecord {
    if (!existsSync(file)) return { pushed: {} };
    try {
        const record = JSON.parse(readFileSync(file, "utf8")) as PushedRecord;
        if (typeof record.pushed !== "object" || record.pushed === null) throw new Error('it has no "pushed" object');
        return record;
    } catch (error) {
        throw new MirrorInputError(`${file} is not a record of pushed images (${(error as Error).message}); delete it to push every image again.`);
    }
}

/** Where each image goes; throws MirrorInputError when two images would land on the same reference. */
export function pushTargets(entries: LockEntry[], destination: string): Map<LockEntry, string> {
    const targets = new Map(entries.map((entry) => [entry, targetReference(destination, entry.image, entry.digest)]));
    const byTarget = new Map<string, string[]>();
    for (const [entry, target] of targets) byTarget.set(target, [...(byTarget.get(target) ?? []), entry.image.image]);
    const clashes = [...byTarget].filter(([, images]) => images.length > 1);
    if (clashes.length > 0) {
        throw new MirrorInputError(
            [
                `Images from different registries would be pushed to the same reference in ${destination}; nothing was pushed:`,
                ...clashes.map(([target, images]) => `  ${target}: ${images.join(", ")}`),
                "Push each group to its own --registry prefix.",
            ].join("\n"),
        );
    }
    return targets;
}

/** The registry's `host[:port][/prefix]`; throws MirrorInputError when --registry is not one. */
export function destinationOf(registry: string): string {
    const destination = parseRegistryDestination(registry);
    if (!destination) {
        throw new MirrorInputError(
            `--registry ${JSON.stringify(registry)} is not a registry: give host[:port][/prefix] in lower case, such as registry.enclave.local:5000/kubeflow.`,
        );
    }
    return destination;
}

function checkWritable(bundle: string): void {
    try {
        accessSync(bundle, constants.W_OK);
    } catch {
        throw new MirrorInputError(
            `The bundle directory ${bundle} is not writable, but push records each verified image in ${join(bundle, BUNDLE_PUSHED)}; copy the bundle to a writable disk first.`,
        );
    }
}

/**
 * The images of one push run: checks each image's blobs, pushes it, reads
 * back the digest the registry serves, and records the verified ones in
 * pushed.json, which only this object writes.
 */
class BundlePusher {
    readonly events: ImageEvent[] = [];
    readonly pushedFile: string;
    private readonly layout: string;
    private readonly index: OciIndex;
    private readonly checker: BlobChecker;
    private readonly record: PushedRecord;
    private readonly tls: { extra: string[]; inspect: { tlsVerify?: boolean } };
    private readonly signal: { signal?: AbortSignal };

    constructor(
        private readonly bundle: string,
        private readonly destination: string,
        private readonly targets: Map<LockEntry, string>,
        private readonly options: PushOptions,
    ) {
        this.layout = join(bundle, BUNDLE_LAYOUT);
        this.index = readIndex(this.layout);
        this.checker = new BlobChecker(this.layout);
        this.pushedFile = join(bundle, BUNDLE_PUSHED);
        this.record = readPushed(this.pushedFile);
        this.tls = options.insecure ? { extra: ["--dest-tls-verify=false"], inspect: { tlsVerify: false } } : { extra: [], inspect: {} };
        this.signal = options.signal ? { signal: options.signal } : {};
    }

    /** Pushes the image unless pushed.json records it at its target; a failure is recorded as an event, an abort ends it silently. */
    async add(entry: LockEntry): Promise<void> {
        const started = performance.now();
        const target = this.targets.get(entry)!;
        const finish = (event: Omit<ImageEvent, "image" | "ms">) => {
            const done = { image: entry.image.image, ms: performance.now() - started, ...event };
            this.events.push(done);
            this.options.onImage?.(done);
        };
        if (this.record.pushed[target] === entry.digest) return finish({ outcome: "skipped", bytes: 0 });
        try {
            const blobs = await this.checkedBlobs(entry);
            await this.copy(entry, blobs, target);
            await this.verify(entry, target);
            this.recordPushed(target, entry.digest);
            finish({ outcome: "pushed", bytes: blobs.size });
        } catch (error) {
            if (this.options.signal?.aborted) return;
            if (!(error instanceof MirrorError)) throw error;
            finish({ outcome: "failed", bytes: 0, error: error.message });
        }
    }

    /** The image's blobs, each checked against its sha256; throws MirrorError naming what is missing or damaged. */
    private async checkedBlobs(entry: LockEntry): Promise<ImageBlobs> {
        const descriptor = findRef(this.index, layoutRefName(entry.image));
        if (!descriptor)
            throw new MirrorError(
                `${entry.image.image}: not pushed: the bundle's ${BUNDLE_LAYOUT}/index.json has no such image although the lock lists it. Make the bundle again on the connected side.`,
            );
        if (descriptor.digest !== entry.digest) {
            throw new MirrorError(
                `${entry.image.image}: not pushed: the bundle holds manifest ${descriptor.digest}, but its lock says ${entry.digest}. Make the bundle again on the connected side.`,
            );
        }
        const blobs = await imageBlobs(this.checker, descriptor);
        if (blobs.problems.length > 0) {
            throw new MirrorError(
                `${entry.image.image}: not pushed: ${blobs.problems.map(describeProblem).join("; ")}. The bundle is damaged: check it with \`sha256sum -c ${BUNDLE_SUMS}\` in ${this.bundle}, ` +
                    "copy it again (or run `mirror bundle` again on the connected side, which fetches damaged blobs anew), then run this push again.",
            );
        }
        return blobs;
    }

    /** skopeo pushes the image from a directory view of its blobs. */
    private async copy(entry: LockEntry, blobs: ImageBlobs, target: string): Promise<void> {
        const view = mkdtempSync(join(tmpdir(), "kfstack-push-"));
        try {
            writeDirView(view, this.layout, blobs);
            await this.options.skopeo.copy(`dir:${view}`, `docker://${target}`, { extra: this.tls.extra, ...this.signal });
        } catch (error) {
            if (!(error instanceof SkopeoCommandError)) throw error;
            throw new MirrorError(
                `${entry.image.image}: could not push it to ${target}: ${error.detail} Check that the registry is reachable, that you are logged in (\`skopeo login ${this.destination.split("/")[0]}\`)` +
                    `${this.options.insecure ? "" : ", and pass --insecure for a registry served over plain HTTP or with an untrusted certificate"}; then run the same command again.`,
            );
        } finally {
            rmSync(view, { recursive: true, force: true });
        }
    }

    /** Reads back the digest the registry serves for the target; throws MirrorError unless it is the locked one. */
    private async verify(entry: LockEntry, target: string): Promise<void> {
        let served: string;
        try {
            served = await this.options.skopeo.manifestDigest(`docker://${target}`, { ...this.tls.inspect, ...this.signal });
        } catch (error) {
            if (!(error instanceof SkopeoCommandError)) throw error;
            throw new MirrorError(
                `${entry.image.image}: pushed to ${target}, but could not read it back to verify it: ${error.detail} It is not recorded as pushed; run the same command again.`,
            );
        }
        if (served !== entry.digest) {
            throw new MirrorError(
                `${entry.image.image}: pushed to ${target}, but the registry serves manifest ${served}, not the locked ${entry.digest}; it is not recorded as pushed. Check that nothing else writes to ${target} and that the registry keeps manifests unchanged, then run the same command again.`,
            );
        }
    }

    private recordPushed(target: string, digest: string): void {
        this.record.pushed[target] = digest;
        writeFileAtomic(
            this.pushedFile,
            `${JSON.stringify({ pushed: Object.fromEntries(Object.entries(this.record.pushed).sort(([a], [b]) => a.localeCompare(b))) }, null, 2)}\n`,
        );
    }
}

export async function pushBundle(options: PushOptions): Promise<PushResult> {
    const started = performance.now();
    const bundle = resolve(options.bundleDir);
    const destination = destinationOf(options.registry);
    const lock = await readBundleLock(bundle);
    checkWritable(bundle);
    const entries = lockEntries(lock);
    const targets = pushTargets(entries, destination);
    await options.skopeo.version();
    const pusher = new BundlePusher(bundle, destination, targets, options);
    options.onStart?.(entries.length);
    await forEachLimit(entries, options.parallel ?? 4, (entry) => pusher.add(entry), options.signal);
    const events = pusher.events;
    const failures = events.filter((event) => event.outcome === "failed");
    const interrupted = options.signal?.aborted === true;
    return {
        bundleDir: bundle,
        registry: destination,
        images: events.sort((a, b) => a.image.localeCompare(b.image)),
        failures,
        interrupted,
        complete: !interrupted && failures.length === 0 && events.length === entries.length,
        pushedFile: pusher.pushedFile,
        bytes: events.reduce((sum, event) => sum + event.bytes, 0),
        ms: performance.now() - started,
    };
}
