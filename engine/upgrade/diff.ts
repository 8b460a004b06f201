// The upgrade preview's core: two plans of one stack, on its current release
// and on another, compared as a cluster would see the change. Objects are
// matched by group, kind, namespace and name (an object that moves apiVersion
// within its group is changed, not removed and added); a change to a field the
// API server will not update means the object is replaced. Pure: the two sides
// in, the preview out (engine/upgrade/preview.ts plans them).
import { immutableFieldsChanged } from "../../core/immutable-fields";
import { normalizeImage } from "../../core/image-references";
import { type KubernetesObject, apiGroup, describeObject, objectKey } from "../../core/objects";
import { listOf } from "../../core/text";
import { volumeClaimsOf } from "../../core/volume-claims";
import { type CrdChange, crdChanges } from "./crd-versions";
import { changedPaths } from "./object-diff";

/** One side of the upgrade: a release as the stack installs it. */
export interface ReleaseSide {
    release: string;
    /** The Kubernetes window of the release as a whole. */
    kubernetes: { min: string; max: string };
    /** Windows of the release and its installed components that the stack's Kubernetes version falls outside, described for people. */
    windowsMissed: string[];
    /**
     * The installed components: the keys of the rendered objects the stack's customizations change or drop in each (the
     * plan's record, beside container resources), and the components of earlier releases each takes the place of.
     */
    components: { name: string; version: string; customizations: string[]; replaces: string[] }[];
    /** The Kubernetes objects the plan registers, each with the component it belongs to (null for kfstack's own). */
    objects: { object: KubernetesObject; component: string | null }[];
    /** Every image the plan deploys, normalized. */
    images: string[];
}

export interface UpgradeInput {
    stack: string;
    kubernetesVersion: string;
    /** Why the stack runs outside a window, when it says so (kfstack:kubeflow.acknowledgeKubernetesVersion). */
    acknowledged: string | null;
    from: ReleaseSide;
    to: ReleaseSide;
}

export interface ObjectRef {
    /** `<group>/<Kind>/<namespace>/<name>`, as core/objects.ts objectKey. */
    id: string;
    apiVersion: string;
    kind: string;
    namespace: string | null;
    name: string;
    component: string | null;
}

export interface ChangedObject extends ObjectRef {
    /** The apiVersion before, when the object moves to another version of its group. */
    fromApiVersion: string | null;
    /** Field paths that differ. */
    paths: string[];
}

export interface ReplacedObject extends ChangedObject {
    /** The changed fields the API server will not update in place (core/immutable-fields.ts). */
    immutable: string[];
    /** What is lost when the object is deleted and created again; null when nothing is. */
    dataAtRisk: string | null;
}

export interface ImageChange {
    /** `<registry>/<path>`, without tag or digest. */
    repository: string;
    /** Tags (or digests) before and after; empty on the side that does not run the repository. */
    from: string[];
    to: string[];
}

export interface BlockingItem {
    reason: "stateful-object-replaced" | "stored-crd-version-removed" | "customized-component-removed";
    /** The object, CRD or component concerned. */
    subject: string;
    message: string;
}

export interface ComponentVersion {
    name: string;
    version: string;
    /** Components of the other release whose place this one takes; absent when none. */
    replaces?: string[];
}

/** `npm run upgrade -- <stack> --to <release> --json`: exactly these keys. */
export interface UpgradePreview {
    stack: string;
    from: { release: string; components: ComponentVersion[] };
    to: { release: string; components: ComponentVersion[] };
    added: ObjectRef[];
    removed: ObjectRef[];
    changed: ChangedObject[];
    replaced: ReplacedObject[];
    crds: CrdChange[];
    images: ImageChange[];
    kubernetes: {
        version: string;
        from: { min: string; max: string };
        to: { min: string; max: string };
        insideWindow: boolean;
        windowsMissed: string[];
        acknowledged: string | null;
    };
    blocking: BlockingItem[];
}

/** The first `shown` items, then how many more. */
const truncatedList = (items: readonly string[], shown: number) =>
    items.length > shown ? [...items.slice(0, shown), `${items.length - shown} more`] : [...items];

function refOf(object: KubernetesObject, component: string | null): ObjectRef {
    const { namespace, name } = object.metadata;
    return { id: objectKey(object), apiVersion: object.apiVersion, kind: object.kind, namespace: namespace ?? null, name, component };
}

/** What deleting the object loses: its claims' volumes, or every object of a CRD. */
function dataAtRisk(object: KubernetesObject): string | null {
    const props = object as unknown as Record<string, unknown>;
    const { namespace, name } = object.metadata;
    const claims = volumeClaimsOf(object.kind, props, namespace ? `${namespace}/${name}` : name);
    if (object.kind === "StatefulSet" && claims.length > 0) {
        return `the volumes of ${claims.map((claim) => claim.template).join(", ")}: a StatefulSet created again keeps the old claims only if its volumeClaimTemplates still match them, and deletes them with persistentVolumeClaimRetentionPolicy whenDeleted: Delete`;
    }
    if (object.kind === "PersistentVolumeClaim")
        return `the volume of ${describeObject(object)}: deleting the claim deletes a dynamically provisioned volume (reclaimPolicy Delete)`;
    if (object.kind === "CustomResourceDefinition") return `every custom resource of ${describeObject(object)}: deleting the CRD deletes them all`;
    return null;
}

/** Added, removed, changed and replaced objects, each list sorted by id. */
export function objectChanges(from: ReleaseSide["objects"], to: ReleaseSide["objects"]) {
    const byId = (objects: ReleaseSide["objects"]) => new Map(objects.map((entry) => [objectKey(entry.object), entry]));
    const [before, after] = [byId(from), byId(to)];
    const added = [...after.values()].filter((entry) => !before.has(objectKey(entry.object))).map((entry) => refOf(entry.object, entry.component));
    const removed = [...before.values()].filter((entry) => !after.has(objectKey(entry.object))).map((entry) => refOf(entry.object, entry.component));
    const changed: ChangedObject[] = [];
    const replaced: ReplacedObject[] = [];
    for (const [id, old] of before) {
        const updated = after.get(id);
        if (!updated) continue;
        const { apiVersion: oldVersion, ...oldRest } = old.object;
        const { apiVersion: newVersion, ...newRest } = updated.object;
        const paths = changedPaths(oldRest, newRest);
        if (paths.length === 0 && oldVersion === newVersion) continue;
        const entry = { ...refOf(updated.object, updated.component), fromApiVersion: oldVersion === newVersion ? null : oldVersion, paths };
        const immutable = immutableFieldsChanged(`${apiGroup(newVersion)}/${updated.object.kind}`, paths);
        if (immutable.length > 0) replaced.push({ ...entry, immutable, dataAtRisk: dataAtRisk(old.object) });
        else changed.push(entry);
    }
    const sorted = <T extends ObjectRef>(list: T[]) => list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { added: sorted(added), removed: sorted(removed), changed: sorted(changed), replaced: sorted(replaced) };
}

/** Per repository, the tags or digests that run before and after, for every repository whose set differs. */
export function imageChanges(from: readonly string[], to: readonly string[]): ImageChange[] {
    const byRepository = (images: readonly string[]) => {
        const map = new Map<string, string[]>();
        for (const image of images) {
            const normalized = normalizeImage(image);
            if (!normalized) continue;
            const repository = `${normalized.registry}/${normalized.path}`;
            const version = normalized.digest ?? normalized.tag ?? "(untagged)";
            map.set(repository, [...(map.get(repository) ?? []), version].sort());
        }
        return map;
    };
    const [before, after] = [byRepository(from), byRepository(to)];
    return [...new Set([...before.keys(), ...after.keys()])]
        .sort()
        .map((repository) => ({ repository, from: before.get(repository) ?? [], to: after.get(repository) ?? [] }))
        .filter((change) => JSON.stringify(change.from) !== JSON.stringify(change.to));
}

function blockingItems(input: UpgradeInput, replaced: ReplacedObject[], crds: CrdChange[]): BlockingItem[] {
    const shipped = new Set(input.to.components.flatMap((component) => [component.name, ...component.replaces]));
    return [
        ...replaced
            .filter((object) => object.dataAtRisk !== null)
            .map((object) => ({
                reason: "stateful-object-replaced" as const,
                subject: object.id,
                message: `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name} must be replaced (${object.immutable.join(", ")} cannot change in place), which puts at risk ${object.dataAtRisk}.`,
            })),
        ...crds
            .filter((crd) => crd.storedVersionRemoved)
            .map((crd) => ({ reason: "stored-crd-version-removed" as const, subject: crd.name, message: `${crd.migration!}.` })),
        ...input.from.components
            .filter((component) => component.customizations.length > 0 && !shipped.has(component.name))
            .map((component) => ({
                reason: "customized-component-removed" as const,
                subject: component.name,
                message: `The stack customizes ${component.customizations.length} object${component.customizations.length === 1 ? "" : "s"} of ${component.name} ${component.version} (${listOf(truncatedList(component.customizations, 3))}), but ${input.to.release} ships no ${component.name} and nothing that replaces it; carry the customization over to what takes its place, or drop it, before upgrading.`,
            })),
    ];
}

/** The preview of moving `input.stack` from one release to the other. */
export function upgradeDiff(input: UpgradeInput): UpgradePreview {
    const objects = objectChanges(input.from.objects, input.to.objects);
    const kubeObjects = (side: ReleaseSide) => side.objects.map((entry) => entry.object);
    const crds = crdChanges(kubeObjects(input.from), kubeObjects(input.to));
    const components = (side: ReleaseSide) => ({
        release: side.release,
        components: side.components.map(({ name, version, replaces }) => ({ name, version, ...(replaces.length ? { replaces } : {}) })),
    });
    return {
        stack: input.stack,
        from: components(input.from),
        to: components(input.to),
        ...objects,
        crds,
        images: imageChanges(input.from.images, input.to.images),
        kubernetes: {
            version: input.kubernetesVersion,
            from: input.from.kubernetes,
            to: input.to.kubernetes,
            insideWindow: input.to.windowsMissed.length === 0,
            windowsMissed: input.to.windowsMissed,
            acknowledged: input.acknowledged,
        },
        blocking: blockingItems(input, objects.replaced, crds),
    };
}
