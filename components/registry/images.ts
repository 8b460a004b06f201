// The images the mirror holds and the repository path each lands at: the
// normalized reference without registry, tag or digest.
// docker.io/kubeflow/training-operator:v1-9e52eb7 is mirrored as
// <registryPrefix>/kubeflow/training-operator:v1-9e52eb7.
import { type NormalizedImage, normalizeImage } from "../../core/image-references";

/** The parts of an image reference written in normalized form, or undefined when it is not one (or not normalized). */
export function mirroredImage(image: string): NormalizedImage | undefined {
    const normalized = normalizeImage(image);
    return normalized?.image === image ? normalized : undefined;
}

/** The distinct repository paths of normalized images, sorted: one mirror repository each. */
export function repositoryPaths(images: readonly string[]): string[] {
    const paths = images.map((image) => mirroredImage(image)?.path).filter((path): path is string => path !== undefined);
    return [...new Set(paths)].sort();
}
