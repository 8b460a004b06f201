import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { imageTags } from "../../policies/workloads/img-01-image-tags";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { CONTAINER, TEMPLATE_SPEC, carrierOf, workloadCarriers } from "./fixtures-workloads";

const deployment = () => carrierOf("Deployment");
const withImage = (image: unknown) => changed(deployment(), [...CONTAINER, "image"], image);
const DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("IMG-01 image tags", () => {
    it("accepts every pod-template carrier whose images carry a version tag", async () => {
        expect(await messagesOf(imageTags, workloadCarriers())).toEqual([]);
    });

    it.each([
        ["a digest", `registry.example.com/team/app@${DIGEST}`],
        ["a tag and a digest", `registry.example.com/team/app:1.4.2@${DIGEST}`],
        ["latest pinned by a digest", `registry.example.com/team/app:latest@${DIGEST}`],
        ["a registry port and a tag", "localhost:5000/team/app:1.4.2"],
        ["a Docker Hub short name and a tag", "python:3.7"],
    ])("accepts an image with %s", async (_case, image) => {
        expect(await messagesOf(imageTags, [withImage(image)])).toEqual([]);
    });

    it("rejects an image without a tag", async () => {
        expect(await violationsOf(imageTags, [withImage("registry.example.com/team/app")])).toEqual([
            mandatoryViolation(
                { policy: "img-01-image-tags", id: "IMG-01" },
                deployment(),
                'Container "app" in Deployment "team-a/deployment" uses image "registry.example.com/team/app" without a tag, which pulls whatever "latest" is at the time; pin a version tag (registry.example.com/team/app:<version>) or a digest (@sha256:<digest>).',
            ),
        ]);
    });

    it("does not mistake a registry port for a tag", async () => {
        expect(await messagesOf(imageTags, [withImage("localhost:5000/app")])).toEqual([
            'Container "app" in Deployment "team-a/deployment" uses image "localhost:5000/app" without a tag, which pulls whatever "latest" is at the time; pin a version tag (localhost:5000/app:<version>) or a digest (@sha256:<digest>).',
        ]);
    });

    it("rejects the latest tag", async () => {
        expect(await messagesOf(imageTags, [withImage("nginx:latest")])).toEqual([
            'Container "app" in Deployment "team-a/deployment" uses image "nginx:latest": "latest" moves under running workloads; pin a version tag (nginx:<version>) or a digest (@sha256:<digest>).',
        ]);
    });

    it("rejects an untagged init container image", async () => {
        const bad = changed(deployment(), [...TEMPLATE_SPEC, "initContainers", 0, "image"], "busybox");
        expect(await messagesOf(imageTags, [bad])).toEqual([
            'Init container "setup" in Deployment "team-a/deployment" uses image "busybox" without a tag, which pulls whatever "latest" is at the time; pin a version tag (busybox:<version>) or a digest (@sha256:<digest>).',
        ]);
    });

    it("rejects a string that is not an image reference", async () => {
        expect(await messagesOf(imageTags, [withImage("Registry.example.com/Team/App:1.0")])).toEqual([
            'Container "app" in Deployment "team-a/deployment" uses "Registry.example.com/Team/App:1.0", which is not a valid image reference; write registry/repository:tag or registry/repository@sha256:<digest>.',
        ]);
    });

    it("finds untagged images in every carrier: Pod, workloads, CronJob, PyTorchJob replicas and InferenceService predictors", async () => {
        const bad = workloadCarriers().map((carrier) => JSON.parse(JSON.stringify(carrier).replaceAll("team/app:1.4.2", "team/app")) as typeof carrier);
        const messages = await messagesOf(imageTags, bad);
        expect(messages.map((message) => message.replace(/^(\w+ ?\w*) "([^"]+)" in (\w+) .*$/, "$1 $2 in $3"))).toEqual([
            "Container app in Pod",
            "Init container setup in Pod",
            "Container app in Deployment",
            "Init container setup in Deployment",
            "Container app in StatefulSet",
            "Init container setup in StatefulSet",
            "Container app in DaemonSet",
            "Init container setup in DaemonSet",
            "Container app in ReplicaSet",
            "Init container setup in ReplicaSet",
            "Container app in Job",
            "Init container setup in Job",
            "Container app in CronJob",
            "Init container setup in CronJob",
            // The Master and Worker replicas share one pod template: each container is named once.
            "Container app in PyTorchJob",
            "Init container setup in PyTorchJob",
            "Container kserve-container in InferenceService",
        ]);
    });

    it("leaves KServe model containers without an image to their serving runtime", async () => {
        const model = changed(carrierOf("InferenceService"), ["props", "spec", "predictor"], {
            model: { modelFormat: { name: "sklearn" }, storageUri: "s3://models/iris" },
        });
        expect(await messagesOf(imageTags, [model])).toEqual([]);
    });

    describe("with requireDigest", () => {
        const config = { "img-01-image-tags": { requireDigest: true } };

        it("rejects a tag without a digest", async () => {
            expect(await messagesOf(imageTags, [deployment()], config)).toEqual([
                'Container "app" in Deployment "team-a/deployment" uses image "registry.example.com/team/app:1.4.2" without a digest; pin it as registry.example.com/team/app:1.4.2@sha256:<digest> (requireDigest is on).',
                'Init container "setup" in Deployment "team-a/deployment" uses image "registry.example.com/team/app:1.4.2" without a digest; pin it as registry.example.com/team/app:1.4.2@sha256:<digest> (requireDigest is on).',
            ]);
        });

        it("accepts digests", async () => {
            const pinned = changed(
                changed(deployment(), [...CONTAINER, "image"], `registry.example.com/team/app@${DIGEST}`),
                [...TEMPLATE_SPEC, "initContainers", 0, "image"],
                `registry.example.com/team/app:1.4.2@${DIGEST}`,
            );
            expect(await messagesOf(imageTags, [pinned], config)).toEqual([]);
        });
    });

    it("is undecided, not failed, when an image is unknown during preview", async () => {
        const unknown = withImage(Unknown.instance);
        expect(await undecidedOf(imageTags, [unknown])).toEqual([
            {
                policy: "img-01-image-tags",
                resource: unknown.urn,
                reason: "string value at .spec.template.spec.containers.0.image can't be known during preview",
            },
        ]);
    });
});
