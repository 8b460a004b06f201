// Image references as the lock file keys them, normalized as the image
// inventory does (components/images/normalize.ts: docker.io and library/ made
// explicit, the tag kept, an untagged reference left untagged), and the names
// derived from them for skopeo.
import { normalizeImage as normalizeReference } from "../../components/images/normalize";

export interface LockedImage {
    /** The normalized reference, the lock file's key: "docker.io/kubeflow/training-operator:v1-9e52eb7". */
    image: string;
    /** "docker.io", "gcr.io", "127.0.0.1:5000". */
    registry: string;
    /** The repository path without the registry: "kubeflow/training-operator". */
    path: string;
    tag?: string;
    /** The digest written in the reference, if any (the lock's digest must equal it). */
    digest?: string;
}

/** The normalized form of an image reference, or undefined when the text is not one. */
export function normalizeImage(text: string): LockedImage | undefined {
    const normalized = normalizeReference(text.trim());
    if (!normalized) return undefined;
    const { normalized: image, registry, path, tag, digest } = normalized;
    return { image, registry, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** What a registry resolves the reference as written to: its digest, else its tag, else `latest`, as `docker pull` does. */
export const resolvableReference = (image: LockedImage) =>
    `docker://${image.registry}/${image.path}${image.digest !== undefined ? `@${image.digest}` : `:${image.tag ?? "latest"}`}`;

/** Where to fetch the locked content: the repository by digest, so a moved tag cannot change what is copied. */
export const sourceReference = (image: LockedImage, digest: string) => `docker://${image.registry}/${image.path}@${digest}`;

/** The image's name inside the bundle's OCI layout (index.json's org.opencontainers.image.ref.name). */
export const layoutRefName = (image: LockedImage) => image.image;

/**
 * Where an image goes in the enclave's registry: `<registry>[/prefix]/<path>:<tag>`
 * (the path the manifests are rewritten to), by digest for an image pinned only
 * by digest, and as `latest` for an untagged one (what pulling it untagged asks for).
 */
export const targetReference = (destination: string, image: LockedImage, digest: string) =>
    `${destination}/${image.path}${image.tag !== undefined ? `:${image.tag}` : image.digest !== undefined ? `@${digest}` : ":latest"}`;

const HOST = /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** `host[:port][/prefix]` with any trailing slash removed, or undefined when it is not one. */
export function parseRegistryDestination(text: string): string | undefined {
    const trimmed = text.trim().replace(/^docker:\/\//, "").replace(/\/+$/, "");
    const [host, ...prefix] = trimmed.split("/");
    if (!host || !HOST.test(host) || !prefix.every((component) => PATH_COMPONENT.test(component))) return undefined;
    return trimmed;
}
