// The image inventory of a plan: every image its Kubernetes resources refer
// to, wherever it is written (containers, env values, args, custom resource
// fields, ConfigMap text and its embedded JSON and YAML), normalized as Docker
// resolves it, with each place it is used. What `npm run images` lists and the
// mirror copies. Pure: records in, inventory out.
import { imageReferencesIn, normalizeImage } from "../../core/image-references";
import { kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { isPlainRecord, plainValue } from "./plain-values";

/** A planned resource: the shape of `plan.resources` with inputs as props, and of policy records. */
export interface ResourceRecord {
    type: string;
    name: string;
    urn?: string;
    props: Record<string, unknown>;
}

export interface ImageUse {
    /** "Deployment kubeflow/ml-pipeline", "ClusterServingRuntime kserve-mlserver". */
    resource: string;
    /** Where in the resource it is first written: `spec.template.spec.containers[name="manager"].image`, `data["katib-config.yaml"] line 12`. */
    where: string;
}

export interface InventoryImage {
    /** Normalized: "docker.io/library/python:3.7". */
    image: string;
    /** Every distinct spelling found: "python:3.7", "docker.io/library/python:3.7". */
    written: string[];
    /** Absent for an untagged reference: the tag is composed at run time or Docker's `latest`. */
    tag?: string;
    digest?: string;
    usedBy: ImageUse[];
}

export interface ImageInventory {
    /** Sorted by image. */
    images: InventoryImage[];
    summary: {
        /** Distinct normalized images. */
        images: number;
        /** Uses: one per image per resource. */
        references: number;
        /** Images with neither tag nor digest. */
        untagged: number;
        /** Images pinned by digest. */
        digestPinned: number;
    };
}

/** Kinds that hold no image a cluster pulls, as IMG-02 decides: CRD schemas are documentation, Secret values are credentials. */
export const NON_CARRIER_KINDS: ReadonlySet<string> = new Set(["CustomResourceDefinition", "Secret"]);

/** `Deployment kubeflow/ml-pipeline`: a resource as the inventory names it. */
function describe(kind: string, props: Record<string, unknown>, fallbackName: string): string {
    const { name, namespace } = metadataOf(props);
    return `${kind} ${namespace ? `${namespace}/` : ""}${name ?? fallbackName}`;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One image reference a planned object makes: as written (or composed from an Istio hub), and where. */
export interface PlanImageReference extends ImageUse {
    image: string;
}

/**
 * Every image reference the Kubernetes resources make, in plan order: once per
 * resource, where it is first written (the matcher reports it so). Providers,
 * non-Kubernetes resources, Secrets and CRDs are skipped; unknown values (a
 * preview cannot know them) are skipped, secret values are read. What the
 * inventory counts, and what `mirror verify` asks the registry for.
 */
export function planImageReferences(resources: readonly ResourceRecord[]): PlanImageReference[] {
    return resources.flatMap((record) => {
        const kind = kubernetesKind(record.type);
        if (!kind || NON_CARRIER_KINDS.has(kind.kind)) return [];
        const props = plainValue(record.props);
        if (!isPlainRecord(props)) return [];
        const resource = describe(kind.kind, props, record.name);
        return imageReferencesIn(kind.kind, props).map(({ image, where }) => ({ image, resource, where }));
    });
}

/**
 * Every image the Kubernetes resources refer to, once per normalized name,
 * with each resource that uses it (planImageReferences): a resource is one
 * use however often it repeats the image.
 */
export function imageInventory(resources: readonly ResourceRecord[]): ImageInventory {
    const images = new Map<string, { written: Set<string>; tag?: string; digest?: string; usedBy: ImageUse[] }>();
    for (const { image, resource, where } of planImageReferences(resources)) {
        // The matcher only returns parsable references; a composed one that is not would be a bug there.
        const normalized = normalizeImage(image);
        if (!normalized) throw new Error(`The image matcher returned "${image}" (${resource}, ${where}), which is not an image reference.`);
        const entry = images.get(normalized.image) ?? {
            written: new Set<string>(),
            ...(normalized.tag !== undefined ? { tag: normalized.tag } : {}),
            ...(normalized.digest !== undefined ? { digest: normalized.digest } : {}),
            usedBy: [],
        };
        entry.written.add(image);
        entry.usedBy.push({ resource, where });
        images.set(normalized.image, entry);
    }
    const listed: InventoryImage[] = [...images.entries()]
        .sort(([a], [b]) => byText(a, b))
        .map(([image, entry]) => ({
            image,
            written: [...entry.written].sort(byText),
            ...(entry.tag !== undefined ? { tag: entry.tag } : {}),
            ...(entry.digest !== undefined ? { digest: entry.digest } : {}),
            usedBy: entry.usedBy.sort((a, b) => byText(a.resource, b.resource) || byText(a.where, b.where)),
        }));
    return {
        images: listed,
        summary: {
            images: listed.length,
            references: listed.reduce((total, image) => total + image.usedBy.length, 0),
            untagged: listed.filter((image) => image.tag === undefined && image.digest === undefined).length,
            digestPinned: listed.filter((image) => image.digest !== undefined).length,
        },
    };
}
