// `kfstack upgrade <stack> --to <release>`: what moving a stack to another
// release would change, grouped and counted for a person (or as JSON), and
// exit 1 when anything blocks the upgrade.
import { writeFileSync } from "node:fs";
import type { ChangedObject, ImageChange, ObjectRef, UpgradePreview } from "../engine/upgrade/diff";
import { previewUpgrade } from "../engine/upgrade/preview";
import { EXIT_INVALID } from "./errors";
import { markdownTable } from "./format";

export interface UpgradeOptions {
    to: string;
    config?: string;
    json?: string;
}

/** Lists longer than this are cut, ending with "and N more" (the JSON has them all). */
const SHOWN = 8;

function truncated<T>(items: readonly T[], show: (item: T) => string, limit = SHOWN, noun = ""): string[] {
    return [...items.slice(0, limit).map(show), ...(items.length > limit ? [`and ${items.length - limit} more${noun}`] : [])];
}

const named = (object: ObjectRef) => `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;

function byComponent<T extends ObjectRef>(objects: readonly T[]): [string, T[]][] {
    const groups = new Map<string, T[]>();
    for (const object of objects) groups.set(object.component ?? "(kfstack's own)", [...(groups.get(object.component ?? "(kfstack's own)") ?? []), object]);
    return [...groups.entries()].sort(([, a], [, b]) => b.length - a.length);
}

function objectSection<T extends ObjectRef>(title: string, objects: readonly T[], show: (object: T) => string): string[] {
    if (objects.length === 0) return [];
    const groups = byComponent(objects);
    return [
        "",
        `${title} (${objects.length}), by component:`,
        ...truncated(
            groups,
            ([component, members]) => [`  ${component} (${members.length}):`, ...truncated(members, show).map((line) => `    ${line}`)].join("\n"),
            12,
            " components",
        ),
    ];
}

const changeLine = (object: ChangedObject) =>
    `${named(object)}${object.fromApiVersion ? ` (${object.fromApiVersion} → ${object.apiVersion})` : ""}: ${truncated(object.paths, (path) => path, 4).join(", ")}`;

function componentTable(preview: UpgradePreview): string[] {
    const before = new Map(preview.from.components.map((component) => [component.name, component.version]));
    const after = new Map(
        preview.to.components.map((component) => [
            component.name,
            `${component.version}${component.replaces ? ` (replaces ${component.replaces.join(", ")})` : ""}`,
        ]),
    );
    const names = [...new Set([...before.keys(), ...after.keys()])];
    const differing = names.filter((name) => before.get(name) !== after.get(name));
    return [
        `Components: ${differing.length} differ, ${names.length - differing.length} unchanged.`,
        ...(differing.length
            ? [
                  markdownTable(
                      ["component", preview.from.release, preview.to.release],
                      differing.map((name) => [name, before.get(name) ?? "-", after.get(name) ?? "-"]),
                  ),
              ]
            : []),
    ];
}

/** A tag, or a digest cut to a length a person compares by eye. */
const version = (tag: string) => (tag.startsWith("sha256:") ? `${tag.slice(0, 19)}…` : tag);
const transition = (change: ImageChange) => `${change.from.map(version).join(", ") || "-"} → ${change.to.map(version).join(", ") || "-"}`;

/** Image changes by the folder of their repositories, one line per move: KFP's repositories that go 2.0.5 → 2.3.0 are one line. */
function imageLines(images: readonly ImageChange[]): string[] {
    const moves = new Map<string, { folder: string; names: string[]; move: string }>();
    for (const change of images) {
        const cut = change.repository.lastIndexOf("/");
        const [folder, name, move] = [change.repository.slice(0, cut), change.repository.slice(cut + 1), transition(change)];
        const entry = moves.get(`${folder} ${move}`) ?? { folder, names: [], move };
        moves.set(`${folder} ${move}`, { ...entry, names: [...entry.names, name] });
    }
    return [...moves.values()].map(({ folder, names, move }) =>
        names.length === 1 ? `  ${folder}/${names[0]}: ${move}` : `  ${folder}/{${truncated(names, (name) => name, 4).join(", ")}}: ${move}`,
    );
}

function crdAndImageSections(preview: UpgradePreview): string[] {
    const crdRows = preview.crds.map((crd) => [
        crd.name,
        crd.status,
        crd.versionsAdded.join(", ") || "-",
        crd.versionsRemoved.join(", ") || "-",
        crd.storage.from === crd.storage.to ? (crd.storage.to ?? "-") : `${crd.storage.from ?? "-"} → ${crd.storage.to ?? "-"}`,
    ]);
    return [
        ...(crdRows.length
            ? ["", `CRDs (${crdRows.length}):`, markdownTable(["CRD", "change", "versions added", "versions removed", "storage"], crdRows)]
            : []),
        ...preview.crds.filter((crd) => crd.migration && !crd.storedVersionRemoved).map((crd) => `  ${crd.name}: ${crd.migration}`),
        ...(preview.images.length
            ? ["", `Images (${preview.images.length} repositories change, ${preview.from.release} → ${preview.to.release}):`, ...imageLines(preview.images)]
            : []),
    ];
}

function kubernetesLine({ kubernetes, from, to }: UpgradePreview): string {
    const window = kubernetes.insideWindow
        ? `inside it`
        : `outside it (${kubernetes.windowsMissed.join("; ")})${kubernetes.acknowledged ? `; acknowledged: ${kubernetes.acknowledged.replace(/\.$/, "")}` : ""}`;
    return `Kubernetes: the stack runs ${kubernetes.version}; ${from.release} supports ${kubernetes.from.min}–${kubernetes.from.max}, ${to.release} supports ${kubernetes.to.min}–${kubernetes.to.max}: ${window}.`;
}

export function renderUpgrade(preview: UpgradePreview): string {
    const { added, removed, changed, replaced, blocking } = preview;
    return [
        `Upgrade preview of stack ${preview.stack}: ${preview.from.release} → ${preview.to.release}, computed offline.`,
        "",
        ...componentTable(preview),
        "",
        `Objects: ${added.length} added, ${removed.length} removed, ${changed.length} changed in place, ${replaced.length} replaced.`,
        ...objectSection("Added", added, named),
        ...objectSection("Removed", removed, named),
        ...objectSection("Changed", changed, changeLine),
        ...objectSection(
            "Replaced (deleted and created again)",
            replaced,
            (object) => `${named(object)}: ${object.immutable.join(", ")} cannot change in place`,
        ),
        ...crdAndImageSections(preview),
        "",
        kubernetesLine(preview),
        "",
        ...(blocking.length
            ? [`${blocking.length} blocking:`, ...blocking.map((item) => `  [${item.reason}] ${item.message}`)]
            : ["Nothing blocks the upgrade."]),
    ].join("\n");
}

export async function upgradeCommand(stack: string, options: UpgradeOptions): Promise<void> {
    const preview = await previewUpgrade(stack, options.to, options.config ? { configFile: options.config } : {});
    if (options.json) writeFileSync(options.json, `${JSON.stringify(preview, null, 2)}\n`);
    console.log(renderUpgrade(preview));
    if (options.json) console.log(`\nWrote the preview JSON to ${options.json}.`);
    if (preview.blocking.length > 0) process.exitCode = EXIT_INVALID;
}
