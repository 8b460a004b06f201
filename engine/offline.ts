// The offline engine: runs a Pulumi program under pulumi.runtime.setMocks, as
// a preview of a new stack, and records every resource the program registers
// (urn, type, name, parent, dependencies, provider, inputs) exactly as the
// resource monitor receives it, and every resource it reads (`Resource.get`)
// with the id it reads. No CLI, no network, no credentials.
//
// Registrations are answered with the inputs as outputs and no id, so
// anything a cloud would compute (ids, ARNs, endpoints) stays unknown, as in a
// real preview; applies on unknowns do not run and nothing waits on them.
import * as pulumi from "@pulumi/pulumi";
import type {
    ReadResourceRequest,
    ReadResourceResponse,
    RegisterResourceOutputsRequest,
    RegisterResourceRequest,
    RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { relative } from "node:path";
import { ConfigError } from "../components/config/load";
import { type PlannedResource, PreviewRecord } from "./preview-record";
import type { StackSettings } from "./stack-file";
import type { PlanValue } from "./values";

export { type PlannedResource, STACK_TYPE } from "./preview-record";

export interface OfflineRun {
    project: string;
    stack: string;
    resources: PlannedResource[];
    outputs: Record<string, PlanValue>;
    /** The tokens of the invokes the program called and the engine answered, in order. */
    invokes: string[];
}

/** The program failed; `resources` is what it had registered by then. */
export class OfflineRunError extends Error {
    constructor(
        override readonly cause: unknown,
        readonly resources: PlannedResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "OfflineRunError";
    }
}

/** A file as a user would type it from here: relative when inside the working directory. */
const displayPath = (file: string) => {
    const local = relative(process.cwd(), file);
    return local && !local.startsWith("..") ? local : file;
};

type Callback<T> = (error: Error | null, response?: T) => void;

/** The monitor calls the engine listens to; the mock monitor implements them all. */
interface MonitorCalls {
    registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): void;
    readResource(request: ReadResourceRequest, callback: Callback<ReadResourceResponse>): void;
    registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<unknown>): void;
}

/**
 * Runs `run` with property structs that only carry their JavaScript value. The
 * SDK converts every registration's properties to a protobuf Struct, and the
 * engine's only use of it is to read the JavaScript value back: with
 * Kubernetes CRDs of hundreds of kilobytes that round trip was half a plan.
 * Nothing offline serializes a Struct to the wire.
 */
async function withJavaScriptStructs<T>(run: () => Promise<T>): Promise<T> {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was below, never called unbound
    const fromJavaScript = Struct.fromJavaScript;
    Struct.fromJavaScript = (value) => {
        const struct = new Struct();
        struct.toJavaScript = () => value;
        return struct;
    };
    try {
        return await run();
    } finally {
        Struct.fromJavaScript = fromJavaScript;
    }
}

type RunSettings = Omit<StackSettings, "file"> & { file?: string };

/**
 * The Pulumi runtime (its mocks, config, stack and settings) is the process's: two runs at once would register into
 * each other. A run waits for the one before it to finish.
 */
let previousRun: Promise<unknown> = Promise.resolve();

/** Runs `program` as stack `settings.stack` of project `settings.project` and returns what it registered. */
export function runOffline(program: () => Promise<Record<string, unknown>>, settings: RunSettings): Promise<OfflineRun> {
    const run = previousRun.then(() => runAlone(program, settings));
    previousRun = run.catch(() => undefined);
    return run;
}

async function runAlone(program: () => Promise<Record<string, unknown>>, settings: RunSettings): Promise<OfflineRun> {
    const engine = new PreviewRecord(settings);
    const invokes: string[] = [];
    await pulumi.runtime.setMocks(
        {
            // Registrations and reads are answered by the monitor below; nothing reaches the mocks.
            newResource: (args) => {
                throw new Error(`The offline engine answers ${args.type} ${args.name} itself; the mocks should not be asked.`);
            },
            // getCallerIdentity is answered with the offline deployer (engine/offline-invokes.ts); every other invoke is refused.
            call: (args) => {
                const answer = engine.invoke(args);
                invokes.push(args.token);
                return answer;
            },
        },
        settings.project,
        settings.stack,
        true,
    );
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);

    // The engine answers registrations itself (engine/preview-record.ts), as the Pulumi engine does in a preview.
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorCalls;
    monitor.registerResource = (request, callback) => callback(null, engine.registerResource(request));
    monitor.readResource = (request, callback) => callback(null, engine.readResource(request));
    monitor.registerResourceOutputs = (request, callback) => {
        engine.registerResourceOutputs(request);
        callback(null, {});
    };

    // A program error is caught inside the stack's init: thrown through the SDK,
    // it would also reject promises nobody awaits (the stack's output plumbing).
    let failure: unknown;
    await withJavaScriptStructs(async () => {
        try {
            await pulumi.runtime.runInPulumiStack(async () => {
                try {
                    return await program();
                } catch (error) {
                    failure ??= error;
                    return {};
                }
            });
        } catch (error) {
            failure ??= error;
        } finally {
            await pulumi.runtime.disconnect();
        }
    });
    // Name the file the settings came from: the program can only guess Pulumi.<stack>.yaml.
    if (failure instanceof ConfigError && settings.file) failure = failure.inFile(displayPath(settings.file));
    if (failure !== undefined) throw new OfflineRunError(failure, engine.resources);
    return { project: settings.project, stack: settings.stack, resources: engine.resources, outputs: engine.outputs, invokes };
}
