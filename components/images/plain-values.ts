// Image names as Docker resolves them, and plan values as plain data: the two
// normalizations the inventory and the rewriter share. Pure: no Pulumi, no I/O.
import { parseImageReference } from "../../core/image-references";

export const DOCKER_HUB = "docker.io";
/** Other names of Docker Hub that normalize to docker.io. */
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);

export interface NormalizedImage {
    /**
     * `<registry>/<path>[:<tag>][@<digest>]`, e.g. "docker.io/library/busybox:1.28".
     * An untagged reference stays untagged ("gcr.io/google-containers/busybox"):
     * Docker would pull `latest`, but where the tag is composed at run time
     * (KServe explainers, KFP's profile controller) `latest` is not what runs,
     * so the inventory says "untagged" instead of inventing a tag.
     */
    normalized: string;
    /** "docker.io" when the reference names none; "index.docker.io" and "registry-1.docker.io" are "docker.io". */
    registry: string;
    /** The repository without the registry: "kubeflow/training-operator", "library/busybox". */
    path: string;
    tag?: string;
    digest?: string;
}

/**
 * The reference with Docker's defaults made explicit (the registry docker.io,
 * `library/` for one-component Docker Hub names); undefined when the text is
 * not an image reference.
 */
export function normalizeImage(text: string): NormalizedImage | undefined {
    const reference = parseImageReference(text);
    if (!reference) return undefined;
    const registry = !reference.registry || DOCKER_HUB_ALIASES.has(reference.registry) ? DOCKER_HUB : reference.registry;
    const written = reference.registry ? reference.repository.slice(reference.registry.length + 1) : reference.repository;
    const path = registry === DOCKER_HUB && !written.includes("/") ? `library/${written}` : written;
    const tag = reference.tag !== undefined ? `:${reference.tag}` : "";
    const digest = reference.digest !== undefined ? `@${reference.digest}` : "";
    return {
        normalized: `${registry}/${path}${tag}${digest}`,
        registry,
        path,
        ...(reference.tag !== undefined ? { tag: reference.tag } : {}),
        ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
    };
}

/** A plain object or array: what manifests and plan inputs are made of, unlike class instances (Outputs, plan markers). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const prototype = Object.getPrototypeOf(value) as unknown;
    return prototype === Object.prototype || prototype === null;
}

/**
 * The marker objects of engine/values.ts, recognized by what they serialize
 * to so this module does not load the Pulumi SDK: `Unknown` ("[unknown]") and
 * `Secret` ("[secret]", its value in `value`).
 */
function markerOf(value: object): "unknown" | "secret" | undefined {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== "function") return undefined;
    const serialized = (toJSON as () => unknown).call(value);
    if (serialized === "[unknown]") return "unknown";
    if (serialized === "[secret]" && "value" in value) return "secret";
    return undefined;
}

/**
 * Plan inputs as plain data for the image matcher: a secret's value stands in
 * for the secret (an image is pulled whether or not it is secret), and unknown
 * values and other objects (Pulumi Outputs during a real run) are left out.
 */
export function plainValue(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    // An unknown array item stays as a hole (undefined), so the indices in `where` stay those of the plan.
    if (Array.isArray(value)) return value.map(plainValue);
    if (isPlainRecord(value)) {
        return Object.fromEntries(
            Object.entries(value)
                .map(([key, inner]) => [key, plainValue(inner)] as const)
                .filter(([, inner]) => inner !== undefined),
        );
    }
    return markerOf(value) === "secret" ? plainValue((value as { value: unknown }).value) : undefined;
}
