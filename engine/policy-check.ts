// Evaluates the kfstack policy pack offline, the way the Pulumi analyzer does
// during `pulumi preview --policy-pack policies`: resource policies see one
// resource's inputs at a time, stack policies see all of them; secrets are
// plain values; reading a value the preview cannot know throws, and the
// policy is skipped for that resource instead of failing or passing wrongly.
import * as policySdk from "@pulumi/policy";
import type {
    EnforcementLevel,
    PolicyPackConfig,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { ALL_POLICIES } from "../policies/all";
import { type KfstackPolicy, isStackPolicy } from "../policies/lib/policy";
import { resolvePackConfig } from "./policy-config";
import type { ResourceOptions } from "./preview-record";
import { Secret, Unknown } from "./values";

/**
 * The analyzer's own unknown-checking proxy: @pulumi/policy exports it at run
 * time, but its declarations are stripped as internal.
 */
const { unknownCheckingProxy, UnknownValueError } = policySdk as unknown as {
    unknownCheckingProxy: <T>(props: T) => T;
    UnknownValueError: new () => Error;
};

/** One resource as the check sees it: what `npm run check -- --resources` reads. */
export interface PolicyRecord {
    type: string;
    name: string;
    urn?: string;
    /** What stack policies read: a custom resource's inputs, a component's registered outputs (see policyRecordOf). */
    props: Record<string, unknown>;
    /** A component's inputs, which resource policies read (the engine's Analyze); absent when they are `props`. */
    inputs?: Record<string, unknown>;
    /** URN of its parent (the stack for a top-level resource), as the analyzer hands stack policies `parent`; absent when not recorded. */
    parent?: string | null;
    /** URNs of the resources it depends on (explicit and property dependencies), as the analyzer hands policies `dependencies`. */
    dependsOn?: string[];
    /** URN of its explicit provider, or null for the default provider, as the analyzer hands policies `provider`; absent when not recorded. */
    provider?: string | null;
    /** Its protect and ignoreChanges, as the analyzer hands policies `opts`; absent when not recorded (none set). */
    options?: Pick<ResourceOptions, "protect" | "ignoreChanges">;
}

interface PlannedRecord {
    type: string;
    name: string;
    urn: string;
    parent: string | null;
    inputs: Record<string, unknown>;
    /** A component's registered outputs; absent on a custom resource. */
    outputs?: Record<string, unknown>;
    dependsOn: string[];
    provider: string | null;
    read?: { id: string };
    options?: ResourceOptions;
}

/**
 * A planned resource as the engine hands it to the analyzer's AnalyzeStack: a custom resource with its
 * (checked) inputs, which a preview of a new resource has as its outputs, and a component with only what its
 * registerOutputs call registered (pulumi/pulumi's step generator analyzes the new states' outputs, and a
 * component's outputs are set by RegisterResourceOutputs alone). Resource policies (Analyze) see the inputs
 * of custom resources, which are the same props.
 */
export function policyRecordOf(resource: PlannedRecord): PolicyRecord {
    const { type, name, urn, parent, inputs, outputs, dependsOn, provider, options } = resource;
    return {
        type,
        name,
        urn,
        props: outputs ?? inputs,
        ...(outputs ? { inputs } : {}),
        parent,
        dependsOn,
        provider,
        ...(options ? { options: { protect: options.protect, ignoreChanges: options.ignoreChanges } } : {}),
    };
}

/**
 * The records the pack judges in a plan: what it creates. A resource the program only
 * reads (`Resource.get`) is left out, as the Pulumi engine leaves it out of the
 * analyzer's stack (pkg/resource/deploy/step_executor.go keeps only resources with
 * a registration goal): a StorageClass an existing cluster has is not one the plan creates.
 */
export function policyRecordsOf(resources: readonly PlannedRecord[]): PolicyRecord[] {
    return resources.filter((resource) => resource.read === undefined).map(policyRecordOf);
}

export interface Violation {
    policy: string;
    id: string;
    enforcement: EnforcementLevel;
    /** URN (or name) of the resource, or "stack" for a stack-wide finding. */
    resource: string;
    message: string;
}

export interface PolicyReport {
    violations: Violation[];
    /**
     * Policies that could not decide on a resource or the stack: a value is unknown until deployment (the
     * analyzer's "can't run … during preview"), or the policy said it does not apply and why (notApplicable,
     * e.g. a stack whose facts lack what it reads).
     */
    undecided: { policy: string; resource: string; reason: string }[];
    evaluated: { resources: number; policies: number };
}

/** Plan values as the analyzer hands them to policies: secrets in the clear, unknowns as Pulumi's sentinel. */
function analyzerValue(value: unknown): unknown {
    if (value instanceof Unknown) return pulumi.runtime.unknownValue;
    if (value instanceof Secret) return analyzerValue(value.value);
    if (Array.isArray(value)) return value.map(analyzerValue);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, analyzerValue(inner)]));
    return value;
}

class NotApplicable extends Error {
    constructor(readonly reason: string | undefined) {
        super(reason);
    }
}

function typeChecks(type: string, props: Record<string, unknown>) {
    const typeOf = (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType;
    return {
        isType: (resourceClass: unknown) => typeOf(resourceClass) === type,
        asType: (resourceClass: unknown) => (typeOf(resourceClass) === type ? props : undefined),
    };
}

const NO_OPTIONS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** A record's options as the analyzer hands them to policies (`opts`). */
const optionsOf = (record: PolicyRecord) => (record.options ? { ...NO_OPTIONS, ...record.options } : NO_OPTIONS);

/**
 * A resource's provider as the analyzer describes it: the default provider of the resource's
 * package as the engine names it (`default`), an explicit one from the records, or one outside
 * them known by its URN only.
 */
export function providerResource(
    resource: Pick<PolicyRecord, "type" | "provider"> & { id: string },
    byUrn: ReadonlyMap<string, Pick<PolicyResource, "type" | "name" | "props">>,
): PolicyProviderResource {
    if (resource.provider === null || resource.provider === undefined) {
        const type = `pulumi:providers:${resource.type.split(":")[0]}`;
        return { type, name: "default", urn: `${resource.id.split("::").slice(0, 2).join("::")}::${type}::default`, props: {} };
    }
    const urn = resource.provider;
    const provider = byUrn.get(urn);
    if (provider) return { type: provider.type, name: provider.name, urn, props: provider.props };
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>
    const [, , qualifiedType = "", name = ""] = urn.split("::");
    return { type: qualifiedType.split("$").at(-1)!, name, urn, props: {} };
}

/**
 * The resources a stack policy sees, as the analyzer builds them: each with its direct
 * dependencies (as resources) and its explicit provider. Per-property dependencies are not
 * recorded in a PolicyRecord and stay empty.
 */
function stackPolicyResources(resources: (PolicyRecord & { id: string })[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const stackResources = resources.map((resource) => {
        const policyResource = {
            type: resource.type,
            name: resource.name,
            urn: resource.id,
            props: unknownCheckingProxy(resource.props),
            opts: optionsOf(resource),
            dependencies: [] as PolicyResource[],
            propertyDependencies: {},
            ...typeChecks(resource.type, resource.props),
        } as unknown as PolicyResource;
        byUrn.set(resource.id, policyResource);
        return policyResource;
    });
    resources.forEach((resource, index) => {
        const policyResource = stackResources[index]!;
        policyResource.dependencies.push(...(resource.dependsOn ?? []).flatMap((urn) => byUrn.get(urn) ?? []));
        const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
        if (parent) policyResource.parent = parent;
        // A record that does not say (a --resources file of type, name and props) gets no provider.
        if (resource.provider !== undefined) policyResource.provider = providerResource(resource, byUrn);
    });
    return stackResources;
}

export async function evaluatePolicies(
    records: PolicyRecord[],
    options: { policies?: readonly KfstackPolicy[]; config?: PolicyPackConfig } = {},
): Promise<PolicyReport> {
    const policies = options.policies ?? ALL_POLICIES;
    const packConfig = resolvePackConfig(policies, options.config ?? {});
    const resources = records.map((record) => {
        const props = analyzerValue(record.props) as Record<string, unknown>;
        const inputs = record.inputs ? (analyzerValue(record.inputs) as Record<string, unknown>) : props;
        return { ...record, id: record.urn ?? record.name, props, inputs };
    });
    const report: PolicyReport = { violations: [], undecided: [], evaluated: { resources: records.length, policies: 0 } };
    // The analyzer builds these afresh for each stack policy; no policy changes them, so one set serves all
    // and what the pack derives from them (policies/lib/tenants.ts) is derived once per stack.
    let stackResources: PolicyResource[] | undefined;

    for (const policy of policies) {
        const { enforcementLevel, properties: config } = packConfig.get(policy.name)!;
        if (enforcementLevel === "disabled") continue;
        // The analyzer reports a remediation policy's violations as mandatory.
        const enforcement = enforcementLevel === "remediate" ? "mandatory" : enforcementLevel;
        report.evaluated.policies++;
        const common = {
            stackTags: new Map<string, string>(),
            getConfig: <T extends object>() => config as T,
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        };
        const run = async (subject: string, validate: (report: ReportViolation) => Promise<void> | void) => {
            const reportViolation: ReportViolation = (message, urn) =>
                report.violations.push({ policy: policy.name, id: policy.id, enforcement, resource: urn ?? subject, message });
            try {
                await validate(reportViolation);
            } catch (error) {
                if (error instanceof UnknownValueError) report.undecided.push({ policy: policy.name, resource: subject, reason: error.message });
                else if (error instanceof NotApplicable)
                    report.undecided.push({ policy: policy.name, resource: subject, reason: error.reason ?? "Policy does not apply" });
                else throw new Error(`Policy ${policy.name} failed on ${subject}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
            }
        };

        if (isStackPolicy(policy)) {
            const args = { ...common, resources: (stackResources ??= stackPolicyResources(resources)) } as unknown as StackValidationArgs;
            await run("stack", (reportViolation) => policy.validateStack(args, reportViolation));
            continue;
        }
        const validations = [policy.validateResource ?? []].flat();
        for (const resource of resources) {
            const args = {
                ...common,
                type: resource.type,
                name: resource.name,
                urn: resource.id,
                props: unknownCheckingProxy(resource.inputs),
                opts: optionsOf(resource),
                ...typeChecks(resource.type, resource.inputs),
            } as unknown as ResourceValidationArgs;
            for (const validate of validations) await run(resource.id, (reportViolation) => validate(args, reportViolation));
        }
    }
    return report;
}

export function hasMandatory(report: PolicyReport): boolean {
    return report.violations.some((violation) => violation.enforcement === "mandatory");
}
