// Every Kubernetes object the prod stack plans, validated before any cluster
// sees it: custom resources against the openAPIV3Schema of their
// CustomResourceDefinition from the same rendered manifests, built-in objects
// against the Kubernetes OpenAPI schema through kubernetes-models.
import { beforeAll, describe, expect, it } from "vitest";
import { type KubernetesObject, apiGroup, describeObject } from "../core/objects";
import type { Plan } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { type PlanValue, Secret, Unknown } from "../engine/values";
import { resource } from "./helpers";
import { BUILT_IN_MODELS, CrdSchemas, UNKNOWN_PLACEHOLDER, failure, isBuiltIn, plainObject, plainValue, typeKey, validateBuiltIn } from "./schema-validation";

const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/** The plain object of one planned resource. */
const planned = (plan: Plan, type: string, name: string) => plainObject(resource(plan, type, name).inputs);

const versionOf = (object: KubernetesObject) => object.apiVersion.slice(object.apiVersion.indexOf("/") + 1);

describe("Planned Kubernetes objects of the prod stack against their schemas", () => {
    let plan: Plan;
    let objects: KubernetesObject[];
    let customResources: KubernetesObject[];
    let builtIns: KubernetesObject[];
    let schemas: CrdSchemas;

    beforeAll(async () => {
        plan = await plannedStack("prod");
        objects = plan.resources.filter((candidate) => candidate.type.startsWith("kubernetes:")).map((candidate) => plainObject(candidate.inputs));
        customResources = objects.filter((object) => !isBuiltIn(object));
        builtIns = objects.filter(isBuiltIn);
        schemas = new CrdSchemas(plan.resources.filter((candidate) => candidate.type === CRD_TYPE).map((crd) => plainObject(crd.inputs)));
    });

    it("unwraps secrets and writes unknowns, the generated passwords, as a string placeholder", () => {
        expect(plainValue({ a: [new Secret("s3cret"), Unknown.instance], b: new Secret({ c: Unknown.instance }) })).toEqual({
            a: ["s3cret", UNKNOWN_PLACEHOLDER],
            b: { c: UNKNOWN_PLACEHOLDER },
        });
        expect(planned(plan, "kubernetes:core/v1:Secret", "kubeflow/mlpipeline-minio-artifact")["stringData"]).toEqual({
            accesskey: "[unknown]",
            secretkey: "[unknown]",
        });
    });

    it("plans a CustomResourceDefinition, with a served version, for every custom resource it plans", () => {
        const missing = customResources
            .filter((object) => {
                const crd = schemas.definition(apiGroup(object.apiVersion), object.kind);
                return !crd?.spec.versions.some((version) => version.name === versionOf(object) && version.served);
            })
            .map((object) => `${object.apiVersion} ${describeObject(object)}`);
        expect(missing).toEqual([]);
        expect(customResources.length).toBeGreaterThan(0);
    });

    it("plans the Profile CRD with a v1 schema that compiles", () => {
        expect(schemas.definition("kubeflow.org", "Profile")).toBeDefined();
        expect(() => schemas.validator("kubeflow.org", "Profile", "v1")).not.toThrow();
    });

    it("validates every custom resource against the openAPIV3Schema of its CRD", () => {
        const failures = customResources.map((object) => ({ object, errors: schemas.validate(object) })).filter(({ errors }) => errors.length > 0);
        expect(failures.map(({ object, errors }) => failure(object, errors))).toEqual([]);
    });

    it("has a kubernetes-models class for every built-in kind it plans", () => {
        const kinds = [...new Set(builtIns.map(typeKey))].sort();
        expect(kinds.filter((kind) => !BUILT_IN_MODELS[kind])).toEqual([]);
        expect(kinds.length).toBeGreaterThan(0);
    });

    it("validates every built-in object against the Kubernetes OpenAPI schema through kubernetes-models", () => {
        const failures = builtIns.map((object) => ({ object, errors: validateBuiltIn(object) })).filter(({ errors }) => errors.length > 0);
        expect(failures.map(({ object, errors }) => failure(object, errors))).toEqual([]);
    });

    it("rejects a Deployment whose replicas is not an integer", () => {
        const deployment = planned(plan, "kubernetes:apps/v1:Deployment", "kubeflow/ml-pipeline");
        const spec = deployment["spec"] as Record<string, unknown>;
        expect(validateBuiltIn(deployment)).toEqual([]);
        expect(validateBuiltIn({ ...deployment, spec: { ...spec, replicas: "three" } })).toEqual(["/spec/replicas must be integer"]);
    });

    it("reports an unknown placed where the schema wants a non-string instead of hiding it", () => {
        const deployment = resource(plan, "kubernetes:apps/v1:Deployment", "kubeflow/ml-pipeline").inputs;
        const spec = deployment["spec"] as Record<string, PlanValue>;
        expect(validateBuiltIn(plainObject({ ...deployment, spec: { ...spec, replicas: Unknown.instance } }))).toEqual(["/spec/replicas must be integer"]);
    });

    it("rejects a Certificate whose secretName is not a string", () => {
        const certificate = planned(plan, "kubernetes:cert-manager.io/v1:Certificate", "kubeflow/kfp-cache-cert");
        const spec = certificate["spec"] as Record<string, unknown>;
        expect(schemas.validate(certificate)).toEqual([]);
        expect(schemas.validate({ ...certificate, spec: { ...spec, secretName: 42 } })).toEqual(["/spec/secretName must be string"]);
    });

    it("rejects a field the CRD does not declare, which the API server would drop", () => {
        const certificate = planned(plan, "kubernetes:cert-manager.io/v1:Certificate", "kubeflow/kfp-cache-cert");
        const spec = certificate["spec"] as Record<string, unknown>;
        expect(schemas.validate({ ...certificate, spec: { ...spec, secretNmae: "kfp-cache-cert" } })).toEqual([
            "/spec must NOT have additional properties (secretNmae)",
        ]);
    });

    it("validates the metadata of a custom resource as ObjectMeta although its CRD says only `type: object`", () => {
        const certificate = planned(plan, "kubernetes:cert-manager.io/v1:Certificate", "kubeflow/kfp-cache-cert");
        const metadata: Record<string, unknown> = { ...certificate.metadata, labels: { tier: 3 } };
        expect(schemas.validate({ ...certificate, metadata } as KubernetesObject)).toEqual(["/metadata/labels/tier must be string"]);
    });

    it("accepts an integer or a quantity string where the CRD says x-kubernetes-int-or-string, and nothing else", () => {
        const runtime = planned(plan, "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime", "kserve-sklearnserver");
        const withCpu = (cpu: unknown) => {
            const spec = runtime["spec"] as { containers: Record<string, unknown>[] };
            const [container, ...others] = spec.containers;
            return { ...runtime, spec: { ...spec, containers: [{ ...container, resources: { requests: { cpu } } }, ...others] } };
        };
        expect(schemas.validate(withCpu(2))).toEqual([]);
        expect(schemas.validate(withCpu("500m"))).toEqual([]);
        expect(schemas.validate(withCpu(true))).toEqual([
            "/spec/containers/0/resources/requests/cpu must be integer,string",
            // The CRD also says anyOf integer/string, as Kubernetes' int-or-string schemas do.
            "/spec/containers/0/resources/requests/cpu must be integer",
            "/spec/containers/0/resources/requests/cpu must be string",
            "/spec/containers/0/resources/requests/cpu must match a schema in anyOf",
        ]);
    });

    it("compiles the schema of every served version of every CRD it plans, and names the formats it leaves unchecked", () => {
        const crds = plan.resources.filter((candidate) => candidate.type === CRD_TYPE).map((crd) => plainObject(crd.inputs));
        const uncompiled: string[] = [];
        for (const crd of crds) {
            const { group, names, versions } = crd["spec"] as { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
            for (const version of versions.filter((candidate) => candidate.served)) {
                try {
                    schemas.validator(group, names.kind, version.name);
                } catch (error) {
                    uncompiled.push(`${crd.metadata.name} ${version.name}: ${(error as Error).message}`);
                }
            }
        }
        expect(uncompiled).toEqual([]);
        // "binary" (istio's VirtualService) is an OpenAPI annotation for raw bytes: the API server does not check it either.
        expect([...schemas.ignoredFormats].sort()).toEqual(["binary"]);
    });
});

// The extensions the planned CRDs do not all use, on a small CRD made for the purpose.
describe("CrdSchemas on the Kubernetes extensions of OpenAPI", () => {
    const widgets = new CrdSchemas([
        {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "widgets.example.com" },
            spec: {
                group: "example.com",
                names: { kind: "Widget" },
                versions: [
                    {
                        name: "v1",
                        served: true,
                        schema: {
                            openAPIV3Schema: {
                                type: "object",
                                properties: {
                                    spec: {
                                        type: "object",
                                        required: ["size"],
                                        properties: {
                                            size: { type: "integer", default: 3 },
                                            count: { type: "integer", nullable: true, anyOf: [{ minimum: 1 }] },
                                            port: { "x-kubernetes-int-or-string": true, nullable: true },
                                            template: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
                                            ratio: { type: "number", maximum: 1, exclusiveMaximum: true },
                                        },
                                    },
                                },
                            },
                        },
                    },
                ],
            },
        },
    ]);
    const widget = (spec: Record<string, unknown>) => widgets.validate({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec });

    it("applies defaults before it checks required fields, as the API server does", () => {
        expect(widget({})).toEqual([]);
    });

    it("admits null where the schema says nullable, and checks anything else", () => {
        expect(widget({ count: null, port: null })).toEqual([]);
        expect(widget({ count: 0 })).toEqual(["/spec/count must be >= 1", "/spec/count must match a schema in anyOf", '/spec/count must match "else" schema']);
    });

    it("requires apiVersion and kind of an embedded resource and validates its metadata as ObjectMeta", () => {
        expect(widget({ template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { anything: 1 } } })).toEqual([]);
        expect(widget({ template: { metadata: { name: 5 } } })).toEqual([
            "/spec/template must have required property 'apiVersion'",
            "/spec/template must have required property 'kind'",
            "/spec/template/metadata/name must be string",
        ]);
    });

    it("reads a draft-4 boolean exclusiveMaximum as the bound it excludes", () => {
        expect(widget({ ratio: 0.5 })).toEqual([]);
        expect(widget({ ratio: 1 })).toEqual(["/spec/ratio must be < 1"]);
    });
});
