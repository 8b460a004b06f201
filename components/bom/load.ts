// Loads a bill of materials by release name from components/bom/<release>.yaml.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { normalizeImage } from "../../core/image-references";
import { type Bom, type BomComponent, BomSchema, componentFiles } from "./schema";

const BOM_DIRECTORY = __dirname;

/** A release kfstack must never install, with the reason. */
export const FORBIDDEN_VERSIONS: { component: string; pattern: RegExp; reason: string }[] = [
    { component: "training-operator", pattern: /^v?1\.9\./, reason: "Training Operator 1.9 broke distributed training; kfstack pins v1.8.0" },
];

export class BomError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BomError";
    }
}

export function availableBoms(directory = BOM_DIRECTORY): string[] {
    return readdirSync(directory)
        .filter((file) => file.endsWith(".yaml"))
        .map((file) => file.slice(0, -".yaml".length))
        .sort();
}

function crossCheck(bom: Bom, file: string): string[] {
    const problems: string[] = [];
    const seenNames = new Set<string>();
    const seenFiles = new Set<string>();
    bom.components.forEach((component, index) => {
        const where = `${file}: components[${index}] (${component.name})`;
        if (!(component.source in bom.sources)) problems.push(`${where}: source "${component.source}" is not one of ${Object.keys(bom.sources).join(", ")}`);
        if (seenNames.has(component.name)) problems.push(`${where}: the name is used twice`);
        for (const { file } of componentFiles(component)) {
            if (seenFiles.has(file)) problems.push(`${where}: the file ${file} is used twice`);
            seenFiles.add(file);
        }
        seenNames.add(component.name);
        problems.push(...runtimeImageProblems(bom, component, where));
        for (const forbidden of FORBIDDEN_VERSIONS) {
            if (component.name === forbidden.component && forbidden.pattern.test(component.version))
                problems.push(`${where}: version ${component.version} is forbidden: ${forbidden.reason}`);
        }
    });
    return [...problems, ...clusterAutoscalerProblems(bom, file), ...objectStoreProblems(bom, file), ...backupProblems(bom, file)];
}

/** Each runtime image: a known source, listed once. */
function runtimeImageProblems(bom: Bom, component: BomComponent, where: string): string[] {
    const seen = new Set<string>();
    return component.runtimeImages.flatMap(({ image, source }, index) => {
        const at = `${where}: runtimeImages[${index}] (${image})`;
        const problems = bom.sources[source.from] ? [] : [`${at}: source.from "${source.from}" is not one of ${Object.keys(bom.sources).join(", ")}`];
        const normalized = normalizeImage(image)!.image;
        if (seen.has(normalized)) problems.push(`${at}: the image is listed twice`);
        seen.add(normalized);
        return problems;
    });
}

/** Each object-store pin: a known source whose tag is the image's. */
export function objectStoreProblems(bom: Bom, file: string): string[] {
    return Object.entries(bom.objectStore).flatMap(([name, pin]) => {
        const where = `${file}: objectStore.${name}`;
        const source = bom.sources[pin.source];
        if (!source) return [`${where}: source "${pin.source}" is not one of ${Object.keys(bom.sources).join(", ")}`];
        const tag = normalizeImage(pin.image)?.tag;
        return tag === source.tag
            ? []
            : [`${where}: the image is tagged ${tag ?? "(none)"}, but source "${pin.source}" is tag ${source.tag}; pin both to the same release`];
    });
}

/** Each backup pin: a known source, and an image a component's render runs, so the client is a bundled server's release. */
export function backupProblems(bom: Bom, file: string): string[] {
    const rendered = new Set(bom.components.flatMap((component) => component.images));
    return Object.entries(bom.backup).flatMap(([name, pin]) => {
        const where = `${file}: backup.${name}`;
        if (!bom.sources[pin.source]) return [`${where}: source "${pin.source}" is not one of ${Object.keys(bom.sources).join(", ")}`];
        return rendered.has(pin.image) ? [] : [`${where}: ${pin.image} is no component's image; pin the MySQL release a component runs`];
    });
}

/** Each cluster-autoscaler release: a known source whose tag is the image's version, on the minor it is listed under. */
export function clusterAutoscalerProblems(bom: Bom, file: string): string[] {
    return Object.entries(bom.clusterAutoscaler.releases).flatMap(([minor, release]) => {
        const where = `${file}: clusterAutoscaler.releases["${minor}"]`;
        const source = bom.sources[release.source];
        if (!source) return [`${where}: source "${release.source}" is not one of ${Object.keys(bom.sources).join(", ")}`];
        const tag = normalizeImage(release.image)?.tag;
        if (tag === undefined || !tag.startsWith(`v${minor}.`))
            return [`${where}: the image ${release.image} must be tagged v${minor}.<patch>: the autoscaler supports only its own Kubernetes minor`];
        return source.tag === `cluster-autoscaler-${tag.slice(1)}`
            ? []
            : [`${where}: the image is ${tag}, but source "${release.source}" is tag ${source.tag}; pin both to the same release`];
    });
}

/** Validated BOMs by file, with the sha256 of the bytes validated: plan, rules and commands share one load per process. */
const loaded = new Map<string, { sha256: string; bom: Bom }>();

/**
 * The BOM of `release` (e.g. "kubeflow-1.8.1"), validated; throws BomError naming what is wrong.
 * Loaded once per process and frozen, as every caller shares it; keyed by the file's sha256, not its
 * mtime, so an edit within the clock's granularity is still seen (hashing 30 KB costs far less than validating it).
 */
export function loadBom(release: string, directory = BOM_DIRECTORY): Bom {
    const file = join(directory, `${release}.yaml`);
    if (!/^[-a-z0-9.]+$/.test(release) || !existsSync(file)) {
        throw new BomError(`There is no bill of materials "${release}"; known releases: ${availableBoms(directory).join(", ")}.`);
    }
    const text = readFileSync(file);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const cached = loaded.get(file);
    if (cached?.sha256 === sha256) return cached.bom;
    const bom = deepFreeze(validated(file, text.toString("utf8")));
    loaded.set(file, { sha256, bom });
    return bom;
}

/** `value` with every object and array inside it frozen: a caller that changes the shared BOM fails at once. */
function deepFreeze<T>(value: T): T {
    if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
    for (const inner of Object.values(value)) deepFreeze(inner);
    return Object.freeze(value);
}

function validated(file: string, text: string): Bom {
    const result = BomSchema.safeParse(parse(text));
    if (!result.success) {
        throw new BomError(
            [`${file} is not a valid bill of materials:`, ...result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)].join("\n"),
        );
    }
    const problems = crossCheck(result.data, file);
    if (problems.length > 0) throw new BomError([`${file} is not a valid bill of materials:`, ...problems.map((p) => `  ${p}`)].join("\n"));
    return result.data;
}
