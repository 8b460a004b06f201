// Image references as the mirror stores them: normalized as the inventory
// normalizes them, and the repository path an image lands at in the mirror —
// the reference without registry, tag or digest.
// docker.io/kubeflow/training-operator:v1-9e52eb7 is mirrored as
// <registryPrefix>/kubeflow/training-operator:v1-9e52eb7.
import { normalizeImage } from "../images/normalize";

export interface MirroredImage {
    /** The normalized reference, e.g. docker.io/library/mysql:8.0.29. */
    image: string;
    /** Where the image came from, e.g. docker.io. */
    registry: string;
    /** The repository path under the mirror prefix, e.g. library/mysql. */
    path: string;
}

/** The normalized form of an image reference (mysql:8.0.29 → docker.io/library/mysql:8.0.29), or undefined when it is not one. */
export function normalizeImageReference(text: string): string | undefined {
    return normalizeImage(text)?.normalized;
}

/** The registry and mirror path of a normalized image reference, or undefined when it is not one (or not normalized). */
export function mirroredImage(image: string): MirroredImage | undefined {
    const normalized = normalizeImage(image);
    if (!normalized || normalized.normalized !== image) return undefined;
    return { image, registry: normalized.registry, path: normalized.path };
}

/** The distinct repository paths of normalized images, sorted: one mirror repository each. */
export function repositoryPaths(images: readonly string[]): string[] {
    const paths = images.map((image) => mirroredImage(image)?.path).filter((path): path is string => path !== undefined);
    return [...new Set(paths)].sort();
}
