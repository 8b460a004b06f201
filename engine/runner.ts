// Runs the program under the Pulumi SDK's own runner (`@pulumi/pulumi/cmd/run`)
// as the nodejs language host starts it for `pulumi preview`, against the
// minimal engine of engine/runner-monitor.ts. What the host does, read from
// pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go: `node <nodeargs>
// <cmd/run> --monitor … --engine … --organization … --project … --root-directory …
// --stack … --pwd <program dir> --dry-run --parallel N <entry point>`, the
// stack's config in PULUMI_CONFIG as `<namespace>:config:<name>` keys, secret
// keys in PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT=true for
// `typescript: true` and PULUMI_NODEJS_TSCONFIG_PATH for `tsconfig`.
import { spawn } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { isRecord } from "../core/records";
import type { PlannedResource } from "./preview-record";
import { type EngineLog, startRunnerMonitor } from "./runner-monitor";
import { type StackSettings, StackFileError, readYaml } from "./stack-file";
import type { PlanValue } from "./values";

/** Pulumi.yaml `runtime.options` of the nodejs runtime, defaulted as the language host defaults them (`parseOptions`). */
export interface RuntimeOptions {
    typescript: boolean;
    tsconfig?: string;
    nodeargs?: string;
}

export interface ProjectRuntime {
    /** Where the runner runs (`--pwd`) and the entry point it loads, from `main` as the CLI resolves it. */
    programDirectory: string;
    entryPoint: string;
    options: RuntimeOptions;
}

export interface RunnerRun {
    resources: PlannedResource[];
    outputs: Record<string, PlanValue>;
    logs: EngineLog[];
    /** From starting node to the program's first registered resource: what `pulumi up` waits before anything happens. */
    firstResourceMs: number;
    totalMs: number;
}

/** The CLI's engine runs resource operations with --parallel; the host passes it on. The number only matters to a real deployment. */
const PARALLEL = 8;

function option<T>(options: Record<string, unknown>, key: string, type: "boolean" | "string"): T | undefined {
    const value = options[key];
    if (value === undefined) return undefined;
    if (typeof value !== type) throw new StackFileError(`Pulumi.yaml: runtime.options.${key} must be a ${type}, not ${JSON.stringify(value)}.`);
    return value as T;
}

/** Reads Pulumi.yaml's `main` and nodejs runtime options. */
export function projectRuntime(projectDir: string): ProjectRuntime {
    const project = readYaml(join(projectDir, "Pulumi.yaml"));
    const runtime = isRecord(project) ? project["runtime"] : undefined;
    const options = isRecord(runtime) && isRecord(runtime["options"]) ? runtime["options"] : {};
    const tsconfig = option<string>(options, "tsconfig", "string");
    const nodeargs = option<string>(options, "nodeargs", "string");
    const main = isRecord(project) && typeof project["main"] === "string" ? project["main"] : undefined;
    return {
        // A main file runs from its own folder (pulumi/pulumi pkg/engine/project.go getPwdMain); kfstack's main is a file.
        programDirectory: main ? dirname(join(projectDir, main)) : projectDir,
        entryPoint: main ? basename(main) : ".",
        options: {
            typescript: option<boolean>(options, "typescript", "boolean") ?? true,
            ...(tsconfig === undefined ? {} : { tsconfig }),
            ...(nodeargs === undefined ? {} : { nodeargs }),
        },
    };
}

/** The host splits nodeargs as a shell would (shlex); kfstack's need no quoting, so quoting is refused rather than guessed. */
function splitNodeArgs(nodeargs: string | undefined): string[] {
    if (!nodeargs) return [];
    if (/["'\\]/.test(nodeargs))
        throw new StackFileError(`Pulumi.yaml: runtime.options.nodeargs ${JSON.stringify(nodeargs)} uses quoting, which the runner test does not split.`);
    return nodeargs.split(/\s+/).filter(Boolean);
}

/** PULUMI_CONFIG as the host writes it: every key in the old `<namespace>:config:<name>` form, which the SDK reads back as `<namespace>:<name>`. */
function hostConfig(config: Record<string, string>): string {
    return JSON.stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(":", ":config:"), value])));
}

function environment(settings: Omit<StackSettings, "file">, options: RuntimeOptions): NodeJS.ProcessEnv {
    // Nothing of the caller's own Pulumi settings (a PULUMI_NODEJS_TRANSPILE_ONLY, say) may change the run.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PULUMI_")));
    return {
        ...inherited,
        PULUMI_CONFIG: hostConfig(settings.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(settings.secretKeys),
        ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
        ...(options.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig } : {}),
    };
}

export class RunnerError extends Error {
    constructor(
        message: string,
        readonly logs: EngineLog[],
    ) {
        super(message);
        this.name = "RunnerError";
    }
}

/**
 * Runs the stack's program under the SDK's runner, as a preview, and returns what it
 * registered. `options` default to the project's own Pulumi.yaml, `node` to this node; `env` adds to the environment.
 */
export async function runUnderRunner(
    settings: Omit<StackSettings, "file">,
    projectDir: string,
    overrides: { options?: RuntimeOptions; node?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunnerRun> {
    const runtime = projectRuntime(projectDir);
    const options = overrides.options ?? runtime.options;
    const monitor = await startRunnerMonitor(settings);
    try {
        const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [runtime.programDirectory] });
        const flags = { monitor: monitor.address, engine: monitor.address, organization: "organization", project: settings.project };
        const args = [
            ...splitNodeArgs(options.nodeargs),
            runPath,
            ...Object.entries({ ...flags, "root-directory": projectDir, stack: settings.stack, pwd: runtime.programDirectory }).flatMap(([flag, value]) => [
                `--${flag}`,
                value,
            ]),
            "--dry-run",
            "--parallel",
            String(PARALLEL),
            runtime.entryPoint,
        ];
        const started = performance.now();
        const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
            const child = spawn(overrides.node ?? process.execPath, args, {
                cwd: runtime.programDirectory,
                env: { ...environment(settings, options), ...overrides.env },
                stdio: ["ignore", "pipe", "pipe"],
                timeout: overrides.timeoutMs ?? 600_000,
            });
            let output = "";
            child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
            child.on("error", reject);
            child.on("close", (exit) => resolve({ code: exit, output }));
        });
        const totalMs = performance.now() - started;
        if (code !== 0 || monitor.firstResourceAt === undefined) {
            const errors = monitor.logs.filter((log) => log.severity === "error").map((log) => log.message);
            throw new RunnerError(`The runner exited with ${code ?? "a signal"}: ${[...errors, output.trim()].filter(Boolean).join("\n")}`, monitor.logs);
        }
        return {
            resources: monitor.record.resources,
            outputs: monitor.record.outputs,
            logs: monitor.logs,
            firstResourceMs: monitor.firstResourceAt - started,
            totalMs,
        };
    } finally {
        await monitor.close();
    }
}
