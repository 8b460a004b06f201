// The registry stack (registry/, project kfstack-mirror): its three example
// stacks planned offline (ECR in GovCloud, Artifact Registry, an existing
// registry), and their image lists, generated from the prod plan.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBom } from "../../components/bom/load";
import { installedImages, runtimeImagesOf } from "../../components/bom/schema";
import { MIRROR_NAMESPACE, MirrorConfigSchema } from "../../components/registry/config";
import { mirroredImage, repositoryPaths } from "../../components/registry/images";
import { registryProgram } from "../../components/registry/registry-program";
import { normalizeImage, repositoryOf } from "../../core/image-references";
import { type OfflineRun, STACK_TYPE, runOffline } from "../../engine/offline";
import type { Plan } from "../../engine/plan";
import { plannedStack } from "../planned-stacks";
import { evaluatePolicies } from "../../engine/policy-check";
import { Unknown } from "../../engine/values";
import { registryMirror } from "../../policies/cloud/reg-01-registry-mirror";
import mirrorEntry from "../../registry/index";
import { INVENTORY_STACKS, mirroredImagesOf, REGISTRY_STACKS, registryStackFile, withImageList } from "../../cli/registry-stacks";
import { allInputStrings } from "../helpers";
import { skipWithoutFixtures } from "../requirements";
import { GOVCLOUD_KEY, MIRROR_DIR, MIRRORED_IMAGES, TYPES, ofType, only, plan, settings, shipped } from "./helpers";

async function reg01Violations(run: OfflineRun): Promise<string[]> {
    const records = run.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.inputs }));
    const report = await evaluatePolicies(records, { policies: [registryMirror] });
    return report.violations.map((violation) => violation.message);
}

/** The container images the BOM of the release pins for what it installs (the object store's pins in place of the render's MinIO), normalized. */
const BOM = loadBom("kubeflow-1.8.1");
const BOM_IMAGES = [...new Set(installedImages(BOM, BOM.components).map((image) => normalizeImage(image)!.image))].sort();
const RUNTIME_IMAGES = runtimeImagesOf(BOM.components);

// The inventory checks plan prod with the rendered manifests (KFSTACK_MANIFESTS_DIR), once for both.
const skipInventory = skipWithoutFixtures("the check of the mirror example stacks' images against the prod and dev plans");
let inventoryPlans: Promise<Plan[]> | undefined;
/** prod (every component) and dev (the in-cluster MinIO and MySQL prod's managed data plane replaces). */
const inventoryPlansOf = () => (inventoryPlans ??= Promise.all(INVENTORY_STACKS.map((stack) => plannedStack(stack))));

describe("mirror image references", () => {
    it("normalizes Docker Hub short names the way docker pull resolves them", () => {
        expect(normalizeImage("mysql:8.0.29")?.image).toBe("docker.io/library/mysql:8.0.29");
        expect(normalizeImage("kubeflow/training-operator:v1-9e52eb7")?.image).toBe("docker.io/kubeflow/training-operator:v1-9e52eb7");
        expect(normalizeImage("index.docker.io/istio/pilot:1.17.5")?.image).toBe("docker.io/istio/pilot:1.17.5");
        expect(normalizeImage("gcr.io/ml-pipeline/frontend:2.0.5")?.image).toBe("gcr.io/ml-pipeline/frontend:2.0.5");
    });

    it("maps an image to its registry and the repository path without registry, tag or digest", () => {
        expect(mirroredImage("docker.io/kubeflow/training-operator:v1-9e52eb7")).toEqual({
            image: "docker.io/kubeflow/training-operator:v1-9e52eb7",
            registry: "docker.io",
            path: "kubeflow/training-operator",
            tag: "v1-9e52eb7",
        });
        const digest = "sha256:421aa67057240fa0c56ebf2c6e5b482a12842005805c46e067129402d1751220";
        expect(mirroredImage(`gcr.io/knative-releases/knative.dev/net-istio/cmd/controller@${digest}`)?.path).toBe(
            "knative-releases/knative.dev/net-istio/cmd/controller",
        );
        expect(mirroredImage("registry.local:5000/team/app:1.0")).toEqual({
            image: "registry.local:5000/team/app:1.0",
            registry: "registry.local:5000",
            path: "team/app",
            tag: "1.0",
        });
    });

    it("gives two tags of one image a single repository", () => {
        expect(
            repositoryPaths(["gcr.io/kubebuilder/kube-rbac-proxy:v0.13.1", "gcr.io/kubebuilder/kube-rbac-proxy:v0.8.0", "docker.io/library/mysql:8.0.29"]),
        ).toEqual(["kubebuilder/kube-rbac-proxy", "library/mysql"]);
    });
});

describe("mirror example stacks", () => {
    it.each(["govcloud", "gcp", "existing"])("stack %s lists the same images, every container image of the BOM among them", (stack) => {
        expect(shipped(stack)["images"]).toEqual(MIRRORED_IMAGES);
        expect(BOM_IMAGES.filter((image) => !MIRRORED_IMAGES.includes(image))).toEqual([]);
    });

    it.skipIf(skipInventory)(
        "lists exactly the tagged and digest-pinned images the prod and dev plans deploy, custom resources' and configuration's included, and the BOM's",
        async () => {
            const plans = await inventoryPlansOf();
            const deployed = plans.flatMap(({ images }) =>
                images.images.filter((entry) => entry.tag !== undefined || entry.digest !== undefined).map((entry) => entry.image),
            );
            // Every pin runs in one of them: mc, which prod (S3) does not run, makes dev's database backup user and uploads its dumps.
            expect(BOM_IMAGES.filter((image) => !deployed.includes(image))).toEqual([]);
            // The runtime images the plans name only untagged (their tag is composed at run time) are mirrored by the tag the BOM says is pulled.
            const untagged = plans.flatMap(({ images }) =>
                images.images.filter((entry) => entry.tag === undefined && entry.digest === undefined).map((entry) => entry.image),
            );
            expect(RUNTIME_IMAGES.filter((image) => !deployed.includes(image) && !untagged.includes(repositoryOf(image)!))).toEqual([]);
            expect(RUNTIME_IMAGES.filter((image) => !deployed.includes(image)).sort()).toEqual([
                "docker.io/kserve/alibi-explainer:latest",
                "docker.io/kserve/art-explainer:latest",
                "gcr.io/google-containers/busybox:latest",
            ]);
            expect(MIRRORED_IMAGES).toEqual([...new Set([...deployed, ...BOM_IMAGES, ...RUNTIME_IMAGES])].sort());
            expect(MIRRORED_IMAGES).toContain("quay.io/prometheus/prometheus:v3.5.0");
        },
    );

    it.skipIf(skipInventory)("carries in every stack file the image list npm run docs generates from the prod and dev plans", async () => {
        const images = mirroredImagesOf(await inventoryPlansOf());
        for (const stack of REGISTRY_STACKS) {
            const file = registryStackFile(stack);
            const text = readFileSync(file, "utf8");
            expect(withImageList(text, file, images), file).toBe(text);
        }
        expect(REGISTRY_STACKS.map((stack) => `Pulumi.${stack}.yaml`)).toEqual(
            readdirSync(MIRROR_DIR)
                .filter((name) => /^Pulumi\..+\.yaml$/.test(name))
                .sort(),
        );
    });

    it("documents every setting of every cloud in registry/README.md", () => {
        const readme = readFileSync(join(MIRROR_DIR, "README.md"), "utf8");
        const settings = [...new Set(MirrorConfigSchema.options.flatMap((variant) => Object.keys(variant.shape)))];
        expect(settings.filter((setting) => !readme.includes(`| \`${MIRROR_NAMESPACE}:${setting}\` |`))).toEqual([]);
        expect(settings).toHaveLength(9);
    });

    it("exports the offline program as the entry point of registry/Pulumi.yaml", () => {
        expect(mirrorEntry).toBe(registryProgram);
        expect(settings("govcloud").project).toBe("kfstack-mirror");
    });
});

describe("mirror stack govcloud (ECR in us-gov-west-1)", () => {
    let run: OfflineRun;
    const paths = repositoryPaths(MIRRORED_IMAGES);
    beforeAll(async () => {
        run = await runOffline(registryProgram, settings("govcloud"));
    });

    it("creates one ECR repository per distinct image path, named <repositoryPrefix>/<path>", () => {
        // 114 images (the prod plan's, the cluster-autoscaler, the object store's MinIO and mc and the runtime images written untagged
        // included), two of them tags of gcr.io/kubebuilder/kube-rbac-proxy.
        expect(MIRRORED_IMAGES).toHaveLength(114);
        expect(paths).toHaveLength(113);
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
        expect(provider.inputs).toMatchObject({
            region: "us-gov-west-1",
            defaultTags: JSON.stringify({ tags: { environment: "govcloud", owner: "ml-platform" } }),
        });
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
        run = await runOffline(registryProgram, settings("gcp"));
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
        const run = await runOffline(registryProgram, settings("existing"));
        expect(run.resources.map((resource) => resource.type)).toEqual([STACK_TYPE, TYPES.mirror]);
        expect(run.outputs).toEqual({ cloud: "existing", registryPrefix: "registry.kube-system.svc:5000/kf", repositories: repositoryPaths(MIRRORED_IMAGES) });
    });

    it("accepts a Harbor project as the registry", async () => {
        const run = await plan("existing", { ...shipped("existing"), registry: "harbor.example.com/kubeflow" });
        expect(run.outputs["registryPrefix"]).toBe("harbor.example.com/kubeflow");
    });
});
