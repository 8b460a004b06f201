// The kustomize renderer the BOM checksums are made with: `kubectl kustomize`
// (kubectl's built-in kustomize) or a standalone `kustomize build`. Rendered
// bytes differ between kustomize releases, so too old a renderer is refused.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Oldest kustomize whose output the BOM checksums are known to match. */
export const MINIMUM_KUSTOMIZE_VERSION = "5.0.3";

const INSTALL_HINT =
    "kfstack needs kubectl 1.28 or newer (its built-in kustomize is 5.0.4 or newer) or kustomize 5.0.3 or newer to render the pinned manifests. Install one of them, then run the command again.";

export class RendererError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RendererError";
    }
}

export interface KustomizeRenderer {
    /** What renders, as a user reads it: "kubectl v1.32.4 (built-in kustomize v5.5.0)". */
    description: string;
    kustomizeVersion: string;
    command: "kubectl" | "kustomize";
    /** Arguments before the kustomization path. */
    args: string[];
    /** Environment the renderer runs with (its PATH found the command). */
    env: NodeJS.ProcessEnv;
}

/** A found command that cannot be used, with why; undefined when it is not on PATH. */
type Probe = { renderer: KustomizeRenderer } | { unusable: string } | undefined;

function parseVersion(text: string): [number, number, number] | undefined {
    const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function isSupportedKustomize(version: string): boolean {
    const found = parseVersion(version);
    const minimum = parseVersion(MINIMUM_KUSTOMIZE_VERSION)!;
    if (!found) return false;
    for (let part = 0; part < 3; part++) {
        if (found[part] !== minimum[part]) return found[part]! > minimum[part]!;
    }
    return true;
}

/** stdout of `command args`, or undefined when the command is not on PATH. */
async function outputOf(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string } | { failed: string } | undefined> {
    try {
        const { stdout } = await execFileAsync(command, args, { env, encoding: "utf8" });
        return { stdout };
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
        return { failed: `\`${command} ${args.join(" ")}\` failed${stderr ? `: ${stderr}` : ""}` };
    }
}

async function probeKubectl(env: NodeJS.ProcessEnv): Promise<Probe> {
    const result = await outputOf("kubectl", ["version", "--client", "-o", "json"], env);
    if (!result) return undefined;
    if ("failed" in result) return { unusable: result.failed };
    let version: { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
    try {
        version = JSON.parse(result.stdout) as typeof version;
    } catch {
        return { unusable: "kubectl printed no version JSON for `kubectl version --client -o json`" };
    }
    const kubectlVersion = version.clientVersion?.gitVersion ?? "of unknown version";
    const kustomizeVersion = version.kustomizeVersion;
    if (!kustomizeVersion || !isSupportedKustomize(kustomizeVersion)) {
        return { unusable: `kubectl ${kubectlVersion} (built-in kustomize ${kustomizeVersion ?? "of unknown version"})` };
    }
    return {
        renderer: {
            description: `kubectl ${kubectlVersion} (built-in kustomize ${kustomizeVersion})`,
            kustomizeVersion,
            command: "kubectl",
            args: ["kustomize"],
            env,
        },
    };
}

async function probeKustomize(env: NodeJS.ProcessEnv): Promise<Probe> {
    const result = await outputOf("kustomize", ["version"], env);
    if (!result) return undefined;
    if ("failed" in result) return { unusable: result.failed };
    // kustomize 5 prints "v5.5.0"; kustomize 4 prints "{Version:kustomize/v4.5.7 GitCommit:…}".
    const printed = result.stdout.trim();
    const version = parseVersion(printed);
    const kustomizeVersion = version ? `v${version.join(".")}` : `of unknown version ("${printed}")`;
    if (!isSupportedKustomize(printed)) return { unusable: `kustomize ${kustomizeVersion}` };
    return { renderer: { description: `kustomize ${kustomizeVersion}`, kustomizeVersion, command: "kustomize", args: ["build"], env } };
}

/**
 * The renderer to use: kubectl's built-in kustomize, else a standalone kustomize.
 * `env` is the environment to search and run with (its PATH decides what is found).
 */
export async function findRenderer(env: NodeJS.ProcessEnv = process.env): Promise<KustomizeRenderer> {
    const probes = [await probeKubectl(env), await probeKustomize(env)];
    for (const probe of probes) {
        if (probe && "renderer" in probe) return probe.renderer;
    }
    const unusable = probes.flatMap((probe) => (probe && "unusable" in probe ? [probe.unusable] : []));
    if (unusable.length === 0)
        throw new RendererError(`No kustomize renderer found: neither kubectl nor kustomize is on PATH (${env.PATH ?? ""}). ${INSTALL_HINT}`);
    throw new RendererError(
        `No usable kustomize renderer: found ${unusable.join(" and ")}, but the BOM checksums need kustomize ${MINIMUM_KUSTOMIZE_VERSION} or newer. ${INSTALL_HINT}`,
    );
}

/**
 * The renderer's stdout for the kustomization at `path` (relative to `cwd`),
 * byte for byte; throws RendererError with stderr when the render fails.
 */
export function renderKustomization(renderer: KustomizeRenderer, path: string, cwd: string): Promise<Buffer> {
    const commandLine = `${renderer.command} ${[...renderer.args, path].join(" ")}`;
    return new Promise((resolve, reject) => {
        // spawn rather than execFile: rendered releases run to tens of megabytes, past execFile's buffer.
        const child = spawn(renderer.command, [...renderer.args, path], { cwd, env: renderer.env, stdio: ["ignore", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", (error) => reject(new RendererError(`\`${commandLine}\` could not start: ${error.message}`)));
        child.on("close", (status, signal) => {
            if (status === 0) return resolve(Buffer.concat(stdout));
            const message = Buffer.concat(stderr).toString("utf8").trim();
            reject(
                new RendererError(
                    `\`${commandLine}\` ${signal ? `was killed by ${signal}` : `exited with status ${status}`}${message ? `: ${message}` : " and printed nothing on stderr"}`,
                ),
            );
        });
    });
}
