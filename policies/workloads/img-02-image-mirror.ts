// IMG-02: with a mirror configured, every image an object refers to (its
// containers, and image strings in env, args, custom resource fields and
// ConfigMap data) comes from the mirror.
import { resourcePolicy } from "../lib/policy";
import { describeResource, kubernetesKind } from "../../core/kubernetes-resources";
import { imageReferencesIn, isUnderPrefix, withoutTrailingSlash } from "../../core/image-references";

interface Config {
    mirrorPrefix: string;
    airGapped: boolean;
}

/** Kinds that hold no images a cluster pulls: CRD schemas are documentation, Secret values are credentials. */
const SKIPPED_KINDS = new Set(["CustomResourceDefinition", "Secret"]);

export const imageMirror = resourcePolicy({
    id: "IMG-02",
    slug: "image-mirror",
    description:
        "When the stack has an image mirror (mirrorPrefix), every image an object refers to comes from it: containers and init containers, env values, args, custom resource fields and image strings inside ConfigMap data (embedded JSON and YAML included). Advisory by default; `npm run check` makes it mandatory for air-gapped stacks.",
    reason: "An air-gapped cluster cannot reach docker.io, gcr.io, quay.io or nvcr.io: an image outside the mirror fails to pull, often only later, when a notebook, a KServe model or a pipeline step first starts a pod from an image named in a ConfigMap.",
    remediation:
        "Copy the image into the mirror (e.g. `crane copy` or `skopeo copy`) and refer to it under the mirror prefix, in the container and in the ConfigMap or custom resource that names it.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            mirrorPrefix: {
                type: "string",
                default: "",
                description:
                    'The registry path every image must start with, e.g. "registry.internal.example.com/kubeflow". Empty: no mirror, the policy checks nothing.',
            },
            airGapped: {
                type: "boolean",
                default: false,
                description: "The cluster cannot reach public registries; `npm run check` sets this, with enforcementLevel mandatory, for air-gapped stacks.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const { mirrorPrefix, airGapped } = args.getConfig<Config>();
        const prefix = withoutTrailingSlash(mirrorPrefix ?? "");
        if (!prefix) return;
        const kind = kubernetesKind(args.type);
        if (!kind || SKIPPED_KINDS.has(kind.kind)) return;
        const what = describeResource(kind.kind, args.props, args.name);
        const consequence = airGapped ? "which an air-gapped cluster cannot pull" : "outside the mirror";
        for (const { image, where } of imageReferencesIn(kind.kind, args.props)) {
            if (isUnderPrefix(image, prefix)) continue;
            reportViolation(`${what} refers to image "${image}" (${where}), ${consequence}; copy it into the mirror and refer to it under "${prefix}/".`);
        }
    },
});
