// The names skopeo needs for a normalized image (core/image-references.ts):
// where to resolve and fetch it, its name in the bundle, where it is pushed.
import { type NormalizedImage, parseRegistryPrefix, pulledReference, withoutTrailingSlash } from "../../core/image-references";

/** What a registry resolves the reference as written to: its digest, else its tag, else `latest`, as `docker pull` does. */
export const resolvableReference = (image: NormalizedImage) => `docker://${pulledReference(image.image)}`;

/** Where to fetch the locked content: the repository by digest, so a moved tag cannot change what is copied. */
export const sourceReference = (image: NormalizedImage, digest: string) => `docker://${image.registry}/${image.path}@${digest}`;

/** The image's name inside the bundle's OCI layout (index.json's org.opencontainers.image.ref.name). */
export const layoutRefName = (image: NormalizedImage) => image.image;

/**
 * Where an image goes in the enclave's registry: `<registry>[/prefix]/<path>:<tag>`
 * (the path the manifests are rewritten to), by digest for an image pinned only
 * by digest, and as `latest` for an untagged one (what pulling it untagged asks for).
 */
export const targetReference = (destination: string, image: NormalizedImage, digest: string) =>
    `${destination}/${image.path}${image.tag !== undefined ? `:${image.tag}` : image.digest !== undefined ? `@${digest}` : ":latest"}`;

/** `host[:port][/prefix]` (docker:// and trailing slashes dropped), or undefined when it is not a registry prefix. */
export function parseRegistryDestination(text: string): string | undefined {
    const trimmed = withoutTrailingSlash(text.trim().replace(/^docker:\/\//, ""));
    return parseRegistryPrefix(trimmed) ? trimmed : undefined;
}
