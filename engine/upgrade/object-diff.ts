// Where two versions of one Kubernetes object differ, as field paths a person
// can find in the YAML: `spec.template.spec.containers[name=manager].image`,
// `data["config.yaml"]`. Lists of named items (containers, env, ports, CRD
// versions) are matched by name, so an insertion does not read as every later
// item changing. Pure: plain objects in, paths out.
import { isRecord } from "../../core/records";

/** Paths stop at this many segments: a CRD's schema or a dashboard's JSON is summarized by the part that changed, not every leaf. */
const MAX_DEPTH = 8;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

function keyPath(path: string, key: string): string {
    if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
    return path ? `${path}.${key}` : key;
}

/** The names of a list's items when every item has a distinct string `name`; undefined otherwise. */
function namesOf(items: unknown[]): string[] | undefined {
    const names = items.map((item) => (isRecord(item) && typeof item["name"] === "string" ? item["name"] : undefined));
    if (names.some((name) => name === undefined)) return undefined;
    return new Set(names).size === names.length ? (names as string[]) : undefined;
}

function listPaths(before: unknown[], after: unknown[], path: string, depth: number): string[] {
    const [beforeNames, afterNames] = [namesOf(before), namesOf(after)];
    if (beforeNames && afterNames && (before.length > 0 || after.length > 0)) {
        const names = [...new Set([...beforeNames, ...afterNames])];
        return names.flatMap((name) => pathsAt(before[beforeNames.indexOf(name)], after[afterNames.indexOf(name)], `${path}[name=${name}]`, depth + 1));
    }
    return Array.from({ length: Math.max(before.length, after.length) }, (_, index) =>
        pathsAt(before[index], after[index], `${path}[${index}]`, depth + 1),
    ).flat();
}

function pathsAt(before: unknown, after: unknown, path: string, depth: number): string[] {
    if (before === after) return [];
    if (depth >= MAX_DEPTH) return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
    if (isRecord(before) && isRecord(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => pathsAt(before[key], after[key], keyPath(path, key), depth + 1));
    }
    if (Array.isArray(before) && Array.isArray(after)) return listPaths(before, after, path, depth);
    return [path];
}

/** Every field path at which `after` differs from `before` (added, removed or changed), in document order, deduplicated. */
export function changedPaths(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    return [...new Set(pathsAt(before, after, "", 0))];
}
