// skopeo, the declared system dependency that moves images: kfstack never
// talks to a registry itself. Every call goes through here, so a missing or
// too old skopeo and skopeo's own errors read the same everywhere.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { MirrorError } from "./errors";

const execFileAsync = promisify(execFile);

/** The oldest skopeo with `copy --preserve-digests` and `--multi-arch`. */
export const MINIMUM_SKOPEO = [1, 9] as const;

export interface SkopeoOptions {
    /** Environment of skopeo (tests pass a PATH without it); process.env by default. */
    env?: NodeJS.ProcessEnv;
    /** A containers-registries.conf(5) file (mirrors, insecure registries) for docker:// references. */
    registriesConf?: string;
    /** A trust policy file; skopeo's default (/etc/containers/policy.json) otherwise. */
    policy?: string;
    /** How often skopeo retries a failed registry request (`--retry-times`); 2 by default. */
    retryTimes?: number;
}

/** skopeo exited with an error; `detail` is its message as one sentence. */
export class SkopeoCommandError extends MirrorError {
    constructor(
        readonly args: string[],
        readonly detail: string,
    ) {
        super(`\`skopeo ${args.join(" ")}\` failed: ${detail}`);
        this.name = "SkopeoCommandError";
    }
}

export function skopeoMissingMessage(env: NodeJS.ProcessEnv): string {
    return (
        `skopeo is not installed (it is not on PATH: ${env["PATH"] ?? ""}). kfstack resolves, bundles and pushes container images with skopeo, ` +
        `a declared system dependency of \`images lock\` and \`mirror bundle|push\`. Install skopeo ${MINIMUM_SKOPEO.join(".")} or newer ` +
        "(Debian and Ubuntu: `sudo apt-get install skopeo`; Fedora and RHEL: `sudo dnf install skopeo`; macOS: `brew install skopeo`), then run the command again."
    );
}

/** skopeo's fatal message (`level=fatal msg="…"`) as one sentence, else its whole stderr on one line. */
export function skopeoMessage(stderr: string): string {
    const fatal = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(stderr);
    let text: string;
    try {
        text = fatal ? (JSON.parse(`"${fatal[1]}"`) as string) : stderr;
    } catch {
        text = fatal![1]!;
    }
    // The reference is named by the caller already.
    const line =
        text
            .split("\n")
            .map((part) => part.trim())
            .filter(Boolean)
            .join(" ")
            .replace(/^Error parsing image name "[^"]*": /, "") || "no message";
    const sentence = /[.!?]$/.test(line) ? line : `${line}.`;
    return /policy\.json|trust policy/i.test(sentence)
        ? `${sentence} skopeo needs a trust policy: install containers-common (Debian: \`sudo apt-get install golang-github-containers-common\`, which skopeo depends on) or pass skopeo a policy file.`
        : sentence;
}

export const sha256Digest = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export class Skopeo {
    private checked: Promise<string> | undefined;

    constructor(readonly options: SkopeoOptions = {}) {}

    private get env(): NodeJS.ProcessEnv {
        return this.options.env ?? process.env;
    }

    private async run(args: string[], signal?: AbortSignal): Promise<Buffer> {
        const global = this.options.policy ? ["--policy", this.options.policy] : [];
        try {
            const { stdout } = await execFileAsync("skopeo", [...global, ...args], {
                env: this.env,
                encoding: "buffer",
                maxBuffer: 64 * 2 ** 20,
                ...(signal ? { signal } : {}),
            });
            return stdout;
        } catch (error) {
            const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
            if (failure.code === "ENOENT") throw new MirrorError(skopeoMissingMessage(this.env));
            if (failure.name === "AbortError") throw error;
            throw new SkopeoCommandError(args, skopeoMessage(failure.stderr?.toString("utf8") || failure.message));
        }
    }

    /** skopeo's version ("1.9.3"); throws MirrorError when skopeo is missing or older than 1.9. */
    version(): Promise<string> {
        this.checked ??= this.run(["--version"]).then((stdout) => {
            const match = /version\s+(\d+)\.(\d+)(\.\d+)?/.exec(stdout.toString("utf8"));
            const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
            if (!match || major < MINIMUM_SKOPEO[0] || (major === MINIMUM_SKOPEO[0] && minor < MINIMUM_SKOPEO[1])) {
                throw new MirrorError(
                    `skopeo reports "${stdout.toString("utf8").trim()}", but kfstack needs skopeo ${MINIMUM_SKOPEO.join(".")} or newer (for \`copy --preserve-digests\` and \`--multi-arch\`). Install a newer skopeo, then run the command again.`,
                );
            }
            return `${major}.${minor}${match[3] ?? ""}`;
        });
        return this.checked;
    }

    private registryArgs(): string[] {
        return [
            ...(this.options.registriesConf ? ["--registries-conf", this.options.registriesConf] : []),
            "--retry-times",
            String(this.options.retryTimes ?? 2),
        ];
    }

    /** The manifest a docker:// reference serves, byte for byte (for a multi-arch image, its index). */
    rawManifest(reference: string, options: { tlsVerify?: boolean; signal?: AbortSignal } = {}): Promise<Buffer> {
        const tls = options.tlsVerify === false ? ["--tls-verify=false"] : [];
        return this.run(["inspect", "--raw", ...tls, ...this.registryArgs(), reference], options.signal);
    }

    /** The sha256 of the manifest a docker:// reference serves: the image's digest. */
    async manifestDigest(reference: string, options: { tlsVerify?: boolean; signal?: AbortSignal } = {}): Promise<string> {
        return sha256Digest(await this.rawManifest(reference, options));
    }

    /** The tags a docker:// repository (no tag, no digest) holds. */
    async listTags(repository: string, options: { tlsVerify?: boolean; signal?: AbortSignal } = {}): Promise<string[]> {
        const tls = options.tlsVerify === false ? ["--tls-verify=false"] : [];
        const stdout = await this.run(["list-tags", ...tls, ...this.registryArgs(), repository], options.signal);
        return (JSON.parse(stdout.toString("utf8")) as { Tags?: string[] | null }).Tags ?? [];
    }

    /** `skopeo copy` of every platform, keeping every digest; `extra` adds transport options. */
    async copy(source: string, destination: string, options: { extra?: string[]; signal?: AbortSignal } = {}): Promise<void> {
        await this.run(
            ["copy", "--quiet", "--preserve-digests", "--multi-arch", "all", ...this.registryArgs(), ...(options.extra ?? []), source, destination],
            options.signal,
        );
    }
}
