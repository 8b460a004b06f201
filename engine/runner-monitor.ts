// A minimal Pulumi engine for the SDK's own runner (`@pulumi/pulumi/cmd/run`):
// the ResourceMonitor and Engine gRPC services on a loopback port, answering
// as the engine answers a preview of a new stack. Registrations, reads and
// invokes are answered and recorded by the offline engine's own code
// (engine/preview-record.ts), so the runner's record and the offline plan can
// only differ in what the program sent over real gRPC serialization.
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { EngineService, type IEngineServer } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { GetRootResourceResponse, LogSeverity, SetRootResourceResponse } from "@pulumi/pulumi/proto/engine_pb";
import { type IResourceMonitorServer, ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { DeploymentInfo, ResourceInvokeResponse, ResourceMonitorFeature, SupportsFeatureResponse } from "@pulumi/pulumi/proto/resource_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PreviewRecord, STACK_TYPE } from "./preview-record";

/**
 * The features the engine reports (pulumi/pulumi pkg/resource/deploy/source_eval.go,
 * `supportsFeatureID` and `supportedMonitorFeatures`; state migrations only when the
 * engine is asked for them). The SDK asks GetDeploymentInfo first, SupportsFeature
 * by name on older engines.
 */
const ENGINE_FEATURES: Record<string, ResourceMonitorFeature> = {
    secrets: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SECRETS,
    resourceReferences: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    outputValues: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
    aliasSpecs: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
    replacementTrigger: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_REPLACEMENT_TRIGGER,
    deletedWith: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
    replaceWith: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_REPLACE_WITH,
    transforms: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_TRANSFORMS,
    invokeTransforms: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_TRANSFORMS,
    parameterization: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION,
    resourceHooks: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS,
    errorHooks: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_ERROR_HOOKS,
    sendsOptionsToHooks: ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SENDS_OPTIONS_TO_HOOKS,
};
const UNNAMED_FEATURES = [
    ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_BYTE_STRING,
    ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON,
    ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_PARENT,
];

export interface EngineLog {
    severity: "debug" | "info" | "warning" | "error";
    message: string;
    urn: string;
}

const SEVERITIES: Record<LogSeverity, EngineLog["severity"]> = {
    [LogSeverity.DEBUG]: "debug",
    [LogSeverity.INFO]: "info",
    [LogSeverity.WARNING]: "warning",
    [LogSeverity.ERROR]: "error",
};

export interface RunnerMonitor {
    /** host:port for both `--monitor` and `--engine`. */
    address: string;
    record: PreviewRecord;
    /** What the program logged through the engine. */
    logs: EngineLog[];
    /** performance.now() when the program registered its first resource (the stack's own registration not counted). */
    firstResourceAt: number | undefined;
    close(): Promise<void>;
}

/** A gRPC error the SDK reports by its details, as it reports a provider's failed invoke. */
function grpcError(error: unknown): grpc.ServiceError {
    const message = error instanceof Error ? error.message : String(error);
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata: new grpc.Metadata() });
}

function resourceMonitor(monitor: RunnerMonitor): IResourceMonitorServer {
    const { record } = monitor;
    const implemented: Partial<IResourceMonitorServer> = {
        getDeploymentInfo: (_call, callback) =>
            callback(null, new DeploymentInfo().setSupportedfeaturesList([...Object.values(ENGINE_FEATURES), ...UNNAMED_FEATURES]).setDryrun(true)),
        supportsFeature: (call, callback) => callback(null, new SupportsFeatureResponse().setHassupport(call.request.getId() in ENGINE_FEATURES)),
        registerResource: (call, callback) => {
            if (call.request.getType() !== STACK_TYPE) monitor.firstResourceAt ??= performance.now();
            callback(null, record.registerResource(call.request));
        },
        readResource: (call, callback) => callback(null, record.readResource(call.request)),
        registerResourceOutputs: (call, callback) => {
            record.registerResourceOutputs(call.request);
            callback(null, new Empty());
        },
        invoke: (call, callback) => {
            const args = {
                token: call.request.getTok(),
                inputs: pulumi.runtime.deserializeProperties(call.request.getArgs() ?? new Struct()),
                provider: call.request.getProvider(),
            };
            let result: Record<string, string>;
            try {
                result = record.invoke(args);
            } catch (error) {
                callback(grpcError(error));
                return;
            }
            pulumi.runtime.serializeProperties("invoke", result).then(
                (serialized) => callback(null, new ResourceInvokeResponse().setReturn(Struct.fromJavaScript(serialized))),
                (error: unknown) => callback(grpcError(error)),
            );
        },
        signalAndWaitForShutdown: (_call, callback) => callback(null, new Empty()),
    };
    // Whatever the program does not call is answered UNIMPLEMENTED by grpc-js, and the program fails on it.
    return implemented as IResourceMonitorServer;
}

function engine(monitor: RunnerMonitor): IEngineServer {
    let root = "";
    const implemented: Partial<IEngineServer> = {
        log: (call, callback) => {
            monitor.logs.push({ severity: SEVERITIES[call.request.getSeverity()], message: call.request.getMessage(), urn: call.request.getUrn() });
            callback(null, new Empty());
        },
        getRootResource: (_call, callback) => callback(null, new GetRootResourceResponse().setUrn(root)),
        setRootResource: (call, callback) => {
            root = call.request.getUrn();
            callback(null, new SetRootResourceResponse());
        },
    };
    return implemented as IEngineServer;
}

/** Starts the engine for one project and stack on a free loopback port. */
export async function startRunnerMonitor(settings: { project: string; stack: string }): Promise<RunnerMonitor> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const monitor: RunnerMonitor = {
        address: `127.0.0.1:${port}`,
        record: new PreviewRecord(settings),
        logs: [],
        firstResourceAt: undefined,
        close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
    };
    server.addService(ResourceMonitorService, resourceMonitor(monitor));
    server.addService(EngineService, engine(monitor));
    return monitor;
}
