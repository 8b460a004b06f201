// The registry stack's configuration: every bad input refused with one
// ConfigError naming the full key, before anything is created.
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../../components/config/load";
import { MIRROR_NAMESPACE } from "../../components/registry/config";
import { registryProgram } from "../../components/registry/registry-program";
import { OfflineRunError, STACK_TYPE, runOffline } from "../../engine/offline";
import { type Change, type ConfigCase, type RawConfig, build, combined, jsonParseError, rejection, set, toWire, unset } from "../config-cases";
import { MIRRORED_IMAGES, plan, shipped } from "./helpers";

const setImage =
    (index: number, image: string): Change =>
    (config) => {
        (config["images"] as string[])[index] = image;
    };
const addImage =
    (image: string): Change =>
    (config) => {
        (config["images"] as string[]).push(image);
    };

/** Runs the mirror program offline on `raw` and returns the ConfigError it must fail with. */
function rejectionOf(raw: RawConfig) {
    return rejection(plan("bad", raw));
}

const BASES = { govcloud: shipped("govcloud"), gcp: shipped("gcp"), existing: shipped("existing") } as const;
const IMAGES_HINT =
    "list the images to mirror, normalized, such as docker.io/kubeflow/training-operator:v1-9e52eb7 (the images of the Kubeflow release's bill of materials, components/bom/<release>.yaml)";

type Case = ConfigCase<keyof typeof BASES>;

const CASES: Case[] = [
    // Where the mirror lives
    {
        name: "rejects a stack without a cloud",
        base: "govcloud",
        change: unset("cloud"),
        key: "kfstack-mirror:cloud",
        message: "is required: aws, gcp or existing",
    },
    {
        name: "rejects an unknown cloud",
        base: "govcloud",
        change: set("cloud", "azure"),
        key: "kfstack-mirror:cloud",
        message: 'must be aws, gcp or existing, not "azure"',
    },
    {
        name: "rejects a setting of another cloud",
        base: "govcloud",
        change: set("repositoryId", "kubeflow-mirror"),
        key: "kfstack-mirror:repositoryId",
        message:
            "is not a setting of cloud aws, whose settings are cloud, region, repositoryPrefix, kmsKeyArn, tags, images; check its spelling in registry/README.md",
    },
    // AWS
    {
        name: "rejects an AWS mirror without a region",
        base: "govcloud",
        change: unset("region"),
        key: "kfstack-mirror:region",
        message: "is required: an AWS region such as us-west-2 or us-gov-west-1",
    },
    {
        name: "rejects an AWS region that is not one",
        base: "govcloud",
        change: set("region", "govcloud-west"),
        key: "kfstack-mirror:region",
        message:
            'is not an AWS region kfstack knows: "govcloud-west"; use one such as us-west-2 or us-gov-west-1 (a new region goes into components/cluster/regions.ts)',
    },
    {
        name: "rejects a China region",
        base: "govcloud",
        change: combined(set("region", "cn-north-1"), unset("kmsKeyArn")),
        key: "kfstack-mirror:region",
        message: "cn-north-1 is in a partition kfstack does not support; use a commercial or GovCloud (us-gov-*) region",
    },
    {
        name: "rejects an AWS mirror without a repository prefix",
        base: "govcloud",
        change: unset("repositoryPrefix"),
        key: "kfstack-mirror:repositoryPrefix",
        message: "is required: the ECR namespace of the mirror's repositories, such as kubeflow-mirror",
    },
    {
        name: "rejects a repository prefix ECR does not accept",
        base: "govcloud",
        change: set("repositoryPrefix", "Kubeflow_Mirror/"),
        key: "kfstack-mirror:repositoryPrefix",
        message: "must be an ECR repository namespace: lowercase letters and digits, separated by '/', '.', '_' or '-', such as kubeflow-mirror",
    },
    {
        name: "rejects a commercial-partition KMS key in GovCloud",
        base: "govcloud",
        change: set("kmsKeyArn", "arn:aws:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        key: "kfstack-mirror:kmsKeyArn",
        message:
            "arn:aws:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is not in partition aws-us-gov of region us-gov-west-1; use an arn:aws-us-gov: ARN",
    },
    {
        name: "rejects a KMS key of another region",
        base: "govcloud",
        change: set("kmsKeyArn", "arn:aws-us-gov:kms:us-gov-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        key: "kfstack-mirror:kmsKeyArn",
        message:
            "arn:aws-us-gov:kms:us-gov-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is a key in us-gov-east-1; ECR encrypts a repository only with a key of its own region, us-gov-west-1",
    },
    {
        name: "rejects a KMS key id where its ARN belongs",
        base: "govcloud",
        change: set("kmsKeyArn", "1234abcd-12ab-34cd-56ef-1234567890ab"),
        key: "kfstack-mirror:kmsKeyArn",
        message: "must be the ARN of a KMS key or alias, such as arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    // GCP
    {
        name: "rejects a GCP mirror without a region",
        base: "gcp",
        change: unset("region"),
        key: "kfstack-mirror:region",
        message: "is required: the Artifact Registry location, such as us-central1",
    },
    {
        name: "rejects a zone where the GCP region belongs",
        base: "gcp",
        change: set("region", "us-central1-a"),
        key: "kfstack-mirror:region",
        message: 'must be a GCP region such as us-central1 (or a multi-region: us, europe, asia), not "us-central1-a"',
    },
    {
        name: "rejects an invalid GCP project id",
        base: "gcp",
        change: set("project", "Example_ML"),
        key: "kfstack-mirror:project",
        message: "must be a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    },
    {
        name: "rejects an Artifact Registry repository id with uppercase letters",
        base: "gcp",
        change: set("repositoryId", "Kubeflow"),
        key: "kfstack-mirror:repositoryId",
        message: "must be an Artifact Registry repository id: 1-63 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    },
    // Existing registry
    {
        name: "rejects an existing mirror without a registry",
        base: "existing",
        change: unset("registry"),
        key: "kfstack-mirror:registry",
        message:
            "is required: the registry host and optional path the images are pushed to, such as registry.kube-system.svc:5000/kf or harbor.example.com/kubeflow",
    },
    {
        name: "rejects a registry URL with a scheme",
        base: "existing",
        change: set("registry", "https://harbor.example.com/kubeflow"),
        key: "kfstack-mirror:registry",
        message: 'https://harbor.example.com/kubeflow has a scheme; image references name a registry without one: drop "https://"',
    },
    {
        name: "rejects a registry that is not a host and path",
        base: "existing",
        change: set("registry", "harbor.example.com/kubeflow/"),
        key: "kfstack-mirror:registry",
        message:
            'must be a registry host with an optional port and path, such as registry.kube-system.svc:5000/kf or harbor.example.com/kubeflow, not "harbor.example.com/kubeflow/"',
    },
    {
        name: "rejects a registry host that Docker would read as a Docker Hub path",
        base: "existing",
        change: set("registry", "registry/kf"),
        key: "kfstack-mirror:registry",
        message:
            "registry/kf starts with registry, which has no dot or port, so Docker would read it as a path on Docker Hub; use the registry's full host name, such as registry.kube-system.svc:5000/kf or harbor.example.com/kubeflow",
    },
    // Images
    {
        name: "rejects a stack without images",
        base: "existing",
        change: unset("images"),
        key: "kfstack-mirror:images",
        message: `is required: ${IMAGES_HINT}`,
    },
    {
        name: "rejects an empty image list",
        base: "govcloud",
        change: set("images", []),
        key: "kfstack-mirror:images",
        message: `is empty: ${IMAGES_HINT}`,
    },
    {
        name: "rejects images given as one string",
        base: "gcp",
        change: set("images", "docker.io/istio/pilot:1.17.5"),
        key: "kfstack-mirror:images",
        message: 'must be a list, not the string "docker.io/istio/pilot:1.17.5"',
    },
    {
        name: "rejects an image that is not normalized",
        base: "govcloud",
        change: setImage(3, "mysql:8.0.29"),
        key: "kfstack-mirror:images[3]",
        message: "mysql:8.0.29 is not normalized; write it as docker.io/library/mysql:8.0.29",
    },
    {
        name: "rejects an image without tag or digest",
        base: "govcloud",
        change: setImage(0, "docker.io/istio/pilot"),
        key: "kfstack-mirror:images[0]",
        message: "docker.io/istio/pilot names no tag or digest; pin the image the release runs, such as docker.io/kubeflow/training-operator:v1-9e52eb7",
    },
    {
        name: "rejects a string that is not an image reference",
        base: "gcp",
        change: setImage(1, "docker.io/Istio/proxyv2:1.17.5"),
        key: "kfstack-mirror:images[1]",
        message: '"docker.io/Istio/proxyv2:1.17.5" is not an image reference; write one such as docker.io/kubeflow/training-operator:v1-9e52eb7',
    },
    {
        name: "rejects an image listed twice",
        base: "govcloud",
        change: addImage("docker.io/istio/pilot:1.17.5"),
        key: `kfstack-mirror:images[${MIRRORED_IMAGES.length}]`,
        message: "docker.io/istio/pilot:1.17.5 is listed twice; list each image once",
    },
    {
        name: "rejects one repository path from two registries",
        base: "existing",
        change: addImage("gcr.io/istio/pilot:1.17.5"),
        key: `kfstack-mirror:images[${MIRRORED_IMAGES.length}]`,
        message: `gcr.io/istio/pilot:1.17.5 and docker.io/istio/pilot:1.17.5 (images[${MIRRORED_IMAGES.indexOf("docker.io/istio/pilot:1.17.5")}]) come from different registries but would share the mirror repository istio/pilot; mirror one of them`,
    },
];

describe("mirror stack configuration validation", () => {
    it.each(CASES)("$name", async ({ base, change, key, message }) => {
        const { error, resources } = await rejectionOf(build(BASES[base], change));
        expect(error.issues).toEqual<ConfigIssue[]>([{ key, message }]);
        expect(resources.map((resource) => resource.type)).toEqual([STACK_TYPE]);
    });

    it("lists every problem of a stack in one error, with full keys, and creates nothing", async () => {
        const { error, resources } = await rejectionOf(build(BASES.govcloud, unset("region"), set("images", []), set("tag", "x")));
        expect(error.message).toBe(
            [
                "Invalid kfstack configuration: 3 problems; nothing was created.",
                "  kfstack-mirror:region: is required: an AWS region such as us-west-2 or us-gov-west-1",
                `  kfstack-mirror:images: is empty: ${IMAGES_HINT}`,
                "  kfstack-mirror:tag: is not a setting of cloud aws, whose settings are cloud, region, repositoryPrefix, kmsKeyArn, tags, images; check its spelling in registry/README.md",
                "Fix these keys in Pulumi.bad.yaml; README.md has the configuration reference.",
            ].join("\n"),
        );
        expect(resources.map((resource) => resource.type)).toEqual([STACK_TYPE]);
    });

    it("rejects structured config that is not valid JSON, under its full key", async () => {
        const failure = await runOffline(registryProgram, {
            project: "kfstack-mirror",
            stack: "bad",
            config: { ...toWire(MIRROR_NAMESPACE, BASES.existing), "kfstack-mirror:images": "[docker.io/istio/pilot:1.17.5" },
            secretKeys: [],
        }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(OfflineRunError);
        const { cause, resources } = failure as OfflineRunError;
        expect(cause).toBeInstanceOf(ConfigError);
        expect((cause as ConfigError).issues).toEqual<ConfigIssue[]>([
            { key: "kfstack-mirror:images", message: `is not valid structured config (${jsonParseError("[docker.io/istio/pilot:1.17.5")})` },
        ]);
        expect(resources.map((resource) => resource.type)).toEqual([STACK_TYPE]);
    });
});
