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
import {
    type ReadResourceRequest,
    ReadResourceResponse,
    type RegisterResourceOutputsRequest,
    type RegisterResourceRequest,
    RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { answerInvoke } from "./offline-invokes";
import type { StackSettings } from "./stack-file";
import { type PlanValue, decodeValue } from "./values";

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    /** Explicit dependsOn and property dependencies, deduplicated and sorted. */
    dependsOn: string[];
    /** URN of the explicit provider; null for the default provider. */
    provider: string | null;
    custom: boolean;
    inputs: Record<string, PlanValue>;
    /**
     * Components only: what the component's registerOutputs registered ({} if it registers nothing). The Pulumi
     * engine gives a component's outputs, not its inputs, to stack policies (AnalyzeStack).
     */
    outputs?: Record<string, PlanValue>;
    /** Present on a resource the program reads from the cluster (`Resource.get`) instead of creating: the id it reads. */
    read?: { id: string };
}

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

export const STACK_TYPE = "pulumi:pulumi:Stack";

type Callback<T> = (error: Error | null, response?: T) => void;

/** The monitor calls the engine listens to; the mock monitor implements them all. */
interface MonitorCalls {
    registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): void;
    readResource(request: ReadResourceRequest, callback: Callback<ReadResourceResponse>): void;
    registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<unknown>): void;
}

/** Makes a struct convert itself to JavaScript once: the SDK reads back the same struct the engine recorded. */
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

function decodeStruct(value: Record<string, unknown> | undefined): Record<string, PlanValue> {
    const decoded = decodeValue(value ?? {});
    return typeof decoded === "object" && decoded !== null && !Array.isArray(decoded) ? (decoded as Record<string, PlanValue>) : {};
}

function providerUrn(reference: string): string | null {
    // A provider reference is "<urn>::<id>"; the id is unknown in a preview.
    return reference ? reference.slice(0, reference.lastIndexOf("::")) : null;
}

function record(request: RegisterResourceRequest | ReadResourceRequest, urn: string, inputs: Record<string, unknown>): PlannedResource {
    const dependencies = new Set(request.getDependenciesList());
    const read = "getId" in request;
    if (!read) {
        for (const property of request.getPropertydependenciesMap().values()) {
            for (const dependency of property.getUrnsList()) dependencies.add(dependency);
        }
    }
    const custom = read || request.getCustom();
    return {
        urn,
        type: request.getType(),
        name: request.getName(),
        parent: request.getParent() || null,
        dependsOn: [...dependencies].sort(),
        provider: providerUrn(request.getProvider()),
        custom,
        inputs: decodeStruct(inputs),
        ...(custom ? {} : { outputs: {} }),
        ...(read ? { read: { id: request.getId() } } : {}),
    };
}

/**
 * The URN the Pulumi engine assigns: the type is qualified by the full chain of
 * parent types, leaving out the root stack.
 */
function engineUrn(settings: { project: string; stack: string }, request: RegisterResourceRequest | ReadResourceRequest): string {
    const parentType = request.getParent().split("::")[2];
    const type = parentType && parentType !== STACK_TYPE ? `${parentType}$${request.getType()}` : request.getType();
    return `urn:pulumi:${settings.stack}::${settings.project}::${type}::${request.getName()}`;
}

/** Runs `program` as stack `settings.stack` of project `settings.project` and returns what it registered. */
export async function runOffline(program: () => Promise<Record<string, unknown>>, settings: Omit<StackSettings, "file">): Promise<OfflineRun> {
    const resources: PlannedResource[] = [];
    const invokes: string[] = [];
    await pulumi.runtime.setMocks(
        {
            // Registrations and reads are answered by the monitor below; nothing reaches the mocks.
            newResource: (args) => {
                throw new Error(`The offline engine answers ${args.type} ${args.name} itself; the mocks should not be asked.`);
            },
            // getCallerIdentity is answered with the offline deployer (engine/offline-invokes.ts); every other invoke is refused.
            call: (args) => {
                const provider = args.provider ? resources.find((resource) => resource.urn === providerUrn(args.provider!)) : undefined;
                const answer = answerInvoke(args, provider?.inputs);
                invokes.push(args.token);
                return answer;
            },
        },
        settings.project,
        settings.stack,
        true,
    );
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);

    let outputs: Record<string, PlanValue> = {};
    // The engine answers registrations itself, as the Pulumi engine does in a
    // preview of a new stack: the URN the engine would assign, no id yet, and
    // the inputs as the outputs. Handing the request's own property struct
    // back saves converting every object to and from protobuf three more times.
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorCalls;
    monitor.registerResource = (request, callback) => {
        const urn = engineUrn(settings, request);
        const properties = request.getObject();
        resources.push(record(request, urn, properties ? properties.toJavaScript() : {}));
        callback(null, new RegisterResourceResponse().setUrn(urn).setId("").setObject(properties));
    };
    // A read (`Resource.get`) is recorded with the id it reads. Nothing is known of
    // the live object offline, so its outputs stay unknown (a real preview reads them).
    monitor.readResource = (request, callback) => {
        const urn = engineUrn(settings, request);
        const properties = request.getProperties();
        resources.push(record(request, urn, properties ? properties.toJavaScript() : {}));
        callback(null, new ReadResourceResponse().setUrn(urn).setProperties(Struct.fromJavaScript({})));
    };
    // A component's outputs (the stack's included) are what it registers here, as the engine records them.
    monitor.registerResourceOutputs = (request, callback) => {
        const registered = decodeStruct(request.getOutputs()?.toJavaScript());
        const component = resources.find((resource) => resource.urn === request.getUrn() && !resource.custom);
        if (component) component.outputs = registered;
        if (request.getUrn().includes(`::${STACK_TYPE}::`)) outputs = registered;
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
    if (failure !== undefined) throw new OfflineRunError(failure, resources);
    return { project: settings.project, stack: settings.stack, resources, outputs, invokes };
}
