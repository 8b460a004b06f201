// Container image references: parsing, normalizing, the registry prefix of a
// mirror, and finding every reference an object makes, wherever it is written.
// Which strings count as images: docs/image-references.md.
import { isRecord } from "./records";

export interface ImageReference {
    /** The reference as written. */
    text: string;
    /** The registry host (and port), when the reference names one. */
    registry?: string;
    /** The name without tag or digest, registry included: "gcr.io/ml-pipeline/frontend". */
    repository: string;
    tag?: string;
    digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/** The parts of an image reference, or undefined when the text is not one. */
export function parseImageReference(text: string): ImageReference | undefined {
    if (text.length === 0 || text.length > 512) return undefined;
    const at = text.indexOf("@");
    const withoutDigest = at >= 0 ? text.slice(0, at) : text;
    const digest = at >= 0 ? text.slice(at + 1) : undefined;
    if (digest !== undefined && !DIGEST.test(digest)) return undefined;
    const colon = withoutDigest.lastIndexOf(":");
    const hasTag = colon > withoutDigest.lastIndexOf("/");
    const repository = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
    if (tag !== undefined && !TAG.test(tag)) return undefined;
    const components = repository.split("/");
    const first = components[0]!;
    // As Docker decides: the first component is a registry when it has a dot, a port, is localhost or has capitals.
    const hasRegistry = components.length > 1 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase());
    if (hasRegistry && !DOMAIN.test(first)) return undefined;
    if (!(hasRegistry ? components.slice(1) : components).every((component) => PATH_COMPONENT.test(component))) return undefined;
    return {
        text,
        repository,
        ...(hasRegistry ? { registry: first } : {}),
        ...(tag !== undefined ? { tag } : {}),
        ...(digest !== undefined ? { digest } : {}),
    };
}

export const DOCKER_HUB = "docker.io";
/** Other names of Docker Hub that normalize to docker.io. */
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);

/** An image reference with Docker's defaults made explicit: the one normalized form the inventory, the rewriter, the lock, the registry stack and VER-02 compare. */
export interface NormalizedImage {
    /**
     * `<registry>/<path>[:<tag>][@<digest>]`, e.g. "docker.io/library/busybox:1.28".
     * An untagged reference stays untagged ("gcr.io/google-containers/busybox"):
     * Docker would pull `latest`, but where the tag is composed at run time
     * (KServe explainers, KFP's profile controller) `latest` is not what runs,
     * so the inventory says "untagged" instead of inventing a tag.
     */
    image: string;
    /** "docker.io" when the reference names none; "index.docker.io" and "registry-1.docker.io" are "docker.io". */
    registry: string;
    /** The repository without the registry: "kubeflow/training-operator", "library/busybox". */
    path: string;
    tag?: string;
    digest?: string;
}

/** The reference with the registry docker.io and Docker Hub's `library/` made explicit; undefined when the text is not an image reference. */
export function normalizeImage(text: string): NormalizedImage | undefined {
    const reference = parseImageReference(text);
    if (!reference) return undefined;
    const registry = !reference.registry || DOCKER_HUB_ALIASES.has(reference.registry) ? DOCKER_HUB : reference.registry;
    const written = reference.registry ? reference.repository.slice(reference.registry.length + 1) : reference.repository;
    const path = registry === DOCKER_HUB && !written.includes("/") ? `library/${written}` : written;
    const tag = reference.tag !== undefined ? `:${reference.tag}` : "";
    const digest = reference.digest !== undefined ? `@${reference.digest}` : "";
    return {
        image: `${registry}/${path}${tag}${digest}`,
        registry,
        path,
        ...(reference.tag !== undefined ? { tag: reference.tag } : {}),
        ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
    };
}

/** `<registry>/<path>` of a reference, without tag or digest ("docker.io/kserve/agent"); undefined when the text is not an image reference. */
export function repositoryOf(text: string): string | undefined {
    const normalized = normalizeImage(text);
    return normalized && `${normalized.registry}/${normalized.path}`;
}

/** Whether `image` is of the repository `path` ("nvidia/k8s-device-plugin") from any registry, under a mirror's path prefix too; any tag or digest. */
export function isOfRepository(image: string, path: string): boolean {
    const normalized = normalizeImage(image);
    return normalized !== undefined && (normalized.path === path || normalized.path.endsWith(`/${path}`));
}

/**
 * What the container runtime pulls: the normalized reference with `latest` for
 * an untagged one, and only the digest when there is one (the runtime ignores
 * the tag then). Text that is not a reference is returned as it is.
 */
export function pulledReference(text: string): string {
    const normalized = normalizeImage(text);
    if (!normalized) return text;
    const { registry, path, tag, digest } = normalized;
    return `${registry}/${path}${digest !== undefined ? `@${digest}` : `:${tag ?? "latest"}`}`;
}

// A registry prefix, where a mirror's images live: host[:port][/path], the host
// in lower case (a DNS name, localhost or a bracketed IPv6 address), the path
// components as in an image reference; no scheme, no trailing slash.
const PREFIX_HOST = /^(localhost|[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::([0-9]{1,5}))?$/;

export interface RegistryPrefix {
    /** The host without the port: "registry.enclave.local", "localhost". */
    host: string;
    port?: string;
    /** The path under the host, "" when there is none: "kubeflow", "team/kf". */
    path: string;
}

/** The parts of a registry prefix `host[:port][/path]`, or undefined when the text is not one. */
export function parseRegistryPrefix(text: string): RegistryPrefix | undefined {
    const [host, ...path] = text.split("/");
    const match = PREFIX_HOST.exec(host!);
    if (!match || !path.every((component) => PATH_COMPONENT.test(component))) return undefined;
    return { host: match[1]!, ...(match[2] !== undefined ? { port: match[2] } : {}), path: path.join("/") };
}

/** The prefix without trailing slashes, as images are written under it: `<prefix>/<path>`. */
export const withoutTrailingSlash = (prefix: string) => prefix.replace(/\/+$/, "");

/** Whether the image is under the prefix: "mirror.example.com/kf" holds "mirror.example.com/kf/x:1", not "mirror.example.com/kf-old/x:1". */
export const isUnderPrefix = (image: string, prefix: string) => image.startsWith(`${withoutTrailingSlash(prefix)}/`);

/** `image`, `cacheImage`, `queue-sidecar-image`, `TENSORBOARD_IMAGE`, `sidecar.istio.io/proxyImage`, `images`: names of fields that hold images. */
export function isImageKey(key: string): boolean {
    return /image(s)?$/i.test(key.replace(/[^A-Za-z]/g, ""));
}

export interface FoundImage {
    /** The image, as written or as composed from an Istio-style `hub` + `image` + `tag`. */
    image: string;
    /** Where in the object: `data["katib-config.yaml"] line 12`, `spec.template.spec.containers[name="manager"].image`. */
    where: string;
}

function keyPath(path: string, key: string): string {
    const segment = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
    if (segment !== key) return `${path}[${segment}]`;
    return path ? `${path}.${key}` : key;
}

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** A value in an image context: quotes and a trailing comment stripped, templates (`{{ }}`, `${}`, `$(…)`) refused. */
function contextualReference(value: string): ImageReference | undefined {
    const text = value
        .trim()
        .replace(/\s+#.*$/, "")
        .replace(/^(["'])(.*)\1$/, "$2");
    if (/[{}$\s]/.test(text) || /^(true|false|yes|no|on|off|null|none|~|[0-9.]+)$/i.test(text)) return undefined;
    const reference = parseImageReference(text);
    // "logo.svg" under an `iconImage` key is a file, not an image.
    if (reference && !reference.tag && !reference.digest && /\.(png|svg|jpe?g|gif|ico|webp|ya?ml|json|txt|html?)$/.test(reference.repository)) return undefined;
    return reference;
}

/** `image: busybox:1.28` (a YAML line), `"image": "x"` (a JSON pair), `--executor-image=x` (a flag), `FRONTEND_IMAGE=x` (an env assignment). */
const TEXT_CONTEXTS = [
    /^[ \t]*(?:-[ \t]+)?["']?([\w./-]*image)["']?[ \t]*:[ \t]+([^\s#]+)[ \t]*(?:#.*)?$/gim,
    /"([\w./-]*image)"\s*:\s*("[^"\n]*")/gi,
    /(?<![\w-])--([a-z0-9-]*image)=([^\s"',;)\]}]+)/gi,
    /(?<![\w-])([A-Z0-9_]*IMAGE)=([^\s"',;)\]}]+)/g,
];

/** A token that could be an image anywhere: starts with a letter or digit, not right after `/`, `:`, `@`, `.` or `-` (so not inside a URL or path). */
const CANDIDATE = /(?<![\w.\-/:@$])[A-Za-z0-9][\w.\-/:@]*/g;

/** Whether a token outside any image context is an image beyond doubt. */
function freeReference(token: string): ImageReference | undefined {
    const reference = parseImageReference(token.replace(/[.:,-]+$/, ""));
    if (!reference || !reference.repository.includes("/")) return undefined;
    if (reference.digest) return reference;
    return reference.tag !== undefined && !/^[0-9]+$/.test(reference.tag) ? reference : undefined;
}

function scanText(text: string, where: string, found: FoundImage[]): void {
    // Every text context names an image field, and a free reference has a path: most strings (names, labels, numbers) have neither.
    if (!text.includes("/") && !/image/i.test(text)) return;
    const at = (index: number) => (text.includes("\n") ? `${where} line ${lineOf(text, index)}` : where);
    for (const pattern of TEXT_CONTEXTS) {
        for (const match of text.matchAll(pattern)) {
            const reference = contextualReference(match[2]!);
            if (reference) found.push({ image: reference.text, where: at(match.index) });
        }
    }
    for (const match of text.matchAll(CANDIDATE)) {
        const reference = freeReference(match[0]);
        if (reference) found.push({ image: reference.text, where: at(match.index) });
    }
}

/** Embedded JSON (an object or array), parsed; undefined for anything else. */
function embeddedJson(text: string): unknown {
    const trimmed = text.trim();
    if (!/^[[{]/.test(trimmed)) return undefined;
    try {
        return JSON.parse(trimmed) as unknown;
    } catch {
        return undefined;
    }
}

/** An Istio-style registry: `hub: docker.io/istio` with `tag: 1.17.5`, which bare `image: proxyv2` values below it are pulled from. */
interface Hub {
    hub: string;
    tag?: string;
}

function walk(value: unknown, where: string, key: string | undefined, hub: Hub | undefined, found: FoundImage[]): void {
    if (typeof value === "string") {
        if (key !== undefined && isImageKey(key)) {
            const reference = contextualReference(value);
            if (reference) {
                const composed = hub && !reference.registry && !reference.repository.includes("/") && !reference.tag && !reference.digest;
                found.push({ image: composed ? `${hub.hub}/${reference.repository}${hub.tag ? `:${hub.tag}` : ""}` : reference.text, where });
                return;
            }
        }
        const json = embeddedJson(value);
        if (json !== undefined) walk(json, where, undefined, hub, found);
        else scanText(value, where, found);
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, index) => {
            const name = isRecord(item) && typeof item["name"] === "string" ? `name=${JSON.stringify(item["name"])}` : String(index);
            walk(item, `${where}[${name}]`, key, hub, found);
        });
        return;
    }
    if (!isRecord(value)) return;
    const scope =
        typeof value["hub"] === "string" && parseImageReference(value["hub"])
            ? { hub: value["hub"], ...(typeof value["tag"] === "string" ? { tag: value["tag"] } : {}) }
            : hub;
    if (key !== undefined && isImageKey(key) && typeof value["repository"] === "string") {
        // Helm-style image: {registry, repository, tag}.
        const registry = typeof value["registry"] === "string" && value["registry"] ? `${value["registry"]}/` : "";
        const tag = typeof value["tag"] === "string" && value["tag"] ? `:${value["tag"]}` : "";
        const reference = contextualReference(`${registry}${value["repository"]}${tag}`);
        if (reference) found.push({ image: reference.text, where: keyPath(where, "repository") });
        return;
    }
    // A name/value pair (env vars, parameters): the name is the value's context.
    const named = typeof value["name"] === "string" && typeof value["value"] === "string" ? value["name"] : undefined;
    for (const [field, inner] of Object.entries(value)) {
        walk(inner, keyPath(where, field), field === "value" && named !== undefined ? named : field, scope, found);
    }
}

/** Data keys that are documentation, not configuration: Knative and KServe ConfigMaps' `_example`. */
const DOCUMENTATION_KEYS = new Set(["_example"]);
const IGNORED_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/**
 * Every image a Kubernetes object refers to, once each, with where it was
 * first found. Reads metadata annotations and every field but `status`.
 */
export function imageReferencesIn(kind: string, props: Record<string, unknown>): FoundImage[] {
    const found: FoundImage[] = [];
    for (const [field, value] of Object.entries(props)) {
        if (field === "status" || field === "apiVersion" || field === "kind") continue;
        if (field === "metadata") {
            const annotations = isRecord(value) && isRecord(value["annotations"]) ? value["annotations"] : {};
            for (const [name, annotation] of Object.entries(annotations)) {
                if (!IGNORED_ANNOTATIONS.has(name)) walk(annotation, keyPath("metadata.annotations", name), name, undefined, found);
            }
            continue;
        }
        if (kind === "ConfigMap" && (field === "data" || field === "binaryData") && isRecord(value)) {
            for (const [name, data] of Object.entries(value)) {
                if (DOCUMENTATION_KEYS.has(name)) continue;
                const text = field === "binaryData" && typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : data;
                walk(text, keyPath(field, name), name, undefined, found);
            }
            continue;
        }
        walk(value, field, field, undefined, found);
    }
    const seen = new Set<string>();
    return found.filter(({ image }) => !seen.has(image) && seen.add(image));
}
