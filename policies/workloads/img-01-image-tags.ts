// IMG-01: every container runs a pinned image: a version tag other than
// `latest`, or a digest; with requireDigest, a digest.
import { resourcePolicy } from "../lib/policy";
import { containersOf } from "../../core/kubernetes-resources";
import { parseImageReference } from "../../core/image-references";
import { containerNoun, reportingOnce, workloadOf } from "./pods";

interface Config {
    requireDigest: boolean;
}

/** What is wrong with an image, or undefined when it is pinned enough. */
function problemOf(image: string, requireDigest: boolean): string | undefined {
    const reference = parseImageReference(image);
    if (!reference) return `uses "${image}", which is not a valid image reference; write registry/repository:tag or registry/repository@sha256:<digest>.`;
    const example = `${reference.repository}:<version>`;
    if (requireDigest && !reference.digest) {
        return `uses image "${image}" without a digest; pin it as ${reference.tag ? `${reference.repository}:${reference.tag}` : example}@sha256:<digest> (requireDigest is on).`;
    }
    // A digest pins the image whatever tag is written next to it.
    if (reference.digest) return undefined;
    if (reference.tag === undefined)
        return `uses image "${image}" without a tag, which pulls whatever "latest" is at the time; pin a version tag (${example}) or a digest (@sha256:<digest>).`;
    if (reference.tag === "latest")
        return `uses image "${image}": "latest" moves under running workloads; pin a version tag (${example}) or a digest (@sha256:<digest>).`;
    return undefined;
}

export const imageTags = resourcePolicy({
    id: "IMG-01",
    slug: "image-tags",
    description:
        "Every container and init container runs a pinned image: a version tag other than latest, or a digest (only a digest when requireDigest is on).",
    reason: "An untagged or :latest image changes under a running platform: a node that pulls later runs different code than its neighbours, a rollback restores nothing, and the bill of materials no longer says what runs.",
    remediation:
        "Pin the image to a version tag (repository:1.4.2) or, better, a digest (repository@sha256:…); kfstack's bill of materials pins every image it installs.",
    configSchema: {
        properties: {
            requireDigest: { type: "boolean", default: false, description: "Require every image to be pinned by digest (@sha256:…), not only by tag." },
        },
    },
    validateResource: (args, reportViolation) => {
        const workload = workloadOf(args);
        if (!workload) return;
        const { requireDigest } = args.getConfig<Config>();
        const report = reportingOnce(reportViolation);
        for (const { container, role } of containersOf(workload.kind, args.props)) {
            // KServe model containers take their image from the serving runtime.
            if (typeof container.image !== "string") continue;
            const problem = problemOf(container.image, requireDigest === true);
            if (problem) report(`${containerNoun(role)} "${container.name}" in ${workload.what} ${problem}`);
        }
    },
});
