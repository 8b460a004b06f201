// The one schema of the registry stack (registry/): everything under the
// `kfstack-mirror:` namespace of registry/Pulumi.<stack>.yaml. Where the mirror
// lives (cloud: aws, gcp or an existing registry) and which images it holds.
// Problems are reported the way the main stack reports them: one ConfigError
// naming every bad key in full, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { partitionOf } from "../cluster/aws/partition";
import { awsRegion } from "../config/cloud-schema";
import { awsPartitionOf } from "../cluster/regions";
import { CONFIG_NAMESPACE, ConfigError, type ConfigIssue, configKey, rawStackConfig, readingStackFile } from "../config/load";
import type { ConfigProblem } from "../config/topology";
import { mirroredImage } from "./images";
import { normalizeImage, parseRegistryPrefix } from "../../core/image-references";

/** The mirror project's name, and so its config namespace. */
export const MIRROR_NAMESPACE = "kfstack-mirror";

const EXAMPLE_IMAGE = "docker.io/kubeflow/training-operator:v1-9e52eb7";
const IMAGES_HINT = `list the images to mirror, normalized, such as ${EXAMPLE_IMAGE} (the images of the Kubeflow release's bill of materials, components/bom/<release>.yaml)`;

/** A custom message for a missing value; any other type error falls through to the parse's error map. */
const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? `is required: ${what}` : undefined);

function imageProblem(text: string): string | undefined {
    const normalized = normalizeImage(text);
    if (normalized === undefined) return `${JSON.stringify(text)} is not an image reference; write one such as ${EXAMPLE_IMAGE}`;
    if (normalized.tag === undefined && normalized.digest === undefined)
        return `${text} names no tag or digest; pin the image the release runs, such as ${EXAMPLE_IMAGE}`;
    if (normalized.image !== text) return `${text} is not normalized; write it as ${normalized.image}`;
    return undefined;
}

/** The same image twice, or one repository path from two registries (the mirror holds one repository per path). */
function imageListProblems(images: string[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const seen = new Set<string>();
    const firstByPath = new Map<string, { image: string; registry: string; index: number }>();
    images.forEach((text, index) => {
        const image = mirroredImage(text);
        if (!image) return; // reported on the element
        if (seen.has(text)) {
            problems.push({ path: [index], message: `${text} is listed twice; list each image once` });
            return;
        }
        seen.add(text);
        const first = firstByPath.get(image.path);
        if (!first) {
            firstByPath.set(image.path, { ...image, index });
        } else if (first.registry !== image.registry) {
            problems.push({
                path: [index],
                message: `${text} and ${first.image} (images[${first.index}]) come from different registries but would share the mirror repository ${image.path}; mirror one of them`,
            });
        }
    });
    return problems;
}

const images = z
    .array(
        z.string().superRefine((text, ctx) => {
            const message = imageProblem(text);
            if (message) ctx.addIssue({ code: "custom", message });
        }),
        { error: required(IMAGES_HINT) },
    )
    .min(1, { error: `is empty: ${IMAGES_HINT}` })
    .superRefine((list, ctx) => {
        for (const { path, message } of imageListProblems(list)) ctx.addIssue({ code: "custom", path, message });
    })
    .describe("The images the mirror holds, normalized (docker.io/library/mysql:8.0.29); one repository per path without registry and tag.");

// ECR repository names: lowercase path components separated by '/', '.', '_' or '-'.
const ECR_NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const KMS_ARN = /^arn:([a-z-]+):kms:([a-z0-9-]+):[0-9]{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

const awsMirror = z.strictObject({
    cloud: z.literal("aws"),
    region: awsRegion.describe("AWS region of the ECR repositories; GovCloud (us-gov-*) included."),
    repositoryPrefix: z
        .string({ error: required("the ECR namespace of the mirror's repositories, such as kubeflow-mirror") })
        .regex(ECR_NAME, {
            error: "must be an ECR repository namespace: lowercase letters and digits, separated by '/', '.', '_' or '-', such as kubeflow-mirror",
        })
        .describe("Namespace of the repositories: each image path lands at <repositoryPrefix>/<path>."),
    kmsKeyArn: z
        .string()
        .regex(KMS_ARN, {
            error: "must be the ARN of a KMS key or alias, such as arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        })
        .optional()
        .describe("KMS key that encrypts the repositories; without it the stack creates one with yearly rotation."),
    tags: z
        .record(z.string().min(1).max(128), z.string().max(256))
        .default({})
        .describe("Tags added to every AWS resource of the mirror (provider default tags)."),
    images,
});

const GCP_PROJECT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
// A region (us-central1) or a multi-region (us, europe, asia).
const GCP_LOCATION = /^([a-z]+-[a-z]+[0-9]+|us|europe|asia)$/;
const ARTIFACT_REGISTRY_ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const gcpMirror = z.strictObject({
    cloud: z.literal("gcp"),
    project: z
        .string({ error: required("the GCP project id of the repository") })
        .regex(GCP_PROJECT, { error: "must be a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'" })
        .describe("GCP project of the Artifact Registry repository."),
    region: z
        .string({ error: required("the Artifact Registry location, such as us-central1") })
        .regex(GCP_LOCATION, {
            error: (issue) => `must be a GCP region such as us-central1 (or a multi-region: us, europe, asia), not ${JSON.stringify(issue.input)}`,
        })
        .describe("Location of the repository: a region such as us-central1, or us, europe or asia."),
    repositoryId: z
        .string({ error: required("the Artifact Registry repository id, such as kubeflow-mirror") })
        .regex(ARTIFACT_REGISTRY_ID, {
            error: "must be an Artifact Registry repository id: 1-63 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
        })
        .describe("Id of the Docker repository that holds every image path."),
    images,
});

const REGISTRY_EXAMPLES = "registry.kube-system.svc:5000/kf or harbor.example.com/kubeflow";

function registryProblem(registry: string): string | undefined {
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(registry)?.[0];
    if (scheme) return `${registry} has a scheme; image references name a registry without one: drop "${scheme}"`;
    const prefix = parseRegistryPrefix(registry);
    if (!prefix) return `must be a registry host with an optional port and path, such as ${REGISTRY_EXAMPLES}, not ${JSON.stringify(registry)}`;
    // As Docker decides: without a dot or a port (or localhost) the first component is a Docker Hub path.
    if (!prefix.host.includes(".") && prefix.port === undefined && prefix.host !== "localhost") {
        return `${registry} starts with ${prefix.host}, which has no dot or port, so Docker would read it as a path on Docker Hub; use the registry's full host name, such as ${REGISTRY_EXAMPLES}`;
    }
    return undefined;
}

const existingMirror = z.strictObject({
    cloud: z.literal("existing"),
    registry: z
        .string({ error: required(`the registry host and optional path the images are pushed to, such as ${REGISTRY_EXAMPLES}`) })
        .superRefine((registry, ctx) => {
            const message = registryProblem(registry);
            if (message) ctx.addIssue({ code: "custom", message });
        })
        .describe("An existing registry: an in-cluster one, Harbor, or any registry URL (host[:port][/path]); the stack creates nothing."),
    images,
});

const VARIANTS = { aws: awsMirror, gcp: gcpMirror, existing: existingMirror } as const;

function mirrorProblems(config: z.infer<typeof awsMirror> | z.infer<typeof gcpMirror> | z.infer<typeof existingMirror>): ConfigProblem[] {
    // An unknown region is its own problem; no partition follows from it.
    if (config.cloud !== "aws" || !awsPartitionOf(config.region)) return [];
    const partition = partitionOf(config.region);
    if (!partition) {
        return [{ path: ["region"], message: `${config.region} is in a partition kfstack does not support; use a commercial or GovCloud (us-gov-*) region` }];
    }
    const key = config.kmsKeyArn === undefined ? null : KMS_ARN.exec(config.kmsKeyArn);
    if (!key) return [];
    if (key[1] !== partition.name) {
        return [
            {
                path: ["kmsKeyArn"],
                message: `${config.kmsKeyArn} is not in partition ${partition.name} of region ${config.region}; use an arn:${partition.name}: ARN`,
            },
        ];
    }
    if (key[2] !== config.region) {
        return [
            {
                path: ["kmsKeyArn"],
                message: `${config.kmsKeyArn} is a key in ${key[2]}; ECR encrypts a repository only with a key of its own region, ${config.region}`,
            },
        ];
    }
    return [];
}

export const MirrorConfigSchema = z
    .discriminatedUnion("cloud", [awsMirror, gcpMirror, existingMirror], {
        error: (issue) => {
            const cloud = typeof issue.input === "object" && issue.input !== null ? (issue.input as { cloud?: unknown }).cloud : undefined;
            return cloud === undefined ? "is required: aws, gcp or existing" : `must be aws, gcp or existing, not ${JSON.stringify(cloud)}`;
        },
    })
    .superRefine((config, ctx) => {
        for (const { path, message } of mirrorProblems(config)) ctx.addIssue({ code: "custom", path, message });
    });

export type MirrorConfig = z.infer<typeof MirrorConfigSchema>;
export type AwsMirrorConfig = Extract<MirrorConfig, { cloud: "aws" }>;
export type GcpMirrorConfig = Extract<MirrorConfig, { cloud: "gcp" }>;
export type ExistingMirrorConfig = Extract<MirrorConfig, { cloud: "existing" }>;

// components/config/load.ts formats keys and decodes values in the `kfstack:`
// namespace; these two functions move mirror keys into it and back, so the
// mirror shares its key paths, its JSON decoding and its ConfigError.

/** `kfstack:images[3]` → `kfstack-mirror:images[3]`. */
function intoMirrorNamespace(key: string): string {
    return `${MIRROR_NAMESPACE}:${key.slice(CONFIG_NAMESPACE.length + 1)}`;
}

/** Full key of a path in the mirror's namespace, e.g. `kfstack-mirror:images[3]`. */
export function mirrorConfigKey(path: readonly PropertyKey[]): string {
    return intoMirrorNamespace(configKey(path));
}

/** The `kfstack-mirror:` values Pulumi hands the program, decoded (structured values arrive as JSON). */
export function rawMirrorConfig(all: Record<string, string>): { raw: Record<string, unknown>; issues: ConfigIssue[] } {
    const prefix = `${MIRROR_NAMESPACE}:`;
    const inKfstackNamespace = Object.fromEntries(
        Object.entries(all)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [`${CONFIG_NAMESPACE}:${key.slice(prefix.length)}`, value]),
    );
    const { raw, issues } = rawStackConfig(inKfstackNamespace);
    return { raw, issues: issues.map((issue) => ({ ...issue, key: intoMirrorNamespace(issue.key) })) };
}

function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "a mapping";
    return `the ${typeof value} ${JSON.stringify(value)}`;
}

const EXPECTED: Record<string, string> = { array: "a list", object: "a mapping", string: "a string" };

const messages: z.core.$ZodErrorMap = (issue) => {
    if (issue.code !== "invalid_type") return undefined;
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    return issue.input === undefined ? `is required (${expected})` : `must be ${expected}, not ${describeValue(issue.input)}`;
};

function unknownKeyMessage(raw: Record<string, unknown>): string {
    const cloud = raw["cloud"];
    const variant = typeof cloud === "string" && Object.hasOwn(VARIANTS, cloud) ? VARIANTS[cloud as keyof typeof VARIANTS] : undefined;
    if (!variant) return `is not a ${MIRROR_NAMESPACE} setting; check its spelling in registry/README.md`;
    return `is not a setting of cloud ${String(cloud)}, whose settings are ${Object.keys(variant.shape).join(", ")}; check its spelling in registry/README.md`;
}

/** Validates raw `kfstack-mirror:` values (keys without the namespace); throws ConfigError listing every problem. */
export function parseMirrorConfig(raw: Record<string, unknown>): MirrorConfig {
    const result = MirrorConfigSchema.safeParse(raw, { error: messages });
    if (result.success) return result.data;
    throw new ConfigError(
        result.error.issues.flatMap((issue) =>
            issue.code === "unrecognized_keys"
                ? issue.keys.map((key) => ({ key: mirrorConfigKey([...issue.path, key]), message: unknownKeyMessage(raw) }))
                : [{ key: mirrorConfigKey(issue.path), message: issue.message }],
        ),
    );
}

/** The validated configuration of the running mirror stack. */
export function loadMirrorConfig(): MirrorConfig {
    return readingStackFile(`Pulumi.${pulumi.getStack()}.yaml`, () => {
        const { raw, issues } = rawMirrorConfig(pulumi.runtime.allConfig());
        if (issues.length > 0) throw new ConfigError(issues);
        return parseMirrorConfig(raw);
    });
}
