// The bill of materials: every pinned upstream source, component, checksum,
// image and supported Kubernetes window of a Kubeflow release, kept as data
// (components/bom/<release>.yaml) and validated by this schema on load.
import { z } from "zod";
import { normalizeImage } from "../../core/image-references";

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
    /** Why kfstack replaces upstream's memory limit instead of only filling in what is missing. */
    raisesUpstreamLimit: z.string().min(10).optional(),
});

export const SourceSchema = z.strictObject({
    repository: z.url(),
    tag: z.string().min(1),
    commit: z.string().regex(/^[0-9a-f]{40}$/, { error: "must be a full 40-character commit SHA" }),
});

const localFile = z.string().regex(/^[-A-Za-z0-9.]+(\/[-A-Za-z0-9.]+)*\.(yaml|yml|csv)$/, { error: "must be a relative path of a .yaml, .yml or .csv file" });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a sha256 in hex" });

/** Upstream files kept byte for byte (projects that ship pre-rendered YAML). */
export const CopySchema = z.strictObject({
    /** Folder of the copies, relative to the manifests directory. */
    to: z.string().regex(/^[-a-z0-9.]+(\/[-a-z0-9.]+)*$/),
    files: z
        .array(
            z.strictObject({
                /** Name under `to`. */
                file: localFile,
                /** Path under the component's `path` in the source repository, when it differs from `file`. */
                from: z.string().min(1).optional(),
                sha256,
            }),
        )
        .min(1),
});

const imageReference = z.string().refine((text) => normalizeImage(text) !== undefined, { error: "must be an image reference" });

/** How kfstack points a runtime image at the mirror: where the reference is written in the objects it installs. */
export const RuntimeImageViaSchema = z.discriminatedUnion("kind", [
    /** An environment variable of a container. */
    z.strictObject({ kind: z.literal("env"), object: z.string().min(1), container: z.string().min(1), name: z.string().min(1) }),
    /** A command-line flag (`--flag=image`) of a container. */
    z.strictObject({ kind: z.literal("arg"), object: z.string().min(1), container: z.string().min(1), flag: z.string().regex(/^--[a-z0-9-]+$/) }),
    /** A ConfigMap key, its value the image or a document that names it. */
    z.strictObject({ kind: z.literal("configMapKey"), object: z.string().regex(/^ConfigMap /), key: z.string().min(1) }),
    /** A field of a custom resource, as the image matcher names it. */
    z.strictObject({ kind: z.literal("field"), object: z.string().min(1), path: z.string().min(1) }),
]);

/**
 * An image no container of the render runs, which a component pulls at run time (a pipeline step, a model server,
 * a notebook): what the mirror must hold beyond the component's `images`.
 */
export const RuntimeImageSchema = z
    .strictObject({
        /** As upstream pins it, by tag or digest; an untagged reference upstream writes is listed with the tag it is pulled by. */
        image: imageReference.refine((text) => normalizeImage(text)?.tag !== undefined || normalizeImage(text)?.digest !== undefined, {
            error: "must be pinned by a tag or a digest",
        }),
        /** What pulls it, and when. */
        use: z.string().min(10),
        /** Where kfstack's objects name it; `object` as the image inventory names a resource ("Deployment kubeflow/ml-pipeline"). */
        via: RuntimeImageViaSchema,
        /** The upstream file at the source's tag it comes from: `from` is a key into `sources`. */
        source: z.strictObject({ from: z.string().min(1), file: z.string().min(1) }),
        /** Compiled into the binary upstream and written by kfstack through `via`, so the version is pinned and the mirror can be named. */
        compiledIn: z.boolean().default(false),
    })
    .refine((entry) => !entry.compiledIn || entry.via.kind === "env" || entry.via.kind === "arg", {
        error: "a compiled-in image is written through an env var or a flag (via.kind env or arg)",
        path: ["via", "kind"],
    });

export const ComponentSchema = z
    .strictObject({
        name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
        version: z.string().min(1),
        /** Which part of the platform installs it. */
        layer: z.enum(["kubeflow", "monitoring"]).default("kubeflow"),
        /** Installed only on stacks with GPU nodes (`gpuNodes`), or that also need kfstack's device plugin (`devicePlugin`). */
        when: z.enum(["gpuNodes", "devicePlugin"]).optional(),
        /** Key into `sources`. */
        source: z.string().min(1),
        /** Path of the kustomization (or, with `copy`, of the copied folder) inside the source repository. */
        path: z.string().min(1),
        /** Where the rendered output lives, relative to the manifests directory. */
        file: z
            .string()
            .regex(/^[-a-z0-9.]+\/[-A-Za-z0-9.]+\.yaml$/)
            .optional(),
        /** sha256 of the rendered output (`kubectl kustomize <path>`). */
        sha256: sha256.optional(),
        /** Instead of `file` and `sha256`: upstream files copied unchanged. */
        copy: CopySchema.optional(),
        /** Container and init-container images of the rendered workloads. */
        images: z.array(z.string().min(1)),
        /** Images the component pulls at run time that no container of the render runs. */
        runtimeImages: z.array(RuntimeImageSchema).default([]),
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
    })
    .superRefine((component, context) => {
        const rendered = component.file !== undefined || component.sha256 !== undefined;
        if (rendered === (component.copy !== undefined) || (rendered && (component.file === undefined || component.sha256 === undefined))) {
            context.addIssue({
                code: "custom",
                message: "needs either file and sha256 (a kustomize render) or copy (upstream files kept as they are), not both",
            });
        }
    });

/**
 * The Kubernetes cluster-autoscaler kfstack runs on EKS from its own objects (components/cluster/aws/autoscaler.ts):
 * upstream releases one line per Kubernetes minor and supports only the matching one, so the image is pinned per minor.
 */
export const ClusterAutoscalerSchema = z.strictObject({
    releases: z.record(
        minorVersion,
        z.strictObject({
            /** Key into `sources`: the kubernetes/autoscaler tag the image is built from. */
            source: z.string().min(1),
            image: z.string().min(1),
        }),
    ),
    resources: ContainerResourcesSchema,
});

/** An image kfstack runs from its own objects rather than a render: where it comes from and what it may use. */
export const ImagePinSchema = z.strictObject({
    /** Key into `sources`: the tag the image is released from. */
    source: z.string().min(1),
    image: z.string().min(1),
    resources: ContainerResourcesSchema,
    /** The image of a component's render this one runs in place of (it is neither installed nor mirrored). */
    replaces: z.string().min(1).optional(),
});

/**
 * The in-cluster object store's own pins (components/object-store): a MinIO server with IAM users and policies,
 * replacing the one the Pipelines render runs, and the `mc` client that gives each tenant its user.
 */
export const ObjectStoreSchema = z.strictObject({
    minio: ImagePinSchema,
    mc: ImagePinSchema,
});

/** The in-cluster databases' backup (components/backups): a MySQL client image, one a component's render already runs. */
export const BackupSchema = z.strictObject({
    mysql: ImagePinSchema,
});

export const BomSchema = z.strictObject({
    release: z.string().regex(/^kubeflow-[0-9]+\.[0-9]+\.[0-9]+$/),
    kubernetes: KubernetesWindowSchema.extend({
        /** Versions upstream tested beyond the supported window. */
        tested: z.array(minorVersion).default([]),
    }),
    sources: z.record(z.string(), SourceSchema),
    components: z.array(ComponentSchema).min(1),
    clusterAutoscaler: ClusterAutoscalerSchema,
    objectStore: ObjectStoreSchema,
    backup: BackupSchema,
});

export type Bom = z.infer<typeof BomSchema>;
export type BomComponent = z.infer<typeof ComponentSchema>;
export type BomSource = z.infer<typeof SourceSchema>;
export type ClusterAutoscalerPin = z.infer<typeof ClusterAutoscalerSchema>;
export type ImagePin = z.infer<typeof ImagePinSchema>;
export type RuntimeImage = z.infer<typeof RuntimeImageSchema>;
export type ContainerResources = z.infer<typeof ContainerResourcesSchema>;
export type KubernetesWindow = z.infer<typeof KubernetesWindowSchema>;

/** A file of a component in the manifests directory, and where it comes from upstream. */
export interface ComponentFile {
    /** Relative to the manifests directory. */
    file: string;
    /** Relative to the source repository: the kustomization rendered, or the file copied. */
    from: string;
    sha256: string;
    rendered: boolean;
}

/** The files of a component: one kustomize render, or the copied upstream files. */
export function componentFiles(component: BomComponent): ComponentFile[] {
    if (!component.copy) return [{ file: component.file!, from: component.path, sha256: component.sha256!, rendered: true }];
    const underPath = (name: string) => (component.path === "." ? name : `${component.path}/${name}`);
    return component.copy.files.map((entry) => ({
        file: `${component.copy!.to}/${entry.file}`,
        from: underPath(entry.from ?? entry.file),
        sha256: entry.sha256,
        rendered: false,
    }));
}

/**
 * The images the installed components run, once each: their renders' images, less those the object store's pins replace,
 * plus those pins and the backup's (MinIO, mc and the database backup run wherever Pipelines does).
 */
export function installedImages(bom: Bom, installed: readonly BomComponent[]): string[] {
    const pins = installed.some((component) => component.name === "pipelines") ? [...Object.values(bom.objectStore), ...Object.values(bom.backup)] : [];
    const replaced = new Set(pins.map((pin) => pin.replaces));
    return [...new Set([...installed.flatMap((component) => component.images).filter((image) => !replaced.has(image)), ...pins.map((pin) => pin.image)])];
}

/** The runtime images of `components`, normalized, once each: what the mirror holds beyond the images their containers run. */
export function runtimeImagesOf(components: readonly BomComponent[]): string[] {
    return [...new Set(components.flatMap((component) => component.runtimeImages.map(({ image }) => normalizeImage(image)!.image)))];
}
