// What an upgrade does to each CustomResourceDefinition's versions: which are
// added and removed, and whether the storage version moves. The API server
// keeps every custom resource in the version that was the storage version
// when it was last written; a release that drops that version from the CRD
// leaves objects the server can no longer read (the apiextensions API refuses
// to drop a version still listed in status.storedVersions), and deleting a CRD deletes every object of it.
import type { KubernetesObject } from "../../core/objects";
import { arrayAt, isRecord, recordAt } from "../../core/records";

export interface CrdChange {
    /** metadata.name: `<plural>.<group>`. */
    name: string;
    kind: string;
    /** Added or removed as a whole, or kept with different versions. */
    status: "added" | "removed" | "changed";
    versionsAdded: string[];
    versionsRemoved: string[];
    /** The storage version before and after; null on the side without the CRD. */
    storage: { from: string | null; to: string | null };
    /** What happens to the objects stored before the upgrade; null when nothing does. */
    migration: string | null;
    /** The version the objects are stored at is gone after the upgrade: they cannot be read, or are deleted with the CRD. */
    storedVersionRemoved: boolean;
}

interface CrdVersions {
    kind: string;
    versions: string[];
    storage: string | null;
}

function versionsOf(crd: KubernetesObject): CrdVersions {
    const spec = recordAt(crd, "spec");
    const versions = arrayAt(spec, "versions").filter(isRecord);
    const storage = versions.find((version) => version["storage"] === true)?.["name"];
    const kind = recordAt(spec, "names")["kind"];
    return {
        kind: typeof kind === "string" ? kind : crd.metadata.name,
        versions: versions.map((version) => String(version["name"])),
        storage: typeof storage === "string" ? storage : null,
    };
}

function migrationOf(name: string, before: CrdVersions | undefined, after: CrdVersions | undefined): string | null {
    const kind = (before ?? after)!.kind;
    if (!before?.storage) return null;
    if (!after) return `${kind} objects stored as ${before.storage} are deleted with the CRD ${name}; back them up, or keep the CRD, before upgrading`;
    if (!after.versions.includes(before.storage)) {
        return `${kind} objects stored as ${before.storage} cannot be read once ${before.storage} is gone; migrate them to ${after.storage ?? "a kept version"} (kube-storage-version-migrator, or read and write each one) and clear status.storedVersions before upgrading`;
    }
    if (after.storage !== before.storage) {
        return `${kind} objects stay stored as ${before.storage} until each is written again; migrate them to ${after.storage} before a later release drops ${before.storage}`;
    }
    return null;
}

/** The CRDs whose versions or storage version differ between the two sets of objects, or that only one has, by name. */
export function crdChanges(before: readonly KubernetesObject[], after: readonly KubernetesObject[]): CrdChange[] {
    const crds = (objects: readonly KubernetesObject[]) =>
        new Map(objects.filter((object) => object.kind === "CustomResourceDefinition").map((crd) => [crd.metadata.name, versionsOf(crd)]));
    const [old, updated] = [crds(before), crds(after)];
    const names = [...new Set([...old.keys(), ...updated.keys()])].sort();
    return names.flatMap((name): CrdChange[] => {
        const [from, to] = [old.get(name), updated.get(name)];
        const versionsAdded = (to?.versions ?? []).filter((version) => !from?.versions.includes(version));
        const versionsRemoved = (from?.versions ?? []).filter((version) => !to?.versions.includes(version));
        if (from && to && versionsAdded.length === 0 && versionsRemoved.length === 0 && from.storage === to.storage) return [];
        return [
            {
                name,
                kind: (from ?? to)!.kind,
                status: !from ? "added" : !to ? "removed" : "changed",
                versionsAdded,
                versionsRemoved,
                storage: { from: from?.storage ?? null, to: to?.storage ?? null },
                migration: migrationOf(name, from, to),
                storedVersionRemoved: from?.storage != null && versionsRemoved.includes(from.storage),
            },
        ];
    });
}
