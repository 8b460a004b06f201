// Schema validation of planned Kubernetes objects, for tests: a custom
// resource against the openAPIV3Schema of its CustomResourceDefinition (ajv,
// with the Kubernetes extensions of OpenAPI translated to JSON Schema), a
// built-in object against the Kubernetes OpenAPI schema through the models of
// kubernetes-models. Nothing here is a hand-written schema of an object.
import { type IObjectMeta, ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import Ajv, { type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { MutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import { ValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration";
import { ValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import { ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { APIService } from "kubernetes-models/apiregistration.k8s.io/v1/APIService";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1/PriorityClass";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret as SecretModel } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { type KubernetesObject, apiGroup, describeObject } from "../core/objects";
import { Secret, Unknown, type PlanValue } from "../engine/values";
import { isRecord } from "../core/records";

/**
 * What an unknown becomes. The only unknowns in a preview are values generated
 * at deployment (the random passwords behind the OIDC client secret and the
 * MinIO credentials), and those are strings: a placeholder string is exact
 * wherever a schema wants a string, and where a schema wants anything else the
 * validators report it, which is the point — it is never hidden.
 */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/** A planned value as the API server would receive it: secrets unwrapped, unknowns as {@link UNKNOWN_PLACEHOLDER}. */
export function plainValue(value: unknown): unknown {
    if (value instanceof Unknown) return UNKNOWN_PLACEHOLDER;
    if (value instanceof Secret) return plainValue(value.value);
    if (Array.isArray(value)) return value.map(plainValue);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
    return value;
}

/** The planned inputs of a Kubernetes resource as the plain object the API server would receive. */
export function plainObject(inputs: Record<string, PlanValue>): KubernetesObject {
    return plainValue(inputs) as KubernetesObject;
}

/**
 * The API groups the Kubernetes API server serves itself (the core group is
 * ""). Every other group is a custom resource and needs a CustomResourceDefinition.
 * Spelled out rather than guessed from a suffix: metacontroller.k8s.io ends
 * like a built-in group and is a CRD.
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
]);

export const isBuiltIn = (object: KubernetesObject) => BUILT_IN_GROUPS.has(apiGroup(object.apiVersion));

/** `apiVersion kind`, the key of {@link BUILT_IN_MODELS}. */
export const typeKey = (object: KubernetesObject) => `${object.apiVersion} ${object.kind}`;

type ModelClass = new (data: KubernetesObject) => { validate(): void };

/**
 * The kubernetes-models class of each built-in kind kfstack plans. Its
 * schemas are those of Kubernetes 1.36: the package names no version in its
 * metadata (its README badge still reads 1.27.1, unchanged since 4.3.0), but
 * its changelog records 5.0.0 as "Update to Kubernetes v1.36.0" and the
 * schemas hold APIs first served in 1.34–1.36 (resource.k8s.io/v1,
 * PodSpec.hostnameOverride, admissionregistration.k8s.io/v1
 * MutatingAdmissionPolicy). The stacks target Kubernetes 1.33. Built-in APIs
 * only grow within a version, so a 1.33 object validates against 1.36 schemas
 * and these checks find wrong types, missing required fields and bad enums or
 * formats; they cannot notice a field 1.34+ added (a 1.33 server would drop
 * it), and the package also keeps classes for APIs removed long ago, so
 * whether an API is still served is api-removals.ts's job, not this one.
 * The OpenAPI schemas of built-in kinds do not close objects, so a misspelled
 * field passes here too.
 */
export const BUILT_IN_MODELS: Readonly<Record<string, ModelClass>> = Object.fromEntries(
    [
        MutatingWebhookConfiguration,
        ValidatingWebhookConfiguration,
        ValidatingAdmissionPolicy,
        ValidatingAdmissionPolicyBinding,
        CustomResourceDefinition,
        APIService,
        DaemonSet,
        Deployment,
        StatefulSet,
        CronJob,
        Job,
        HorizontalPodAutoscaler,
        PodDisruptionBudget,
        ClusterRole,
        ClusterRoleBinding,
        Role,
        RoleBinding,
        PriorityClass,
        StorageClass,
        ConfigMap,
        LimitRange,
        NetworkPolicy,
        Namespace,
        PersistentVolumeClaim,
        SecretModel,
        Service,
        ServiceAccount,
    ].map((model) => [`${model.apiVersion} ${model.kind}`, model as unknown as ModelClass]),
);

/** What a model's validate() found: the ajv errors of its ValidationError, or none. */
function modelErrors(model: InstanceType<ModelClass>): Partial<ErrorObject>[] {
    try {
        model.validate();
        return [];
    } catch (error) {
        const errors = (error as { errors?: ErrorObject[] }).errors;
        return errors ?? [{ instancePath: "", message: String(error) }];
    }
}

/**
 * Validates a built-in object with its kubernetes-models class; throws when the
 * kind has no class in {@link BUILT_IN_MODELS} (a gap the tests must show, not skip).
 */
export function validateBuiltIn(object: KubernetesObject): string[] {
    const Model = BUILT_IN_MODELS[typeKey(object)];
    if (!Model) throw new Error(`No kubernetes-models class for ${typeKey(object)}; add it to BUILT_IN_MODELS.`);
    return modelErrors(new Model(object)).map(describeError);
}

function describeError(error: Partial<ErrorObject>): string {
    const where = error.instancePath || "/";
    const property = error.keyword === "additionalProperties" ? ` (${String(error.params?.["additionalProperty"])})` : "";
    const allowed = error.keyword === "enum" ? ` (${JSON.stringify(error.params?.["allowedValues"])})` : "";
    return `${where} ${error.message ?? error.keyword}${property}${allowed}`;
}

/** `Kind namespace/name: error; error` for a list of failures. */
export const failure = (object: KubernetesObject, errors: string[]) => `${describeObject(object)}: ${errors.join("; ")}`;

// ---- Custom resources -------------------------------------------------------

type JsonSchema = { [keyword: string]: unknown };

const isSchema = (value: unknown): value is JsonSchema => isRecord(value);

/** Keyword of the metadata check; not a Kubernetes keyword, so it cannot clash with one. */
const OBJECT_META_KEYWORD = "x-kfstack-object-meta";

/**
 * Formats ajv-formats validates with the meaning the API server gives them.
 * The server validates a fixed list (date-time, date, byte, ipv4, ipv6,
 * hostname, uri, email, uuid, cidr, mac, duration, …) and ignores every other
 * format; int32/int64/float/double are OpenAPI number formats the server does
 * not check, and validating their ranges here is stricter but never wrong for
 * a Go controller that decodes into those types. Not taken from ajv-formats
 * although the server checks them, because the meanings differ: uri (Go
 * accepts "/path"), email (Go accepts "Name <a@b>"), uuid (Go accepts no
 * dashes) and duration (Go durations like "30s", not ISO 8601).
 */
const VALIDATED_FORMATS = ["date-time", "date", "byte", "ipv4", "ipv6", "hostname", "int32", "int64", "float", "double"] as const;

const JUNCTORS = ["allOf", "anyOf", "oneOf", "not"] as const;

/**
 * A CRD version schema in Kubernetes' OpenAPI v3 dialect turned into JSON
 * Schema that means the same to ajv:
 * - `nullable: true` admits null (ajv's own `nullable` refuses a schema without `type`);
 * - `x-kubernetes-int-or-string` admits an integer or a string;
 * - fields a structural schema does not declare are reported
 *   (additionalProperties: false): the API server prunes them, or rejects
 *   them under strict field validation, so such a field is configuration
 *   that never arrives — unless the node says `x-kubernetes-preserve-unknown-fields`;
 * - `x-kubernetes-embedded-resource` objects get apiVersion and kind
 *   (required) and metadata, as the server implies them;
 * - metadata at the root (CRD schemas usually say only `type: object`) and in
 *   embedded resources is validated as ObjectMeta by kubernetes-models;
 *   the CRD may only constrain its name and generateName, which stay;
 * - draft-4 boolean exclusiveMinimum/exclusiveMaximum become draft-7 numbers.
 * Subschemas under allOf/anyOf/oneOf/not are value validations only in a
 * structural schema, so they get the translations but no pruning.
 */
export function toAjvSchema(schema: JsonSchema): JsonSchema {
    return translate(schema, "root");
}

type Position = "root" | "structural" | "junctor";

function objectMetaSchema(declared: unknown): JsonSchema {
    const properties = isSchema(declared) && isSchema(declared["properties"]) ? declared["properties"] : {};
    const kept = Object.fromEntries(Object.entries(properties).filter(([name]) => name === "name" || name === "generateName"));
    return { type: "object", properties: mapSchemas(kept, "junctor"), [OBJECT_META_KEYWORD]: true };
}

function mapSchemas(schemas: JsonSchema, position: Position): JsonSchema {
    return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, isSchema(schema) ? translate(schema, position) : schema]));
}

function translate(node: JsonSchema, position: Position): JsonSchema {
    const out: JsonSchema = { ...node };
    const child: Position = position === "junctor" ? "junctor" : "structural";
    if (isSchema(node["properties"])) out["properties"] = mapSchemas(node["properties"], child);
    if (isSchema(node["items"])) out["items"] = translate(node["items"], child);
    if (isSchema(node["additionalProperties"])) out["additionalProperties"] = translate(node["additionalProperties"], child);
    for (const junctor of JUNCTORS) {
        const value = node[junctor];
        if (Array.isArray(value)) out[junctor] = value.map((branch: unknown) => (isSchema(branch) ? translate(branch, "junctor") : branch));
        else if (isSchema(value)) out[junctor] = translate(value, "junctor");
    }
    for (const [bound, exclusive] of [
        ["minimum", "exclusiveMinimum"],
        ["maximum", "exclusiveMaximum"],
    ] as const) {
        if (typeof node[exclusive] !== "boolean") continue;
        if (node[exclusive] === true) {
            out[exclusive] = node[bound];
            delete out[bound];
        } else {
            delete out[exclusive];
        }
    }
    if (node["x-kubernetes-int-or-string"] === true && out["type"] === undefined) out["type"] = ["integer", "string"];

    const embedded = node["x-kubernetes-embedded-resource"] === true;
    if (position === "root" || embedded) {
        const properties = isSchema(out["properties"]) ? { ...out["properties"] } : {};
        properties["apiVersion"] ??= { type: "string" };
        properties["kind"] ??= { type: "string" };
        properties["metadata"] = objectMetaSchema(isSchema(node["properties"]) ? node["properties"]["metadata"] : undefined);
        out["properties"] = properties;
        if (embedded) out["required"] = [...new Set([...(Array.isArray(node["required"]) ? node["required"] : []), "apiVersion", "kind"])];
    }
    const isObject = out["type"] === "object" || isSchema(out["properties"]);
    if (position !== "junctor" && isObject && out["additionalProperties"] === undefined && node["x-kubernetes-preserve-unknown-fields"] !== true) {
        out["additionalProperties"] = false;
    }

    // The API server checks a null against nothing but `nullable`.
    if ("nullable" in out) {
        delete out["nullable"];
        if (node["nullable"] === true) allowNull(out);
    }
    return out;
}

function allowNull(out: JsonSchema): void {
    if (out["type"] !== undefined) out["type"] = [...new Set([...(Array.isArray(out["type"]) ? out["type"] : [out["type"]]), "null"])];
    if (Array.isArray(out["enum"])) out["enum"] = [...out["enum"], null];
    const junctors = Object.fromEntries(JUNCTORS.filter((junctor) => junctor in out).map((junctor) => [junctor, out[junctor]]));
    if (Object.keys(junctors).length > 0) {
        for (const junctor of JUNCTORS) delete out[junctor];
        // A null passes; anything else must satisfy the junctors.
        out["if"] = { type: "null" };
        out["else"] = junctors;
    }
}

function formatsIn(schema: unknown, found = new Set<string>()): Set<string> {
    if (Array.isArray(schema)) schema.forEach((inner) => formatsIn(inner, found));
    else if (isSchema(schema)) {
        if (typeof schema["format"] === "string") found.add(schema["format"]);
        for (const [keyword, inner] of Object.entries(schema))
            if (keyword !== "default" && keyword !== "enum" && keyword !== "example") formatsIn(inner, found);
    }
    return found;
}

interface CrdVersion {
    name: string;
    served: boolean;
    schema?: { openAPIV3Schema?: JsonSchema };
}

interface Crd {
    spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/**
 * A Go (RE2) pattern as a JavaScript RegExp. RE2's inline case-insensitive flag
 * `(?i)` has no JavaScript form before V8's pattern modifiers, so a pattern with
 * it is compiled case-insensitive as a whole: it may accept a little more than
 * the API server would, never less.
 */
function goRegExp(pattern: string, flags: string): RegExp {
    const caseInsensitive = pattern.includes("(?i)");
    return new RegExp(caseInsensitive ? pattern.replaceAll("(?i)", "") : pattern, caseInsensitive ? `${flags}i` : flags);
}
goRegExp.code = 'require("./schema-validation").goRegExp';

/** Custom resources validated against the CRDs of one plan. */
export class CrdSchemas {
    /** Formats met in a CRD schema that are not checked, as the API server ignores formats it does not know. */
    readonly ignoredFormats = new Set<string>();
    private readonly ajv: Ajv;
    private readonly crds = new Map<string, Crd>();
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor(crds: KubernetesObject[]) {
        for (const crd of crds as unknown as Crd[]) this.crds.set(`${crd.spec.group} ${crd.spec.names.kind}`, crd);
        // strict: false because a CRD schema is Kubernetes' OpenAPI v3 dialect,
        // not the JSON Schema ajv's strict mode polices: it carries keywords ajv
        // does not know (x-kubernetes-list-type, x-kubernetes-map-type,
        // x-kubernetes-validations, description-only ones) and, legitimately,
        // `properties` and `required` in anyOf/oneOf/not branches without a
        // `type` (strictTypes, strictRequired). Strict mode would refuse to
        // compile them; the keywords that mean something for validation are
        // translated by toAjvSchema first, and the rest are annotations.
        // useDefaults: the API server applies a schema's defaults before it
        // validates, so a required field with a default is never missing.
        // code.regExp: the API server matches `pattern` with Go's RE2, whose inline
        // (?i) JavaScript lacks (Prometheus Operator's CRDs use it).
        this.ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true, code: { regExp: goRegExp } });
        addFormats(this.ajv, [...VALIDATED_FORMATS]);
        this.ajv.addKeyword({ keyword: OBJECT_META_KEYWORD, errors: true, validate: validateObjectMeta });
    }

    /** The CRD that defines a group and kind, if the plan has one. */
    definition(group: string, kind: string): Crd | undefined {
        return this.crds.get(`${group} ${kind}`);
    }

    /** The compiled schema of a group/kind at a version; throws when the CRD or version is missing. */
    validator(group: string, kind: string, version: string): ValidateFunction {
        const key = `${group} ${kind} ${version}`;
        const known = this.compiled.get(key);
        if (known) return known;
        const crd = this.definition(group, kind);
        if (!crd) throw new Error(`No CustomResourceDefinition for ${kind}.${group} in the plan.`);
        const crdVersion = crd.spec.versions.find((candidate) => candidate.name === version);
        const schema = crdVersion?.schema?.openAPIV3Schema;
        if (!crdVersion || !schema) {
            throw new Error(
                `CustomResourceDefinition of ${kind}.${group} has no schema for version ${version} (it has ${crd.spec.versions.map((candidate) => candidate.name).join(", ")}).`,
            );
        }
        for (const format of formatsIn(schema)) {
            if ((VALIDATED_FORMATS as readonly string[]).includes(format) || this.ignoredFormats.has(format)) continue;
            this.ignoredFormats.add(format);
            this.ajv.addFormat(format, true);
        }
        const validate = this.ajv.compile(toAjvSchema(schema));
        this.compiled.set(key, validate);
        return validate;
    }

    /** Errors of a custom resource against its CRD's schema for its apiVersion; none when valid. */
    validate(object: KubernetesObject): string[] {
        const [group, version] = object.apiVersion.split("/") as [string, string];
        const validate = this.validator(group, object.kind, version);
        // The validator applies defaults: give it a copy.
        return validate(structuredClone(object)) ? [] : (validate.errors ?? []).map(describeError);
    }
}

/** Metadata of a custom resource, validated as the API server does: as ObjectMeta, whatever the CRD says. */
const validateObjectMeta: SchemaValidateFunction = (_schema, data, _parentSchema, context) => {
    const errors = modelErrors(new ObjectMeta(data as IObjectMeta));
    validateObjectMeta.errors = errors.map((error) => ({ ...error, instancePath: `${context?.instancePath ?? ""}${error.instancePath ?? ""}` }));
    return errors.length === 0;
};
