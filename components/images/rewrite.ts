// Air-gapped installs: every image reference an object makes, rewritten to
// the mirror, and a check for anything still naming a public registry. How an
// occurrence is confirmed before it is replaced: docs/image-references.md.
import { imageReferencesIn, isImageKey, isUnderPrefix, normalizeImage, parseImageReference, withoutTrailingSlash } from "../../core/image-references";
import { NON_CARRIER_KINDS } from "./inventory";
import { isPlainRecord, plainValue } from "./plain-values";

export interface Mirror {
    /** Registry host and path the images are copied under: "registry.enclave.example:5000/kf". */
    prefix: string;
    /** The image lock: normalized image ("docker.io/kserve/agent:v0.11.2") → "sha256:…". */
    digests: ReadonlyMap<string, string>;
    /** Existing clusters: who pulls from a mirror that asks (airGap.pullSecret); pods name the Secret pull-secret.ts makes of it. */
    pullCredentials?: { readonly username: string; readonly password: string };
}

/**
 * Where an image is in the mirror: `<prefix>/<path>` (path as normalizeImage
 * gives it, so `busybox:1.28` is `<prefix>/library/busybox:1.28`), then
 * `@<digest>` when the lock has the image, else `:<tag>`. A written digest is
 * kept (with its tag, if written). An untagged reference stays untagged and is
 * not pinned: its tag is composed at run time (KServe's explainers append
 * `defaultImageVersion`, KFP's profile controller `KFP_VERSION`), and
 * `name@digest:tag` would not parse. An image already under the prefix is
 * returned as it is; undefined when the text is not an image reference.
 */
export function mirrorReference(image: string, mirror: Mirror): string | undefined {
    const prefix = withoutTrailingSlash(mirror.prefix);
    if (isUnderPrefix(image, prefix)) return image;
    const normalized = normalizeImage(image);
    if (!normalized) return undefined;
    const { path, tag, digest } = normalized;
    if (digest !== undefined) return `${prefix}/${path}${tag !== undefined ? `:${tag}` : ""}@${digest}`;
    if (tag === undefined) return `${prefix}/${path}`;
    const locked = mirror.digests.get(normalized.image);
    return `${prefix}/${path}${locked ? `@${locked}` : `:${tag}`}`;
}

/**
 * Where an Istio-style hub is in the mirror: "docker.io/istio" → `<prefix>/istio`
 * (no `library/`: a hub is an organization, its images are `<hub>/<image>`).
 * Undefined for a value that is not a registry path (a tag, a bare word).
 */
export function mirrorHub(hub: string, mirror: Mirror): string | undefined {
    const prefix = withoutTrailingSlash(mirror.prefix);
    if (isUnderPrefix(hub, prefix)) return hub;
    const reference = parseImageReference(hub);
    if (!reference || reference.tag !== undefined || reference.digest !== undefined) return undefined;
    if (!reference.registry && !reference.repository.includes("/")) return undefined;
    return `${prefix}/${reference.registry ? reference.repository.slice(reference.registry.length + 1) : reference.repository}`;
}

type Key = string | number;

/** A deep copy of plain objects and arrays; anything else (Pulumi Outputs, plan markers) is shared, not cloned. */
function copyPlain<T>(value: T): T {
    if (Array.isArray(value)) return value.map(copyPlain) as T;
    if (isPlainRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, copyPlain(inner)])) as T;
    return value;
}

/** The fields the matcher reads from an object besides the one it descends into: Istio hub and tag, name/value pairs, Helm-style images. */
const CONTEXT_FIELDS = ["hub", "tag", "name", "value", "registry", "repository"];

/** The object reduced to the path to one string (set to `leaf`) and the context fields along it. */
function prune(node: unknown, path: readonly Key[], leaf: string): unknown {
    if (path.length === 0) return leaf;
    const [head, ...rest] = path;
    if (Array.isArray(node)) return [prune(node[head as number], rest, leaf)];
    const record = node as Record<string, unknown>;
    const context = CONTEXT_FIELDS.filter((field) => field !== head && typeof record[field] === "string").map((field) => [field, record[field]] as const);
    return { ...Object.fromEntries(context), [head!]: prune(record[head as string], rest, leaf) };
}

/** A reference of the same shape as `image` (same registry, tag and digest; last path component extended) that no object holds. */
function probeOf(image: string): string {
    const reference = parseImageReference(image)!;
    return `${reference.repository}0kfstackprobe0${reference.tag !== undefined ? `:${reference.tag}` : ""}${reference.digest !== undefined ? `@${reference.digest}` : ""}`;
}

/** `image` written as a whole token at `index`: not continuing a longer name, path, URL or tag. */
function isToken(text: string, index: number, image: string): boolean {
    const before = text.slice(0, index);
    const after = text.slice(index + image.length);
    return !/[\w.\-/:@$]$/.test(before) && !/^(?:[\w\-/@]|[.:]\w)/.test(after);
}

interface Edit {
    start: number;
    end: number;
    replacement: string;
}

/** `"hub": "docker.io/istio"` (JSON, `"global.hub"` too) and `hub: docker.io/istio` (a YAML line). */
const HUB_IN_TEXT = [/("(?:[\w-]+\.)*hub"\s*:\s*")([^"\\\s]+)"/g, /^([ \t]*(?:-[ \t]+)?["']?(?:[\w-]+\.)*hub["']?[ \t]*:[ \t]+["']?)([^\s"'#,]+)/gm];
const HUB_FIELD = /^(?:[\w-]+\.)*hub$/;

class Rewriter {
    private readonly candidates: Set<string>;

    constructor(
        private readonly kind: string,
        private readonly root: Record<string, unknown>,
        private readonly mirror: Mirror,
    ) {
        // Composed references (hub + image, Helm-style) are in the set too; they never occur literally.
        const found = imageReferencesIn(kind, plainValue(root) as Record<string, unknown>);
        this.candidates = new Set(
            found
                .map(({ image }) => image)
                .filter((image) => {
                    const target = mirrorReference(image, mirror);
                    return target !== undefined && target !== image;
                }),
        );
    }

    visit(node: unknown, path: Key[], key: string | undefined): void {
        if (Array.isArray(node)) {
            node.forEach((item, index) => {
                if (typeof item === "string") node[index] = this.text(item, [...path, index]);
                else this.visit(item, [...path, index], key);
            });
            return;
        }
        if (!isPlainRecord(node)) return;
        if (key !== undefined && isImageKey(key) && typeof node["repository"] === "string") {
            this.helmImage(node);
            return;
        }
        for (const [field, value] of Object.entries(node)) {
            if (path.length === 0 && (field === "status" || field === "apiVersion" || field === "kind")) continue;
            if (typeof value !== "string") this.visit(value, [...path, field], field);
            else if (HUB_FIELD.test(field)) node[field] = mirrorHub(value, this.mirror) ?? value;
            else node[field] = this.text(value, [...path, field]);
        }
    }

    /** `{registry, repository, tag}` under an image key: the registry becomes the prefix, the repository its path. */
    private helmImage(node: Record<string, unknown>): void {
        const registry = typeof node["registry"] === "string" ? node["registry"] : "";
        const tag = typeof node["tag"] === "string" ? node["tag"] : "";
        const composed = `${registry ? `${registry}/` : ""}${node["repository"] as string}${tag ? `:${tag}` : ""}`;
        const normalized = normalizeImage(composed);
        if (!this.candidates.has(composed) || !normalized) return;
        if (typeof node["registry"] === "string") {
            node["registry"] = withoutTrailingSlash(this.mirror.prefix);
            node["repository"] = normalized.path;
        } else {
            node["repository"] = `${withoutTrailingSlash(this.mirror.prefix)}/${normalized.path}`;
        }
    }

    /** One string of the object, every image and hub in it replaced. */
    private text(text: string, path: Key[]): string {
        const edits: Edit[] = [];
        for (const pattern of HUB_IN_TEXT) {
            for (const match of text.matchAll(pattern)) {
                const start = match.index + match[1]!.length;
                const replacement = mirrorHub(match[2]!, this.mirror);
                if (replacement !== undefined && replacement !== match[2]) edits.push({ start, end: start + match[2]!.length, replacement });
            }
        }
        for (const image of this.candidates) {
            const tokens: number[] = [];
            for (let index = text.indexOf(image); index >= 0; index = text.indexOf(image, index + 1)) {
                if (isToken(text, index, image)) tokens.push(index);
            }
            // A repeat of a confirmed reference in the same text is that reference, written where the matcher has no
            // context: KFP's sync.py documents `frontend_image: gcr.io/ml-pipeline/frontend` and falls back to
            // `os.environ.get("FRONTEND_IMAGE", "gcr.io/ml-pipeline/frontend")`. Only for a name with a path, which no
            // ordinary word is: `busybox` in a sentence stays.
            const confirms = (index: number) => this.confirms(text, index, image, path);
            const replaced = image.includes("/") ? (tokens.some(confirms) ? tokens : []) : tokens.filter(confirms);
            const replacement = mirrorReference(image, this.mirror)!;
            for (const index of replaced) edits.push({ start: index, end: index + image.length, replacement });
        }
        if (edits.length === 0) return text;
        edits.sort((a, b) => a.start - b.start);
        let result = "";
        let at = 0;
        for (const edit of edits) {
            if (edit.start < at) continue;
            result += text.slice(at, edit.start) + edit.replacement;
            at = edit.end;
        }
        return result + text.slice(at);
    }

    /** Whether the matcher takes this occurrence for an image, in its context. */
    private confirms(text: string, index: number, image: string, path: Key[]): boolean {
        const probe = probeOf(image);
        const probed = text.slice(0, index) + probe + text.slice(index + image.length);
        return imageReferencesIn(this.kind, prune(this.root, path, probed) as Record<string, unknown>).some((found) => found.image === probe);
    }
}

/**
 * A deep copy of the object with every image reference the matcher finds
 * pointing at the mirror (see mirrorReference) and every Istio-style hub at
 * `<prefix>/<path>`. Idempotent: references already under the prefix stay.
 * Secrets and CRDs are copied unchanged (they carry no image a cluster pulls);
 * values inside Pulumi Outputs or secret markers cannot be rewritten here.
 */
export function rewriteImages<T extends Record<string, unknown>>(object: T, mirror: Mirror): T {
    const copy = copyPlain(object);
    const kind = typeof object["kind"] === "string" ? object["kind"] : "";
    if (NON_CARRIER_KINDS.has(kind)) return copy;
    new Rewriter(kind, copy, mirror).visit(copy, [], undefined);
    return copy;
}

/**
 * Entries whose objects point at the mirror (see rewriteImages), or the same
 * entries without one. Secrets stay the very same object: their generated
 * values are Pulumi outputs, not plain data, and they carry no images.
 */
export function entriesAtMirror<E extends { object: { kind: string } & Record<string, unknown> }>(entries: E[], mirror: Mirror | undefined): E[] {
    if (!mirror) return entries;
    return entries.map((entry) => (entry.object.kind === "Secret" ? entry : { ...entry, object: rewriteImages(entry.object, mirror) }));
}

/** The public registries an air-gapped cluster cannot reach. `*.gcr.io` covers k8s.gcr.io, us.gcr.io, mirror.gcr.io. */
export const PUBLIC_REGISTRIES = [
    "docker.io",
    "index.docker.io",
    "gcr.io",
    "*.gcr.io",
    "ghcr.io",
    "quay.io",
    "registry.k8s.io",
    "k8s.gcr.io",
    "public.ecr.aws",
    "nvcr.io",
    "mcr.microsoft.com",
    "registry.gitlab.com",
    "docker.elastic.co",
] as const;

const hostPattern = PUBLIC_REGISTRIES.map((host) => host.replace(/\./g, "\\.").replace("*\\.", "(?:[a-z0-9-]+\\.)?")).join("|");
/** A public registry host as a whole host name: not part of a longer one ("quay.io.example.com", "notdocker.io"). */
const PUBLIC_HOST = new RegExp(`(?<![\\w.-])(?:${hostPattern})(?![\\w-]|\\.\\w)`, "gi");
const PUBLIC_REGISTRY = new RegExp(`^(?:${hostPattern})$`, "i");
const isPublicRegistry = (registry: string) => PUBLIC_REGISTRY.test(registry.replace(/:[0-9]+$/, ""));

export interface RegistryMention {
    /** Where in the value: `spec.template.spec.containers[name="main"].image`, `data["sync.py"] line 54`. */
    where: string;
    /** The token that names the registry: "gcr.io/ml-pipeline/frontend", or a bare Docker Hub image "kserve/agent:v0.11.2". */
    text: string;
}

function keyPath(path: string, key: string): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
    return path ? `${path}.${key}` : key;
}

function eachString(value: unknown, where: string, visit: (text: string, where: string) => void): void {
    if (typeof value === "string") visit(value, where);
    else if (Array.isArray(value)) {
        value.forEach((item, index) => {
            const name = isPlainRecord(item) && typeof item["name"] === "string" ? `name=${JSON.stringify(item["name"])}` : String(index);
            eachString(item, `${where}[${name}]`, visit);
        });
    } else if (isPlainRecord(value)) {
        for (const [key, inner] of Object.entries(value)) eachString(inner, keyPath(where, key), visit);
    }
}

const TOKEN_CHARACTER = /[\w.\-/:@]/;

/**
 * Every place in the value (deep; secret values included) that still names a
 * public registry: a host of PUBLIC_REGISTRIES anywhere in a string (the
 * whole token around it is reported), and every image the matcher finds that
 * resolves to one, bare Docker Hub names ("kserve/agent:v0.11.2") and images
 * composed from an Istio hub included. Host mentions first, in document
 * order, then the matcher's images; each place and token once.
 */
export function publicRegistryMentions(value: unknown): RegistryMention[] {
    const plain = plainValue(value);
    const mentions: RegistryMention[] = [];
    const seen = new Set<string>();
    const add = (mention: RegistryMention) => {
        const key = `${mention.where}\n${mention.text}`;
        if (seen.has(key)) return;
        seen.add(key);
        mentions.push(mention);
    };
    eachString(plain, "", (text, where) => {
        for (const match of text.matchAll(PUBLIC_HOST)) {
            let start = match.index;
            let end = start + match[0].length;
            while (start > 0 && TOKEN_CHARACTER.test(text[start - 1]!)) start--;
            while (end < text.length && TOKEN_CHARACTER.test(text[end]!)) end++;
            const token = text.slice(start, end).replace(/[.:,-]+$/, "");
            add({ where: text.includes("\n") ? `${where} line ${text.slice(0, match.index).split("\n").length}` : where, text: token });
        }
    });
    if (isPlainRecord(plain)) {
        for (const { image, where } of imageReferencesIn(typeof plain["kind"] === "string" ? plain["kind"] : "", plain)) {
            const normalized = normalizeImage(image);
            if (normalized && isPublicRegistry(normalized.registry)) add({ where, text: image });
        }
    }
    return mentions;
}
