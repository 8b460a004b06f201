// The engine's side of a preview of a new stack, shared by the offline engine
// (under pulumi.runtime.setMocks) and the runner monitor (a real gRPC server,
// engine/runner-monitor.ts): the answer to each registration, read and invoke,
// and the record of what the program registered. One implementation, so the
// two paths can only differ in what the program sends.
import type { MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import {
    type ReadResourceRequest,
    ReadResourceResponse,
    type RegisterResourceOutputsRequest,
    type RegisterResourceRequest,
    RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { answerInvoke } from "./offline-invokes";
import { type PlanValue, decodeValue } from "./values";

export const STACK_TYPE = "pulumi:pulumi:Stack";

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
    /** Present (true) when the program asks the engine to leave the resource in place on delete (RegisterResourceRequest.retainOnDelete). */
    retainOnDelete?: true;
    /** The resource options that decide day 2 (an update, a replacement, `pulumi destroy`), as the registration carries them. */
    options: ResourceOptions;
}

export interface ResourceOptions {
    protect: boolean;
    retainOnDelete: boolean;
    /** Property paths whose changes are ignored after create, as the program wrote them (`webhooks[*].clientConfig.caBundle`). */
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    /**
     * URNs of the explicit dependsOn (a component's expanded to its resources, as the SDK sends them), sorted; the
     * dependencies through inputs are left out, they are in the record's own `dependsOn`.
     */
    dependsOn: string[];
}

/** What a registration asks of the engine beyond its inputs; a read asks for none of these but its dependencies. */
function optionsOf(request: RegisterResourceRequest | ReadResourceRequest, propertyDependencies: ReadonlySet<string>): ResourceOptions {
    const dependsOn = request.getDependenciesList().filter((urn) => !propertyDependencies.has(urn));
    if ("getId" in request) {
        return {
            protect: false,
            retainOnDelete: false,
            ignoreChanges: [],
            deleteBeforeReplace: false,
            replaceOnChanges: [],
            dependsOn: [...new Set(dependsOn)].sort(),
        };
    }
    return {
        protect: request.getProtect() === true,
        retainOnDelete: request.getRetainondelete() === true,
        ignoreChanges: request.getIgnorechangesList(),
        deleteBeforeReplace: request.getDeletebeforereplace(),
        replaceOnChanges: request.getReplaceonchangesList(),
        dependsOn: [...new Set(dependsOn)].sort(),
    };
}

export function decodeStruct(value: Record<string, unknown> | undefined): Record<string, PlanValue> {
    const decoded = decodeValue(value ?? {});
    return typeof decoded === "object" && decoded !== null && !Array.isArray(decoded) ? (decoded as Record<string, PlanValue>) : {};
}

function providerUrn(reference: string): string | null {
    // A provider reference is "<urn>::<id>"; the id is unknown in a preview.
    return reference ? reference.slice(0, reference.lastIndexOf("::")) : null;
}

function record(request: RegisterResourceRequest | ReadResourceRequest, urn: string, inputs: Record<string, unknown>): PlannedResource {
    const dependencies = new Set(request.getDependenciesList());
    const propertyDependencies = new Set<string>();
    const read = "getId" in request;
    if (!read) {
        for (const property of request.getPropertydependenciesMap().values()) {
            for (const dependency of property.getUrnsList()) propertyDependencies.add(dependency);
        }
    }
    for (const dependency of propertyDependencies) dependencies.add(dependency);
    const custom = read || request.getCustom();
    const retained = !read && request.getRetainondelete() === true;
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
        ...(retained ? { retainOnDelete: true as const } : {}),
        options: optionsOf(request, propertyDependencies),
    };
}

/** What the engine of a preview answers and what it records, for one project and stack. */
export class PreviewRecord {
    readonly resources: PlannedResource[] = [];
    /** The stack's outputs, as the program registered them. */
    outputs: Record<string, PlanValue> = {};

    constructor(private readonly settings: { project: string; stack: string }) {}

    /**
     * The URN the Pulumi engine assigns: the type is qualified by the full chain of
     * parent types, leaving out the root stack.
     */
    private urnOf(request: RegisterResourceRequest | ReadResourceRequest): string {
        const parentType = request.getParent().split("::")[2];
        const type = parentType && parentType !== STACK_TYPE ? `${parentType}$${request.getType()}` : request.getType();
        return `urn:pulumi:${this.settings.stack}::${this.settings.project}::${type}::${request.getName()}`;
    }

    /**
     * A registration is answered as the engine answers it in a preview of a new
     * stack: the URN it assigns, no id yet, and the inputs as the outputs. Handing
     * the request's own property struct back saves converting every object again.
     */
    registerResource(request: RegisterResourceRequest): RegisterResourceResponse {
        const urn = this.urnOf(request);
        const properties = request.getObject();
        this.resources.push(record(request, urn, properties ? properties.toJavaScript() : {}));
        return new RegisterResourceResponse().setUrn(urn).setId("").setObject(properties);
    }

    /**
     * A read (`Resource.get`) is recorded with the id it reads. Nothing is known of
     * the live object offline, so its outputs stay unknown (a real preview reads them).
     */
    readResource(request: ReadResourceRequest): ReadResourceResponse {
        const urn = this.urnOf(request);
        const properties = request.getProperties();
        this.resources.push(record(request, urn, properties ? properties.toJavaScript() : {}));
        return new ReadResourceResponse().setUrn(urn).setProperties(Struct.fromJavaScript({}));
    }

    /** A component's outputs (the stack's included) are what it registers here, as the engine records them. */
    registerResourceOutputs(request: RegisterResourceOutputsRequest): void {
        const registered = decodeStruct(request.getOutputs()?.toJavaScript());
        const component = this.resources.find((resource) => resource.urn === request.getUrn() && !resource.custom);
        if (component) component.outputs = registered;
        if (request.getUrn().includes(`::${STACK_TYPE}::`)) this.outputs = registered;
    }

    /**
     * An invoke: getCallerIdentity is answered with the offline deployer, in the partition
     * of the explicit provider's region (engine/offline-invokes.ts); every other one is refused.
     */
    invoke(args: MockCallArgs): Record<string, string> {
        const provider = args.provider ? this.resources.find((resource) => resource.urn === providerUrn(args.provider!)) : undefined;
        return answerInvoke(args, provider?.inputs);
    }
}
