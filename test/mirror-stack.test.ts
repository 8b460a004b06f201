// The mirror stack (mirror/): its three example stacks planned offline (ECR in
// GovCloud, Artifact Registry, an existing registry), and every bad input
// refused with one ConfigError naming the full key, before anything is created.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../components/config/load";
import { loadBom } from "../components/bom/load";
import { MIRROR_NAMESPACE, MirrorConfigSchema, rawMirrorConfig } from "../components/mirror/config";
import { mirroredImage, normalizeImageReference, repositoryPaths } from "../components/mirror/images";
import { mirrorProgram } from "../components/mirror/program";
import { evaluatePolicies } from "../engine/policy-check";
import { type OfflineRun, OfflineRunError, type PlannedResource, STACK_TYPE, runOffline } from "../engine/offline";
import { planStack } from "../engine/plan";
import { type StackSettings, loadStackSettings } from "../engine/stack-file";
import { Unknown } from "../engine/values";
import { registryMirror } from "../policies/cloud/reg-01-registry-mirror";
import mirrorEntry from "../mirror/index";
import { allInputStrings } from "./helpers";
import { type Change, type ConfigCase, type RawConfig, build, jsonParseError, rejection, set, toWire, unset } from "./config-cases";
import { skipWithoutFixtures } from "./requirements";

const MIRROR_DIR = join(__dirname, "..", "mirror");
const TYPES = {
    mirror: "kfstack:mirror:RegistryMirror",
    awsProvider: "pulumi:providers:aws",
    ecr: "aws:ecr/repository:Repository",
    kmsKey: "aws:kms/key:Key",
    kmsAlias: "aws:kms/alias:Alias",
    artifactRegistry: "gcp:artifactregistry/repository:Repository",
};
const GOVCLOUD_KEY = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";


function settings(stack: string): StackSettings {
    return loadStackSettings(stack, { projectDir: MIRROR_DIR });
}

function shipped(stack: string): RawConfig {
    return rawMirrorConfig(settings(stack).config).raw;
}

function plan(stack: string, raw: RawConfig = shipped(stack)): Promise<OfflineRun> {
    return runOffline(mirrorProgram, { project: "kfstack-mirror", stack, config: toWire(MIRROR_NAMESPACE, raw), secretKeys: [] });
}

function ofType(run: OfflineRun, type: string): PlannedResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

function only(run: OfflineRun, type: string): PlannedResource {
    const matches = ofType(run, type);
    expect(matches.map((match) => match.urn), type).toHaveLength(1);
    return matches[0]!;
}

async function reg01Violations(run: OfflineRun): Promise<string[]> {
    const records = run.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.inputs }));
    const report = await evaluatePolicies(records, { policies: [registryMirror] });
    return report.violations.map((violation) => violation.message);
}

/** The container images the BOM of the release pins, normalized. */
const BOM_IMAGES = [...new Set(loadBom("kubeflow-1.8.1").components.flatMap((component) => component.images.map((image) => normalizeImageReference(image)!)))].sort();
/** What the example stacks mirror (each lists the same images). */
const MIRRORED_IMAGES = shipped("existing")["images"] as string[];

// The inventory check plans prod with the rendered manifests (KFSTACK_MANIFESTS_DIR).
const skipInventory = skipWithoutFixtures("the check of the mirror example stacks' images against the prod plan");

describe("mirror image references", () => {
    it("normalizes Docker Hub short names the way docker pull resolves them", () => {
        expect(normalizeImageReference("mysql:8.0.29")).toBe("docker.io/library/mysql:8.0.29");
        expect(normalizeImageReference("kubeflow/training-operator:v1-9e52eb7")).toBe("docker.io/kubeflow/training-operator:v1-9e52eb7");
        expect(normalizeImageReference("index.docker.io/istio/pilot:1.17.5")).toBe("docker.io/istio/pilot:1.17.5");
        expect(normalizeImageReference("gcr.io/ml-pipeline/frontend:2.0.5")).toBe("gcr.io/ml-pipeline/frontend:2.0.5");
    });

    it("maps an image to its registry and the repository path without registry, tag or digest", () => {
        expect(mirroredImage("docker.io/kubeflow/training-operator:v1-9e52eb7")).toEqual({
            image: "docker.io/kubeflow/training-operator:v1-9e52eb7",
            registry: "docker.io",
            path: "kubeflow/training-operator",
        });
        const digest = "sha256:421aa67057240fa0c56ebf2c6e5b482a12842005805c46e067129402d1751220";
        expect(mirroredImage(`gcr.io/knative-releases/knative.dev/net-istio/cmd/controller@${digest}`)?.path).toBe("knative-releases/knative.dev/net-istio/cmd/controller");
        expect(mirroredImage("registry.local:5000/team/app:1.0")).toEqual({ image: "registry.local:5000/team/app:1.0", registry: "registry.local:5000", path: "team/app" });
    });

    it("gives two tags of one image a single repository", () => {
        expect(repositoryPaths(["gcr.io/kubebuilder/kube-rbac-proxy:v0.13.1", "gcr.io/kubebuilder/kube-rbac-proxy:v0.8.0", "docker.io/library/mysql:8.0.29"])).toEqual([
            "kubebuilder/kube-rbac-proxy",
            "library/mysql",
        ]);
    });
});

describe("mirror example stacks", () => {
    it.each(["govcloud", "gcp", "existing"])("stack %s lists the same images, every container image of the BOM among them", (stack) => {
        expect(shipped(stack)["images"]).toEqual(MIRRORED_IMAGES);
        expect(BOM_IMAGES.filter((image) => !MIRRORED_IMAGES.includes(image))).toEqual([]);
    });

    it.skipIf(skipInventory)("lists exactly the tagged and digest-pinned images the prod plan deploys, custom resources' and configuration's included", async () => {
        const { images } = await planStack("prod");
        const deployed = images.images.filter((entry) => entry.tag !== undefined || entry.digest !== undefined).map((entry) => entry.image);
        expect(MIRRORED_IMAGES).toEqual([...deployed].sort());
        expect(MIRRORED_IMAGES).toContain("quay.io/prometheus/prometheus:v3.5.0");
    });

    it("documents every setting of every cloud in mirror/README.md", () => {
        const readme = readFileSync(join(MIRROR_DIR, "README.md"), "utf8");
        const settings = [...new Set(MirrorConfigSchema.options.flatMap((variant) => Object.keys(variant.shape)))];
        expect(settings.filter((setting) => !readme.includes(`| \`${MIRROR_NAMESPACE}:${setting}\` |`))).toEqual([]);
        expect(settings).toHaveLength(9);
    });

    it("exports the offline program as the entry point of mirror/Pulumi.yaml", () => {
        expect(mirrorEntry).toBe(mirrorProgram);
        expect(settings("govcloud").project).toBe("kfstack-mirror");
    });
});

describe("mirror stack govcloud (ECR in us-gov-west-1)", () => {
    let run: OfflineRun;
    const paths = repositoryPaths(MIRRORED_IMAGES);
    beforeAll(async () => {
        run = await runOffline(mirrorProgram, settings("govcloud"));
    });

    it("creates one ECR repository per distinct image path, named <repositoryPrefix>/<path>", () => {
        // 105 images, two of them tags of gcr.io/kubebuilder/kube-rbac-proxy.
        expect(MIRRORED_IMAGES).toHaveLength(105);
        expect(paths).toHaveLength(104);
        const repositories = ofType(run, TYPES.ecr);
        expect(repositories.map((repository) => repository.inputs["name"]).sort()).toEqual(paths.map((path) => `kubeflow-mirror/${path}`));
    });

    it("keeps every repository's tags immutable, scans on push and encrypts with the stack's GovCloud KMS key", () => {
        for (const repository of ofType(run, TYPES.ecr)) {
            expect(repository.inputs).toEqual({
                name: repository.inputs["name"],
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: GOVCLOUD_KEY }],
            });
        }
        expect(ofType(run, TYPES.kmsKey)).toEqual([]);
    });

    it("writes no commercial-partition ARN anywhere in the plan", () => {
        const strings = allInputStrings(run);
        expect(strings.filter((value) => value.includes("arn:aws:"))).toEqual([]);
        expect(strings).toContain(GOVCLOUD_KEY);
    });

    it("creates the repositories through an explicit aws provider for us-gov-west-1 with the stack's tags", () => {
        const provider = only(run, TYPES.awsProvider);
        expect(provider.inputs).toMatchObject({ region: "us-gov-west-1", defaultTags: JSON.stringify({ tags: { environment: "govcloud", owner: "ml-platform" } }) });
        const component = only(run, TYPES.mirror);
        expect(component.name).toBe("kfstack-mirror-govcloud");
        expect(provider.parent).toBe(component.urn);
        for (const repository of ofType(run, TYPES.ecr)) {
            expect(repository.provider).toBe(provider.urn);
            expect(repository.parent).toBe(component.urn);
        }
    });

    it("names each repository's resource after the component and its path, not its position", () => {
        const repository = ofType(run, TYPES.ecr).find((candidate) => candidate.inputs["name"] === "kubeflow-mirror/kubeflow/training-operator");
        expect(repository?.name).toBe("kfstack-mirror-govcloud-kubeflow/training-operator");
    });

    it("outputs the repository paths and a registry prefix that stays unknown until ECR names the account's registry", () => {
        expect(run.outputs).toEqual({ cloud: "aws", registryPrefix: Unknown.instance, repositories: paths });
    });

    it("passes REG-01 (immutable tags, scan on push)", async () => {
        expect(await reg01Violations(run)).toEqual([]);
    });

    it("creates a KMS key with rotation when the stack names none, and encrypts every repository with it", async () => {
        const raw = shipped("govcloud");
        delete raw["kmsKeyArn"];
        const created = await plan("govcloud", raw);
        const key = only(created, TYPES.kmsKey);
        expect(key.inputs).toEqual({
            description: "Encrypts the kfstack image mirror repositories under kubeflow-mirror/",
            enableKeyRotation: true,
            deletionWindowInDays: 30,
        });
        expect(only(created, TYPES.kmsAlias).inputs).toEqual({ name: "alias/kfstack-mirror-govcloud", targetKeyId: Unknown.instance });
        expect(key.provider).toBe(only(created, TYPES.awsProvider).urn);
        for (const repository of ofType(created, TYPES.ecr)) {
            expect(repository.inputs["encryptionConfigurations"]).toEqual([{ encryptionType: "KMS", kmsKey: Unknown.instance }]);
            expect(repository.dependsOn).toContain(key.urn);
        }
        expect(allInputStrings(created).filter((value) => value.startsWith("arn:"))).toEqual([]);
    });
});

describe("mirror stack gcp (Artifact Registry)", () => {
    let run: OfflineRun;
    beforeAll(async () => {
        run = await runOffline(mirrorProgram, settings("gcp"));
    });

    it("creates one Docker repository with immutable tags and nothing else", () => {
        expect(run.resources.map((resource) => resource.type)).toEqual([STACK_TYPE, TYPES.mirror, TYPES.artifactRegistry]);
        const repository = only(run, TYPES.artifactRegistry);
        expect(repository.name).toBe("kfstack-mirror-gcp-kubeflow-mirror");
        expect(repository.inputs).toEqual({
            project: "example-ml-platform",
            location: "us-central1",
            repositoryId: "kubeflow-mirror",
            format: "DOCKER",
            mode: "STANDARD_REPOSITORY",
            description: "kfstack image mirror: the images of an air-gapped Kubeflow install",
            dockerConfig: { immutableTags: true },
        });
    });

    it("outputs the registry prefix <region>-docker.pkg.dev/<project>/<repositoryId> and the repository paths", () => {
        expect(run.outputs).toEqual({
            cloud: "gcp",
            registryPrefix: "us-central1-docker.pkg.dev/example-ml-platform/kubeflow-mirror",
            repositories: repositoryPaths(MIRRORED_IMAGES),
        });
    });

    it("passes REG-01 (immutable tags)", async () => {
        expect(await reg01Violations(run)).toEqual([]);
    });
});

describe("mirror stack existing (a registry that already runs)", () => {
    it("creates nothing and outputs the configured registry as the prefix", async () => {
        const run = await runOffline(mirrorProgram, settings("existing"));
        expect(run.resources.map((resource) => resource.type)).toEqual([STACK_TYPE, TYPES.mirror]);
        expect(run.outputs).toEqual({ cloud: "existing", registryPrefix: "registry.kube-system.svc:5000/kf", repositories: repositoryPaths(MIRRORED_IMAGES) });
    });

    it("accepts a Harbor project as the registry", async () => {
        const run = await plan("existing", { ...shipped("existing"), registry: "harbor.example.com/kubeflow" });
        expect(run.outputs["registryPrefix"]).toBe("harbor.example.com/kubeflow");
    });
});

const setImage = (index: number, image: string): Change => (config) => {
    (config["images"] as string[])[index] = image;
};
const addImage = (image: string): Change => (config) => {
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
        message: "is not a setting of cloud aws, whose settings are cloud, region, repositoryPrefix, kmsKeyArn, tags, images; check its spelling in mirror/README.md",
    },
    // AWS
    {
        name: "rejects an AWS mirror without a region",
        base: "govcloud",
        change: unset("region"),
        key: "kfstack-mirror:region",
        message: "is required: the AWS region of the repositories, such as us-gov-west-1 or us-east-1",
    },
    {
        name: "rejects an AWS region that is not one",
        base: "govcloud",
        change: set("region", "govcloud-west"),
        key: "kfstack-mirror:region",
        message: 'must be an AWS region such as us-gov-west-1 or us-east-1, not "govcloud-west"',
    },
    {
        name: "rejects a China region",
        base: "govcloud",
        change: (config) => {
            set("region", "cn-north-1")(config);
            unset("kmsKeyArn")(config);
        },
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
        message: "arn:aws:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is not in partition aws-us-gov of region us-gov-west-1; use an arn:aws-us-gov: ARN",
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
        message: "is required: the registry host and optional path the images are pushed to, such as registry.kube-system.svc:5000/kf or harbor.example.com/kubeflow",
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
        message: 'must be a registry host with an optional port and path, such as registry.kube-system.svc:5000/kf or harbor.example.com/kubeflow, not "harbor.example.com/kubeflow/"',
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
                "  kfstack-mirror:region: is required: the AWS region of the repositories, such as us-gov-west-1 or us-east-1",
                `  kfstack-mirror:images: is empty: ${IMAGES_HINT}`,
                "  kfstack-mirror:tag: is not a setting of cloud aws, whose settings are cloud, region, repositoryPrefix, kmsKeyArn, tags, images; check its spelling in mirror/README.md",
                "Fix these keys in the stack file (Pulumi.<stack>.yaml); README.md has the configuration reference.",
            ].join("\n"),
        );
        expect(resources.map((resource) => resource.type)).toEqual([STACK_TYPE]);
    });

    it("rejects structured config that is not valid JSON, under its full key", async () => {
        const failure = await runOffline(mirrorProgram, {
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
