// Fields a controller owns once the object is installed (components/bom/controller-owned-fields.yaml): which objects a
// rule of that table selects, which of its fields an object sets, and whether a resource's ignoreChanges covers them.
// The program drops or ignores these fields, DRIFT-01 checks the plan against the same rules, and both read them here.
import { type KubernetesObject, apiGroup } from "./objects";
import { isRecord } from "./records";

/** One row of the table: a controller, the objects it writes to, and the fields it writes. */
export interface ControllerOwnedField {
    /** Who writes the fields after install, as a reader would name it ("cert-manager cainjector"). */
    controller: string;
    /** `<group>/<Kind>` of the objects, the core group empty (`/Secret`). */
    kinds: string[];
    /** Which objects of those kinds; every one when none is given. */
    select: ObjectSelection;
    /** Pulumi property paths: `.` between keys, `[*]` for every element of a list (`webhooks[*].clientConfig.caBundle`). */
    paths: string[];
    /**
     * `remove`: kfstack never sends the fields (the controller fills them in). `ignoreChanges`: the object must be created
     * with the upstream value (say, `failurePolicy: Ignore` until istiod is ready), and Pulumi ignores it afterwards.
     */
    handling: "remove" | "ignoreChanges";
    /** Where upstream says or shows that the controller writes the fields. */
    source: string;
    why: string;
}

export interface ObjectSelection {
    /** Objects carrying any of these annotations (cert-manager's `inject-ca-from`). */
    annotations?: string[];
    /** Objects whose label has one of the values. */
    labels?: Record<string, string[]>;
    /** Objects that carry the label, whatever its value. */
    labelKeys?: string[];
    /** Objects named so: `namespace/name`, or `name` when cluster-scoped. */
    names?: string[];
    /**
     * Objects another object names, in the same namespace: at `path` of an object of `kind`, either the name or a reference
     * with `name` (and `kind`, which must then be the object's). An HPA's `spec.scaleTargetRef`, a Certificate's `spec.secretName`.
     */
    referencedBy?: { kind: string; path: string };
}

/** `<group>/<Kind>` of an object, as the table names kinds. */
export function groupKindOf(object: Pick<KubernetesObject, "apiVersion" | "kind">): string {
    return `${apiGroup(object.apiVersion)}/${object.kind}`;
}

/** A property path as segments; `*` stands for every element of a list. */
function segmentsOf(path: string): string[] {
    return path
        .replace(/\[(\*|\d+)\]/g, ".$1")
        .split(".")
        .filter((segment) => segment !== "");
}

/** The values an object sets at a path, each with the concrete path it sits at (`webhooks[0].clientConfig.caBundle`). */
export function valuesAt(object: unknown, path: string): { path: string; value: unknown }[] {
    let found: { path: string; value: unknown }[] = [{ path: "", value: object }];
    for (const segment of segmentsOf(path)) {
        found = found.flatMap(({ path: at, value }) => {
            if (segment === "*") return Array.isArray(value) ? value.map((element, index) => ({ path: `${at}[${index}]`, value: element as unknown })) : [];
            if (!isRecord(value) || value[segment] === undefined) return [];
            return [{ path: at ? `${at}.${segment}` : segment, value: value[segment] }];
        });
    }
    return found;
}

/** Removes what an object sets at a path (every element's, through `[*]`). */
export function removeAt(object: unknown, path: string): void {
    const segments = segmentsOf(path);
    const last = segments.pop()!;
    for (const { value } of valuesAt(object, segments.join("."))) {
        if (isRecord(value)) delete value[last];
    }
}

/** Whether an ignoreChanges entry covers a concrete path: the same path or one of its parents, `[*]` matching any element. */
export function ignoreChangesCovers(ignoreChanges: readonly string[], path: string): boolean {
    const concrete = segmentsOf(path);
    return ignoreChanges.some((entry) => {
        const ignored = segmentsOf(entry);
        return ignored.length <= concrete.length && ignored.every((segment, index) => segment === "*" || segment === concrete[index]);
    });
}

const nameOf = (object: KubernetesObject) => (object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name);

/** What objects of `kind` name at `path`, in their own namespace: `kind/namespace/name`, kind empty when the reference does not say. */
function referencedNames(objects: readonly KubernetesObject[], { kind, path }: { kind: string; path: string }): Set<string> {
    const names = objects
        .filter((object) => groupKindOf(object) === kind)
        .flatMap((object) =>
            valuesAt(object, path).flatMap(({ value }) => {
                const namespace = object.metadata.namespace ?? "";
                if (typeof value === "string") return [`/${namespace}/${value}`];
                return isRecord(value) && typeof value["name"] === "string"
                    ? [`${typeof value["kind"] === "string" ? value["kind"] : ""}/${namespace}/${value["name"]}`]
                    : [];
            }),
        );
    return new Set(names);
}

/** The rows of the table that apply to objects, given every object installed with them (for references between them). */
export class ControllerOwnership {
    /** Per row (by index) with `referencedBy`: `kind/namespace/name` of each object it references (kind empty when unsaid). */
    private readonly referenced: ReadonlyMap<number, ReadonlySet<string>>;

    constructor(
        readonly rows: readonly ControllerOwnedField[],
        objects: readonly KubernetesObject[],
    ) {
        // By index: rows read through a policy's unknown-checking proxy are a new object at each access.
        this.referenced = new Map(
            rows.flatMap((row, index) => (row.select.referencedBy ? [[index, referencedNames(objects, row.select.referencedBy)] as const] : [])),
        );
    }

    private selects(row: ControllerOwnedField, index: number, object: KubernetesObject): boolean {
        const { annotations, labels, labelKeys, names, referencedBy } = row.select;
        const ownAnnotations = object.metadata.annotations ?? {};
        const ownLabels = object.metadata.labels ?? {};
        if (annotations && !annotations.some((key) => key in ownAnnotations)) return false;
        if (labels && !Object.entries(labels).every(([key, values]) => values.includes(ownLabels[key] ?? ""))) return false;
        if (labelKeys && !labelKeys.every((key) => key in ownLabels)) return false;
        if (names && !names.includes(nameOf(object))) return false;
        if (referencedBy) {
            const references = this.referenced.get(index)!;
            const where = `/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
            if (!references.has(where) && !references.has(`${object.kind}${where}`)) return false;
        }
        return true;
    }

    /** The rows that apply to an object. */
    rowsFor(object: KubernetesObject): ControllerOwnedField[] {
        const kind = groupKindOf(object);
        return this.rows.filter((row, index) => row.kinds.includes(kind) && this.selects(row, index, object));
    }

    /** What kfstack leaves out of an object's inputs, and what it asks Pulumi to ignore after create. */
    handlingOf(object: KubernetesObject): { remove: string[]; ignoreChanges: string[] } {
        const rows = this.rowsFor(object);
        const paths = (handling: ControllerOwnedField["handling"]) => rows.filter((row) => row.handling === handling).flatMap((row) => row.paths);
        return { remove: paths("remove"), ignoreChanges: paths("ignoreChanges") };
    }

    /** The fields an object sets that its controller owns and the resource's ignoreChanges does not cover: what DRIFT-01 fails. */
    ownedFieldsSet(object: KubernetesObject, ignoreChanges: readonly string[]): { row: ControllerOwnedField; pattern: string; path: string }[] {
        return this.rowsFor(object).flatMap((row) =>
            row.paths.flatMap((pattern) =>
                valuesAt(object, pattern)
                    .filter((found) => !ignoreChangesCovers(ignoreChanges, found.path))
                    .map(({ path }) => ({ row, pattern, path })),
            ),
        );
    }
}
