// Image references as the mirror stores them: normalized (registry always
// named, Docker Hub's official images under library/), and the repository path
// an image lands at in the mirror: the reference without registry, tag or
// digest. docker.io/kubeflow/training-operator:v1-9e52eb7 is mirrored as
// <registryPrefix>/kubeflow/training-operator:v1-9e52eb7.
import { type ImageReference, parseImageReference } from "../../policies/lib/image-references";

const DOCKER_HUB = "docker.io";
/** Other names of Docker Hub that normalize to docker.io. */
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);

export interface MirroredImage {
    /** The normalized reference, e.g. docker.io/library/mysql:8.0.29. */
    image: string;
    /** Where the image came from, e.g. docker.io. */
    registry: string;
    /** The repository path under the mirror prefix, e.g. library/mysql. */
    path: string;
}

function pathOf(reference: ImageReference): string {
    return reference.registry === undefined ? reference.repository : reference.repository.slice(reference.registry.length + 1);
}

/**
 * The normalized form of an image reference, as `docker pull` resolves it
 * (mysql:8.0.29 → docker.io/library/mysql:8.0.29), or undefined when the text
 * is not an image reference.
 */
export function normalizeImageReference(text: string): string | undefined {
    const reference = parseImageReference(text);
    if (!reference) return undefined;
    const registry = reference.registry === undefined || DOCKER_HUB_ALIASES.has(reference.registry) ? DOCKER_HUB : reference.registry;
    const path = pathOf(reference);
    const fullPath = registry === DOCKER_HUB && !path.includes("/") ? `library/${path}` : path;
    return `${registry}/${fullPath}${reference.tag !== undefined ? `:${reference.tag}` : ""}${reference.digest !== undefined ? `@${reference.digest}` : ""}`;
}

/** The registry and mirror path of a normalized image reference, or undefined when it is not one. */
export function mirroredImage(image: string): MirroredImage | undefined {
    const reference = parseImageReference(image);
    if (!reference?.registry || normalizeImageReference(image) !== image) return undefined;
    return { image, registry: reference.registry, path: pathOf(reference) };
}

/** The distinct repository paths of normalized images, sorted: one mirror repository each. */
export function repositoryPaths(images: readonly string[]): string[] {
    const paths = images.map((image) => mirroredImage(image)?.path).filter((path): path is string => path !== undefined);
    return [...new Set(paths)].sort();
}
