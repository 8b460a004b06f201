// Pulls the pinned manifests of a bill of materials on a connected machine:
// fetches every source at its commit, checks the commit against the tag,
// renders every component with kustomize, checks each render against the BOM's
// sha256, and only then moves the files into the cache directory: a source's
// folder in one rename, so no reader (nor a run side by side) sees half of it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { findRenderer, type KustomizeRenderer, RendererError, renderKustomization } from "./kustomize";
import { type Bom, type BomComponent, type BomSource, componentFiles } from "./schema";

const execFileAsync = promisify(execFile);

export class PullError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PullError";
    }
}

export interface PullOptions {
    /** Environment of git and the renderer (tests pass a PATH without kubectl); process.env by default. */
    env?: NodeJS.ProcessEnv;
    /** Receives one line per fetched source and rendered component; stderr by default. */
    onProgress?: (line: string) => void;
    /** Only these sources (and their components); every source of the BOM by default. */
    sources?: readonly string[];
    /** Leave the files outDir already has as they are (a first-use pull fills in what is missing, never repairs); replaced by default. */
    keepExisting?: boolean;
}

export interface PulledSource {
    name: string;
    tag: string;
    commit: string;
    components: number;
    bytes: number;
    ms: number;
}

export interface PullResult {
    /** Absolute path of the cache directory written. */
    outDir: string;
    renderer: string;
    /** Files written, relative to outDir, in BOM order. */
    files: string[];
    sources: PulledSource[];
    bytes: number;
    ms: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const bomFile = (bom: Bom) => `components/bom/${bom.release}.yaml`;

/** Git's stderr as one line of a paragraph, ending with a full stop. */
function oneLine(text: string): string {
    const line = text
        .split("\n")
        .map((part) => part.trim())
        .filter(Boolean)
        .join(" ");
    return /[.!?]$/.test(line) ? line : `${line}.`;
}

async function git(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    try {
        const { stdout } = await execFileAsync("git", args, { env, encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
        return stdout;
    } catch (error) {
        throw new PullError(`\`git ${args.join(" ")}\` failed: ${oneLine(String((error as { stderr?: string }).stderr ?? "") || (error as Error).message)}`);
    }
}

async function requireGit(env: NodeJS.ProcessEnv): Promise<void> {
    try {
        await execFileAsync("git", ["--version"], { env });
    } catch {
        throw new PullError(
            `git is not on PATH (${env.PATH ?? ""}); pulling manifests fetches every source with git. Install git, then run the command again.`,
        );
    }
}

/** What `tag` points to in `repository` (the peeled commit for annotated tags); undefined when there is no such tag. */
async function taggedCommit(source: BomSource, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    const ref = `refs/tags/${source.tag}`;
    const lines = (await git(["ls-remote", source.repository, ref, `${ref}^{}`], env)).split("\n").map((line) => line.split("\t"));
    const find = (name: string) => lines.find((fields) => fields[1] === name)?.[0];
    return find(`${ref}^{}`) ?? find(ref);
}

/** Checks the tag, then fetches only the pinned commit into `checkout` and checks it out. */
async function fetchSource(name: string, source: BomSource, checkout: string, bom: Bom, env: NodeJS.ProcessEnv): Promise<void> {
    const where = `source "${name}" (${source.repository})`;
    const fix = `check the release upstream and fix sources.${name} in ${bomFile(bom)}`;
    const tagged = await taggedCommit(source, env).catch((error: PullError) => {
        throw new PullError(
            `Could not list the tags of ${where}: ${error.message} Check the network connection and the repository URL; pulling manifests needs a connected machine.`,
        );
    });
    if (tagged === undefined) throw new PullError(`Tag ${source.tag} of ${where} does not exist; ${fix}.`);
    if (tagged !== source.commit) {
        throw new PullError(
            `Tag ${source.tag} of ${where} points to commit ${tagged}, not the pinned commit ${source.commit}: the tag was moved or the BOM pins the wrong commit; ${fix}.`,
        );
    }
    try {
        await git(["init", "--quiet", checkout], env);
        await git(["-C", checkout, "fetch", "--quiet", "--depth", "1", source.repository, source.commit], env);
        // autocrlf off: the rendered bytes must not depend on the user's git configuration.
        await git(["-C", checkout, "-c", "core.autocrlf=false", "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", "FETCH_HEAD"], env);
    } catch (error) {
        throw new PullError(
            `Could not fetch commit ${source.commit} of ${where}: ${(error as Error).message} Check the network connection and that the repository still has this commit.`,
        );
    }
    const head = (await git(["-C", checkout, "rev-parse", "HEAD"], env)).trim();
    if (head !== source.commit) throw new PullError(`Fetching commit ${source.commit} of ${where} checked out ${head} instead; ${fix}.`);
}

/** Renders one component, or copies its upstream files, checking each against the BOM's sha256: the files to write. */
async function pullComponent(bom: Bom, component: BomComponent, checkout: string, renderer: KustomizeRenderer): Promise<{ file: string; bytes: Buffer }[]> {
    const index = bom.components.indexOf(component);
    const where = `Component "${component.name}"${component.file ? ` (${component.file})` : ""} from source "${component.source}" at commit ${bom.sources[component.source]!.commit}`;
    const pulled: { file: string; bytes: Buffer }[] = [];
    for (const entry of componentFiles(component)) {
        const upstream = join(checkout, entry.from);
        let bytes: Buffer;
        if (entry.rendered) {
            if (!existsSync(upstream) || !statSync(upstream).isDirectory()) {
                throw new PullError(`${where} has no directory ${component.path}; fix components[${index}].path in ${bomFile(bom)}.`);
            }
            try {
                bytes = await renderKustomization(renderer, entry.from, checkout);
            } catch (error) {
                if (!(error instanceof RendererError)) throw error;
                throw new PullError(
                    `${where} failed to render with ${renderer.description}: ${oneLine(error.message)} Check that components[${index}].path in ${bomFile(bom)} names a kustomization that builds at this commit.`,
                );
            }
        } else {
            if (!existsSync(upstream) || !statSync(upstream).isFile())
                throw new PullError(`${where} has no file ${entry.from}; fix components[${index}].path or copy.files in ${bomFile(bom)}.`);
            bytes = readFileSync(upstream);
        }
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        if (sha256 !== entry.sha256 && entry.rendered) {
            throw new PullError(
                `${where} rendered to sha256 ${sha256}, but the BOM pins ${entry.sha256}: either the source changed or the renderer differs from the one the BOM was made with (this run used ${renderer.description}). ` +
                    `Render with the kustomize version the BOM was made with, or, if the change is intended, update components[${index}].sha256 in ${bomFile(bom)}.`,
            );
        }
        if (sha256 !== entry.sha256) {
            throw new PullError(
                `${where}: ${entry.from} has sha256 ${sha256}, but the BOM pins ${entry.sha256} for ${entry.file}: the upstream file is not the one the BOM was made from. If the change is intended, update components[${index}].copy.files in ${bomFile(bom)}.`,
            );
        }
        pulled.push({ file: entry.file, bytes });
    }
    return pulled;
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Moves the staged files into outDir: a folder outDir lacks in one rename, so a reader sees all of it or none;
 * else file by file, each replaced in one rename (or kept, with `keepExisting`). Runs side by side each stage
 * apart and move checked, identical files, so neither can corrupt the other.
 */
function moveIntoPlace(staging: string, outDir: string, files: string[], keepExisting: boolean): void {
    mkdirSync(outDir, { recursive: true });
    const topOf = (file: string) => file.split("/")[0]!;
    for (const top of new Set(files.map(topOf))) {
        if (!existsSync(join(outDir, top))) {
            try {
                renameSync(join(staging, top), join(outDir, top));
                continue;
            } catch (error) {
                // Another run moved its copy in first: fill in file by file below.
                if (errorCode(error) !== "ENOTEMPTY" && errorCode(error) !== "EEXIST") throw error;
            }
        }
        for (const file of files.filter((candidate) => topOf(candidate) === top)) {
            if (keepExisting && existsSync(join(outDir, file))) continue;
            mkdirSync(dirname(join(outDir, file)), { recursive: true });
            renameSync(join(staging, file), join(outDir, file));
        }
    }
}

/** Removes the staging folders of pulls that were killed before they could clean up (their process is gone). */
function removeAbandonedStaging(parent: string, prefix: string): void {
    let entries: string[];
    try {
        entries = readdirSync(parent);
    } catch {
        return;
    }
    for (const entry of entries) {
        const pid = entry.startsWith(prefix) ? Number(entry.slice(prefix.length).split("-")[0]) : NaN;
        if (Number.isInteger(pid) && !isRunning(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
    }
}

/** Removes the folders from `folder` up to `top` that a failed pull created, unless a run side by side has put something in them since. */
function removeEmptyFolders(folder: string, top: string): void {
    for (let current = folder; current.startsWith(top); current = dirname(current)) {
        try {
            rmdirSync(current);
        } catch {
            return;
        }
    }
}

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return errorCode(error) === "EPERM";
    }
}

/**
 * Fetches, renders and checks every component of `bom`, then writes each render to
 * `<outDir>/<component.file>`. Components with `skip` are rendered and checked too:
 * they are part of the pinned release. Throws PullError or RendererError, writing nothing.
 * A pull killed midway leaves only a staging folder beside outDir, which the next pull removes.
 */
export async function pullManifests(bom: Bom, outDir: string, options: PullOptions = {}): Promise<PullResult> {
    const started = performance.now();
    const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: "0" };
    const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
    const target = resolve(outDir);
    // Fail before any download when nothing can render or fetch.
    const renderer = await findRenderer(env);
    await requireGit(env);

    const createdParent = mkdirSync(dirname(target), { recursive: true });
    const stagingPrefix = `.${basename(target)}.partial-`;
    removeAbandonedStaging(dirname(target), stagingPrefix);
    const staging = mkdtempSync(join(dirname(target), `${stagingPrefix}${process.pid}-`));
    const checkouts = mkdtempSync(join(tmpdir(), "kfstack-pull-"));
    let succeeded = false;
    try {
        const sources: PulledSource[] = [];
        const files: string[] = [];
        for (const [name, source] of Object.entries(bom.sources).filter(([name]) => !options.sources || options.sources.includes(name))) {
            const sourceStarted = performance.now();
            const checkout = join(checkouts, name);
            await fetchSource(name, source, checkout, bom, env);
            progress(`fetched ${name}: ${source.repository} ${source.tag} (${source.commit.slice(0, 12)}) in ${seconds(performance.now() - sourceStarted)}`);
            const pulled: PulledSource = { name, tag: source.tag, commit: source.commit, components: 0, bytes: 0, ms: 0 };
            for (const component of bom.components.filter((candidate) => candidate.source === name)) {
                const componentStarted = performance.now();
                const written = await pullComponent(bom, component, checkout, renderer);
                for (const { file, bytes } of written) {
                    mkdirSync(dirname(join(staging, file)), { recursive: true });
                    writeFileSync(join(staging, file), bytes);
                    files.push(file);
                }
                const bytes = written.reduce((sum, { bytes }) => sum + bytes.length, 0);
                pulled.components += 1;
                pulled.bytes += bytes;
                const skipped = component.skip ? ", checked but not installed" : "";
                const how = component.copy
                    ? `copied ${component.name} -> ${component.copy.to}/ (${written.length} ${written.length === 1 ? "file" : "files"}, `
                    : `rendered ${component.name} -> ${written[0]!.file} (`;
                progress(`  ${how}${bytes.toLocaleString("en-US")} bytes, sha256 ok${skipped}) in ${seconds(performance.now() - componentStarted)}`);
            }
            pulled.ms = performance.now() - sourceStarted;
            sources.push(pulled);
        }
        moveIntoPlace(staging, target, files, options.keepExisting ?? false);
        succeeded = true;
        const bytes = sources.reduce((sum, source) => sum + source.bytes, 0);
        return { outDir: target, renderer: renderer.description, files, sources, bytes, ms: performance.now() - started };
    } catch (error) {
        if (error instanceof PullError) throw new PullError(`${error.message} Nothing was written to ${target}.`);
        throw error;
    } finally {
        rmSync(checkouts, { recursive: true, force: true });
        rmSync(staging, { recursive: true, force: true });
        if (!succeeded && createdParent) removeEmptyFolders(dirname(target), createdParent);
    }
}
