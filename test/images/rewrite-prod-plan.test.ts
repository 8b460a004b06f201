// Rewriting image references to an air-gap mirror on the whole prod plan: nothing
// left outside the mirror or naming a public registry, the inventory kept, idempotent.
import { beforeAll, describe, expect, it } from "vitest";
import { imageInventory } from "../../components/images/inventory";
import { type Mirror, mirrorReference, publicRegistryMentions, rewriteImages } from "../../components/images/rewrite";
import type { Plan } from "../../engine/plan";
import { plannedStack } from "../planned-stacks";
import { imageReferencesIn, isUnderPrefix } from "../../core/image-references";
import { kubernetesKind } from "../../core/kubernetes-resources";
import { PREFIX, type Props, dataOf } from "./rewrite-fixtures";

describe("rewriteImages on the prod plan", () => {
    // No lock yet: every image keeps its tag or written digest.
    const unlocked: Mirror = { prefix: PREFIX, digests: new Map() };
    let plan: Plan;
    let kubernetes: { type: string; name: string; urn: string; kind: string; props: Props }[];
    let rewritten: Props[];
    beforeAll(async () => {
        plan = await plannedStack("prod");
        kubernetes = plan.resources.flatMap((resource) => {
            const kind = kubernetesKind(resource.type);
            return kind ? [{ type: resource.type, name: resource.name, urn: resource.urn, kind: kind.kind, props: resource.inputs }] : [];
        });
        rewritten = kubernetes.map((resource) => rewriteImages(resource.props, unlocked));
    });

    it("leaves no image the matcher finds outside the mirror", () => {
        const outside = kubernetes.flatMap((resource, index) =>
            imageReferencesIn(resource.kind, rewritten[index]!)
                .filter(({ image }) => !isUnderPrefix(image, PREFIX))
                .map(({ image, where }) => `${resource.name}: ${image} (${where})`),
        );
        expect(outside).toEqual([]);
    });

    it("leaves no mention of a public registry anywhere", () => {
        const mentions = kubernetes.flatMap((resource, index) =>
            publicRegistryMentions(rewritten[index]!).map((mention) => ({ resource: resource.name, ...mention })),
        );
        expect(mentions).toEqual([]);
    });

    it("rewrites the image defaults of the KFP profile controller's sync.py, which it deploys into every profile namespace", () => {
        const index = kubernetes.findIndex((resource) => resource.name.startsWith("kubeflow/kubeflow-pipelines-profile-controller-code-"));
        const lines = dataOf(rewritten[index]!)["sync.py"]!.split("\n");
        expect([39, 41, 54, 58].map((line) => lines[line - 1]!.trim())).toEqual([
            `visualization_server_image: ${PREFIX}/ml-pipeline/visualization-server`,
            `frontend_image: ${PREFIX}/ml-pipeline/frontend`,
            `os.environ.get("VISUALIZATION_SERVER_IMAGE", "${PREFIX}/ml-pipeline/visualization-server")`,
            `os.environ.get("FRONTEND_IMAGE", "${PREFIX}/ml-pipeline/frontend")`,
        ]);
    });

    it("keeps every image distinct in the mirror and changes nothing else in the inventory", () => {
        const before = imageInventory(kubernetes);
        const after = imageInventory(kubernetes.map((resource, index) => ({ ...resource, props: rewritten[index]! })));
        expect(after.summary).toEqual(before.summary);
        const expected = before.images
            .map((image) => ({ image: mirrorReference(image.image, unlocked)!, usedBy: image.usedBy }))
            .sort((a, b) => (a.image < b.image ? -1 : 1));
        expect(after.images.map(({ image, usedBy }) => ({ image, usedBy }))).toEqual(expected);
    });

    it("is idempotent on every resource", () => {
        const again = rewritten.map((props) => rewriteImages(props, unlocked));
        expect(again).toEqual(rewritten);
    });
});
