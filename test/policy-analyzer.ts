// The policy pack as `pulumi preview --policy-pack policies` runs it, for
// test/policy-analyzer.test.ts. Installed as `npm ci --prefix policies` would
// install it (exactly policies/package-lock.json, from the root node_modules,
// offline), beside core/ as in a clone; started as the CLI's
// pulumi-analyzer-policy plugin starts it (`node <@pulumi/pulumi>/cmd/run-policy-pack
// <engine address> .` in the pack directory, which prints the analyzer's gRPC
// port); and called as the engine calls it (sdk/go/common/resource/plugin/
// analyzer_plugin.go): properties marshalled with unknowns and secrets kept.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import type * as AnalyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import type { Struct as StructClass } from "google-protobuf/google/protobuf/struct_pb";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyRecord } from "../engine/policy-check";
import { Secret, Unknown } from "../engine/values";
import { projectDirectory } from "../engine/stack-file";

const ROOT = projectDirectory();

interface LockEntry {
    version: string;
}

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;

/** Hard-links a package's files (its own nested node_modules left out: they are lock entries of their own). */
function linkTree(from: string, to: string): void {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) {
        if (entry === "node_modules") continue;
        const source = join(from, entry);
        if (statSync(source).isDirectory()) linkTree(source, join(to, entry));
        else linkSync(source, join(to, entry));
    }
}

/**
 * A fresh copy of policies/ and core/ with policies/node_modules holding exactly what policies/package-lock.json
 * pins, taken from the root node_modules (same paths, same versions). Throws when the pack's lockfile does not
 * match its package.json or pins a version the repository has not installed.
 */
export function installPack(): string {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-policy-analyzer-"));
    for (const folder of ["policies", "core"]) {
        cpSync(join(ROOT, folder), join(directory, folder), { recursive: true, filter: (source) => !source.includes(`${sep}node_modules`) });
    }
    const pack = readJson<{ dependencies: Record<string, string> }>(join(ROOT, "policies", "package.json"));
    const lock = readJson<{ packages: Record<string, LockEntry & { dependencies?: Record<string, string> }> }>(join(ROOT, "policies", "package-lock.json"));
    const root = readJson<{ packages: Record<string, LockEntry> }>(join(ROOT, "package-lock.json"));
    if (JSON.stringify(lock.packages[""]?.dependencies) !== JSON.stringify(pack.dependencies)) {
        throw new Error("policies/package-lock.json does not match policies/package.json; run npm install --package-lock-only --prefix policies.");
    }
    for (const [path, entry] of Object.entries(lock.packages)) {
        if (path === "") continue;
        if (root.packages[path]?.version !== entry.version) {
            throw new Error(`policies/package-lock.json pins ${path}@${entry.version}, which the root node_modules does not hold at that path; run npm ci.`);
        }
        linkTree(join(ROOT, path), join(directory, "policies", path));
    }
    return join(directory, "policies");
}

/** The gRPC client side of the installed pack's own @pulumi/pulumi: the analyzer stubs, grpc-js and protobuf's Struct. */
export function rpcOf(pack: string) {
    const sdk = createRequire(join(pack, "node_modules", "@pulumi", "pulumi", "package.json"));
    return {
        grpc: sdk("@grpc/grpc-js") as typeof import("@grpc/grpc-js"),
        pb: sdk("./proto/analyzer_pb") as typeof AnalyzerPb,
        rpc: sdk("./proto/analyzer_grpc_pb") as { AnalyzerClient: new (address: string, credentials: unknown, options?: object) => AnalyzerClient },
        Struct: (sdk("google-protobuf/google/protobuf/struct_pb") as { Struct: typeof StructClass }).Struct,
        Empty: (sdk("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => object }).Empty,
    };
}

type Callback<T> = (error: Error | null, response: T) => void;

export interface AnalyzerClient {
    getAnalyzerInfo(request: object, callback: Callback<AnalyzerPb.AnalyzerInfo>): void;
    getPluginInfo(request: object, callback: Callback<{ getVersion(): string }>): void;
    configure(request: AnalyzerPb.ConfigureAnalyzerRequest, callback: Callback<object>): void;
    analyze(request: AnalyzerPb.AnalyzeRequest, callback: Callback<AnalyzerPb.AnalyzeResponse>): void;
    analyzeStack(request: AnalyzerPb.AnalyzeStackRequest, callback: Callback<AnalyzerPb.AnalyzeResponse>): void;
    close(): void;
}

/** One unary call as a promise. */
export function call<Request, Response>(method: (request: Request, callback: Callback<Response>) => void, request: Request): Promise<Response> {
    return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

/** Starts the pack as the CLI's pulumi-analyzer-policy does, and resolves with the port it prints once its analyzer listens. */
export function startAnalyzer(pack: string): { child: ChildProcess; port: Promise<number> } {
    const runner = join(pack, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    // No engine listens at the address: the pack only logs to it, and logs nothing when it loads and judges cleanly.
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: pack, stdio: ["ignore", "pipe", "pipe"] });
    const port = new Promise<number>((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const found = /^(\d+)\s*$/m.exec(stdout)?.[1];
            if (found) resolve(Number(found));
        });
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => reject(new Error(`the policy runtime exited (${code}) before serving the pack:\n${stdout}${stderr}`)));
    });
    return { child, port };
}

/**
 * A plan value as the engine marshals it for an analyzer (MarshalOptions KeepUnknowns, KeepSecrets): an unknown
 * as the unknown sentinel, a secret as the secret signature object around its value, resource references as the
 * plan already holds them (their URN).
 */
export function wireValue(value: unknown): unknown {
    const { specialSigKey, specialSecretSig, unknownValue } = pulumi.runtime;
    if (value instanceof Unknown) return unknownValue;
    if (value instanceof Secret) return { [specialSigKey]: specialSecretSig, value: wireValue(value.value) };
    if (Array.isArray(value)) return value.map(wireValue);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).flatMap(([key, inner]) => (inner === undefined ? [] : [[key, wireValue(inner)]])));
    }
    return value;
}

/** The record's analyzer resource parts: what Analyze and AnalyzeStack share. */
export function analyzerParts(record: PolicyRecord) {
    return { urn: record.urn ?? record.name, inputs: record.inputs ?? record.props, outputs: record.props };
}
