// Every image a pinned component can pull at run time is in the bill of materials: run by a container of its render
// (`images`) or listed in `runtimeImages`, and every listed runtime image is where the BOM says, in the upstream render
// or, compiled in upstream, where kfstack writes it; the plans then name each (on the mirror when air-gapped).
import { beforeAll, describe, expect, it } from "vitest";
import { imagesToLock } from "../cli/mirror";
import { loadBom } from "../components/bom/load";
import { type Bom, type BomComponent, type RuntimeImage, runtimeImagesOf } from "../components/bom/schema";
import { NON_CARRIER_KINDS } from "../components/images/inventory";
import { loadImageLock } from "../components/images/lock";
import { plainValue } from "../components/images/plain-values";
import { mirrorReference } from "../components/images/rewrite";
import { writeCompiledInImages } from "../components/manifests/customize";
import { readComponent } from "../components/manifests/read";
import { type FoundImage, imageReferencesIn, normalizeImage, repositoryOf } from "../core/image-references";
import { kubernetesKind } from "../core/kubernetes-resources";
import { type KubernetesObject, describeObject } from "../core/objects";
import { podTemplates } from "../core/pod-templates";
import type { Plan } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { fixturesDirectory, skipWithoutFixtures } from "./requirements";

const skipFixtures = skipWithoutFixtures("the runtime images of the bill of materials against the rendered manifests");
const bom = loadBom("kubeflow-1.8.1");
const next = loadBom("kubeflow-1.9.1");

/** An image reference an object makes, as the one image matcher finds it. */
interface Candidate extends FoundImage {
    resource: string;
    object: KubernetesObject;
}

function candidatesIn(objects: readonly KubernetesObject[]): Candidate[] {
    return objects
        .filter((object) => !NON_CARRIER_KINDS.has(object.kind))
        .flatMap((object) =>
            imageReferencesIn(object.kind, plainValue(object) as Record<string, unknown>).map((found) => ({
                ...found,
                resource: describeObject(object),
                object,
            })),
        );
}

/** Whether `listed` (pinned) is what `written` pulls: the same image, or `written` untagged (its tag composed at run time) of the same repository. */
function pulls(written: string, listed: string): boolean {
    const normalized = normalizeImage(written)!;
    if (normalized.image === normalizeImage(listed)!.image) return true;
    return normalized.tag === undefined && normalized.digest === undefined && normalized.image === repositoryOf(listed);
}

const dataKey = (key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `data.${key}` : `data[${JSON.stringify(key)}]`);
const containerPath = (container: string) => `spec.template.spec.containers[name=${JSON.stringify(container)}]`;

/** Whether the matcher found the reference where `via` says it is written. */
function isAt(via: RuntimeImage["via"], candidate: Candidate): boolean {
    if (candidate.resource !== via.object) return false;
    switch (via.kind) {
        case "env":
            return candidate.where === `${containerPath(via.container)}.env[name=${JSON.stringify(via.name)}].value`;
        case "field":
            return candidate.where === via.path;
        case "configMapKey": {
            const key = dataKey(via.key);
            return candidate.where === key || [" line ", ".", "["].some((next) => candidate.where.startsWith(`${key}${next}`));
        }
        case "arg": {
            // `--flag=image`, or `--flag` then `image`.
            const prefix = `${containerPath(via.container)}.args[`;
            if (!candidate.where.startsWith(prefix)) return false;
            const index = Number(candidate.where.slice(prefix.length, -1));
            const args =
                (podTemplates(candidate.object)[0]?.spec.containers.find(({ name }) => name === via.container)?.["args"] as string[] | undefined) ?? [];
            return args[index]?.startsWith(`${via.flag}=`) === true || args[index - 1] === via.flag;
        }
    }
}

const rendered = new Map<string, Candidate[]>();
const renderedCandidatesOf = (release: Bom, component: BomComponent) => {
    const key = `${release.release}/${component.name}`;
    if (!rendered.has(key)) rendered.set(key, candidatesIn(readComponent(fixturesDirectory(), release, component)));
    return rendered.get(key)!;
};

const driverAndLauncher = (kfp: string, driver: string, launcher: string) =>
    [
        [`gcr.io/ml-pipeline/kfp-driver@sha256:${driver}`, "V2_DRIVER_IMAGE"],
        [`gcr.io/ml-pipeline/kfp-launcher@sha256:${launcher}`, "V2_LAUNCHER_IMAGE"],
    ].map(([image, name]) => ["pipelines", image, { kind: "env", object: "Deployment kubeflow/ml-pipeline", container: "ml-pipeline-api-server", name }, kfp]);
const trainingOperatorInits = (version: string) =>
    [
        ["alpine:3.10", "--pytorch-init-container-image"],
        ["kubeflow/kubectl-delivery:latest", "--mpi-kubectl-delivery-image"],
    ].map(([image, flag]) => [
        "training-operator",
        image,
        { kind: "arg", object: "Deployment kubeflow/training-operator", container: "training-operator", flag },
        version,
    ]);

// Each release with the images its Pipelines and Training Operator compile in, at the tags its sources pin.
describe.skipIf(skipFixtures).each([
    {
        bom,
        release: bom.release,
        expectedCompiledIn: [
            ...driverAndLauncher(
                "2.0.5",
                "8e60086b04d92b657898a310ca9757631d58547e76bbbb8bfc376d654bef1707",
                "80cf120abd125db84fa547640fd6386c4b2a26936e0c2b04a7d3634991a850a4",
            ),
            ...trainingOperatorInits("v1.8.0"),
        ],
    },
    {
        bom: next,
        release: next.release,
        expectedCompiledIn: [
            ...driverAndLauncher(
                "2.3.0",
                "dc8b56a2eb071f30409828a8884d621092e68385af11a6c06aa9e9fbcfbb19de",
                "bef55a344574a25c557256d7c66cb19edacfd2008d694e5b6bb5b612d59feae0",
            ),
            ...trainingOperatorInits("v1.8.1"),
        ],
    },
])("the runtime images of the $release bill of materials against the rendered manifests", ({ bom, expectedCompiledIn }) => {
    const renderedCandidates = (component: BomComponent) => renderedCandidatesOf(bom, component);
    it.each(bom.components.map((component) => [component.name, component] as const))(
        "lists every image %s's render names, in a container or in its configuration, as an image or a runtime image",
        (_name, component) => {
            const listed = [...component.images, ...component.runtimeImages.map(({ image }) => image)];
            const unlisted = renderedCandidates(component).filter(({ image }) => !listed.some((pinned) => pulls(image, pinned)));
            expect(unlisted.map(({ resource, where, image }) => `${resource} ${where}: ${image}`)).toEqual([]);
        },
    );

    const upstreamWritten = bom.components.flatMap((component) =>
        component.runtimeImages
            .filter(({ compiledIn }) => !compiledIn)
            .map((runtimeImage) => [component.name, runtimeImage.image, component, runtimeImage] as const),
    );
    it.each(upstreamWritten)("finds %s's runtime image %s where the BOM says upstream writes it", (_name, _image, component, runtimeImage) => {
        const named = renderedCandidates(component).filter(({ image }) => pulls(image, runtimeImage.image));
        const where = `the render names it at ${JSON.stringify(named.map(({ resource, where }) => `${resource} ${where}`))}`;
        expect(
            named.filter((candidate) => isAt(runtimeImage.via, candidate)),
            where,
        ).toHaveLength(1);
    });

    const compiledIn = bom.components.flatMap((component) =>
        component.runtimeImages
            .filter(({ compiledIn }) => compiledIn)
            .map((runtimeImage) => [component.name, runtimeImage.image, component, runtimeImage] as const),
    );
    it.each(compiledIn)("finds %s's compiled-in %s nowhere in the render", (_name, _image, component, runtimeImage) => {
        expect(renderedCandidates(component).filter(({ image }) => pulls(image, runtimeImage.image))).toEqual([]);
        expect(runtimeImage.source.from).not.toBe("kubeflow-manifests");
    });

    it("lists the KFP v2 driver and launcher its Pipelines compiles in, and the training operator's init containers, from the tags it pins", () => {
        expect(compiledIn.map(([name, image, , { via, source }]) => [name, image, via, bom.sources[source.from]?.tag])).toEqual(expectedCompiledIn);
    });

    it("tells a runtime image found elsewhere than the BOM says, and one upstream does not write, from one that is where it says", () => {
        const katib = bom.components.find(({ name }) => name === "katib")!;
        const hyperopt = katib.runtimeImages.find(({ image }) => image.includes("suggestion-hyperopt"))!;
        const found = (runtimeImage: RuntimeImage) =>
            renderedCandidates(katib).filter((candidate) => isAt(runtimeImage.via, candidate) && pulls(candidate.image, runtimeImage.image));
        expect(found(hyperopt)).toHaveLength(1);
        expect(found({ ...hyperopt, via: { kind: "configMapKey", object: "ConfigMap kubeflow/trial-templates", key: "katib-config.yaml" } })).toEqual([]);
        expect(found({ ...hyperopt, image: "docker.io/kubeflowkatib/suggestion-hyperopt:v0.15.0" })).toEqual([]);
    });
});

describe("writing the compiled-in images", () => {
    it("stops the install when the render lacks the container a compiled-in image is written to", () => {
        const pipelines = bom.components.find(({ name }) => name === "pipelines")!;
        expect(() => writeCompiledInImages(pipelines, [])).toThrow(
            "The BOM's pipelines runtime images are set on container ml-pipeline-api-server of Deployment kubeflow/ml-pipeline, which the rendered manifests do not have; update its runtimeImages for this release.",
        );
    });
});

/** The plan's Kubernetes objects by how the inventory names them (`Deployment kubeflow/ml-pipeline`). */
function plannedObjects(plan: Plan): Map<string, KubernetesObject> {
    const objects = new Map<string, KubernetesObject>();
    for (const resource of plan.resources) {
        const kind = kubernetesKind(resource.type)?.kind;
        const object = { ...(plainValue(resource.inputs) as KubernetesObject), kind: kind! };
        if (kind && object.metadata) objects.set(describeObject(object), object);
    }
    return objects;
}

const asUpstream = () => (image: string) => image;
const onTheMirror = (prefix: string) => (release: Bom) => (image: string) => mirrorReference(image, { prefix, digests: loadImageLock(release.release) })!;

// Every shipped stack on 1.8.1, and prod and airgap on 1.9.1: the compiled-in images are pinned outside the air gap too.
describe.each([
    ["prod", bom, asUpstream],
    ["dev", bom, asUpstream],
    ["gke-dev", bom, asUpstream],
    ["onprem", bom, asUpstream],
    ["airgap", bom, onTheMirror("registry.enclave.example:5000/kubeflow")],
    ["govcloud-airgap", bom, onTheMirror("111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/kubeflow-mirror")],
    ["prod-kubeflow-1.9.1", next, asUpstream],
    ["airgap-kubeflow-1.9.1", next, onTheMirror("registry.enclave.example:5000/kubeflow")],
] as const)("the runtime images in the %s plan", (stack, release, referenceOn) => {
    const everyRuntimeImage = release.components.flatMap((component) => component.runtimeImages);
    const expected = referenceOn(release);
    let plan: Plan;
    let objects: Map<string, KubernetesObject>;
    beforeAll(async () => {
        plan = await plannedStack(stack);
        objects = plannedObjects(plan);
    });

    it("writes each compiled-in image where the BOM says, so the version is pinned (on the mirror when air-gapped)", () => {
        const written = everyRuntimeImage
            .filter(({ compiledIn }) => compiledIn)
            .map(({ via }) => {
                return candidatesIn([objects.get(via.object)!])
                    .filter((candidate) => isAt(via, candidate))
                    .map((candidate) => candidate.image);
            });
        expect(written).toEqual(everyRuntimeImage.filter(({ compiledIn }) => compiledIn).map(({ image }) => [expected(image)]));
    });

    it("has every runtime image of what it installs in its image inventory, used where the BOM says", () => {
        const installed = everyRuntimeImage.filter(({ via }) => objects.has(via.object));
        expect(installed.length).toBeGreaterThan(45);
        const missing = installed.filter(
            ({ image, via }) =>
                !plan.images.images.some((entry) => pulls(entry.image, expected(image)) && entry.usedBy.some(({ resource }) => resource === via.object)),
        );
        expect(missing.map(({ image }) => image)).toEqual([]);
    });
});

describe.each([
    ["prod", bom],
    ["prod-kubeflow-1.9.1", next],
] as const)("the images `images lock` resolves for the %s bundle", (stack, bom) => {
    it("takes every runtime image by the tag it is pulled with, leaving unlocked only untagged references no runtime image pins", async () => {
        const { images, untagged } = imagesToLock([(await plannedStack(stack)).images], bom.components);
        expect(runtimeImagesOf(bom.components).filter((image) => !images.includes(image))).toEqual([]);
        expect(images).toContain("docker.io/kserve/art-explainer:latest");
        // The profile controller composes these two with KFP_VERSION (2.0.5 or 2.3.0), which the BOM's images hold.
        expect(untagged.sort()).toEqual(["gcr.io/ml-pipeline/frontend", "gcr.io/ml-pipeline/visualization-server"]);
    });
});
