// Loads a bill of materials by release name from components/bom/<release>.yaml.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { normalizeImage } from "../../core/image-references";
import { type Bom, BomSchema, componentFiles } from "./schema";

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

export function availableBoms(): string[] {
    return readdirSync(BOM_DIRECTORY)
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
        for (const forbidden of FORBIDDEN_VERSIONS) {
            if (component.name === forbidden.component && forbidden.pattern.test(component.version))
                problems.push(`${where}: version ${component.version} is forbidden: ${forbidden.reason}`);
        }
    });
    return [...problems, ...clusterAutoscalerProblems(bom, file)];
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

/** The BOM of `release` (e.g. "kubeflow-1.8.1"), validated; throws BomError naming what is wrong. */
export function loadBom(release: string): Bom {
    const file = join(BOM_DIRECTORY, `${release}.yaml`);
    if (!/^[-a-z0-9.]+$/.test(release) || !existsSync(file)) {
        throw new BomError(`There is no bill of materials "${release}"; known releases: ${availableBoms().join(", ")}.`);
    }
    const result = BomSchema.safeParse(parse(readFileSync(file, "utf8")));
    if (!result.success) {
        throw new BomError(
            [`${file} is not a valid bill of materials:`, ...result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)].join("\n"),
        );
    }
    const problems = crossCheck(result.data, file);
    if (problems.length > 0) throw new BomError([`${file} is not a valid bill of materials:`, ...problems.map((p) => `  ${p}`)].join("\n"));
    return result.data;
}
