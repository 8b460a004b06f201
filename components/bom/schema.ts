// The bill of materials: every pinned upstream source, component, checksum,
// image and supported Kubernetes window of a Kubeflow release, kept as data
// (components/bom/<release>.yaml) and validated by this schema on load.
import { z } from "zod";

const minorVersion = z.string().regex(/^1\.[0-9]{2}$/, { error: 'must be a Kubernetes minor version such as "1.26"' });
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$/, { error: "must be a Kubernetes quantity such as 256Mi or 100m" });

export const KubernetesWindowSchema = z.strictObject({
    /** Oldest Kubernetes minor version supported. */
    min: minorVersion,
    /** Newest Kubernetes minor version supported. */
    max: minorVersion,
    /** Where the window comes from (release notes, compatibility matrix). */
    source: z.string().min(1),
});

export const ContainerResourcesSchema = z.strictObject({
    cpuRequest: quantity,
    memoryRequest: quantity,
    memoryLimit: quantity,
});

export const SourceSchema = z.strictObject({
    repository: z.url(),
    tag: z.string().min(1),
    commit: z.string().regex(/^[0-9a-f]{40}$/, { error: "must be a full 40-character commit SHA" }),
});

export const ComponentSchema = z.strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
    version: z.string().min(1),
    /** Key into `sources`. */
    source: z.string().min(1),
    /** Path of the kustomization inside the source repository. */
    path: z.string().min(1),
    /** Where the rendered output lives, relative to the manifests directory. */
    file: z.string().regex(/^[-a-z0-9.]+\/[-A-Za-z0-9.]+\.yaml$/),
    /** sha256 of the rendered output (`kubectl kustomize <path>`). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Container and init-container images of the rendered workloads. */
    images: z.array(z.string().min(1)),
    /** The Kubernetes versions this component supports, when narrower than the release's. */
    kubernetes: KubernetesWindowSchema.optional(),
    /**
     * Requests and limits kfstack sets on containers that upstream leaves without
     * them: `default` for every container, `containers` by `<namespace>/<Kind>/<name>/<container>`.
     */
    resources: z.strictObject({
        default: ContainerResourcesSchema,
        containers: z.record(z.string(), ContainerResourcesSchema).default({}),
    }),
    /** Rendered and checked, but not installed; says why. */
    skip: z.string().min(1).optional(),
    /** What this entry changes relative to the upstream release, and why. */
    note: z.string().min(1).optional(),
});

export const BomSchema = z.strictObject({
    release: z.string().regex(/^kubeflow-[0-9]+\.[0-9]+\.[0-9]+$/),
    kubernetes: KubernetesWindowSchema.extend({
        /** Versions upstream tested beyond the supported window. */
        tested: z.array(minorVersion).default([]),
    }),
    sources: z.record(z.string(), SourceSchema),
    components: z.array(ComponentSchema).min(1),
});

export type Bom = z.infer<typeof BomSchema>;
export type BomComponent = z.infer<typeof ComponentSchema>;
export type BomSource = z.infer<typeof SourceSchema>;
export type ContainerResources = z.infer<typeof ContainerResourcesSchema>;
export type KubernetesWindow = z.infer<typeof KubernetesWindowSchema>;
