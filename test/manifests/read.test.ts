import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BomComponent } from "../../components/bom/schema";
import { CACHE_DIR_ENV, ParsedManifestCache, parsedCacheDirectory } from "../../components/manifests/parsed-cache";
import { readComponent } from "../../components/manifests/read";

const BOM = { release: "kubeflow-test" };

const YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: demo
data:
  mode: upstream
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: demo
    spec:
      ports: [{ port: 80 }]
`;

const EXPECTED = [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "demo" }, data: { mode: "upstream" } },
    { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "demo" }, spec: { ports: [{ port: 80 }] } },
];

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A manifests directory holding one rendered file, and the BOM entry that pins it. */
function manifests(root: string, text: string): { directory: string; component: BomComponent } {
    const directory = join(root, "manifests");
    mkdirSync(join(directory, "demo"), { recursive: true });
    writeFileSync(join(directory, "demo", "demo.yaml"), text);
    const component = { name: "demo", version: "v1", source: "demo", path: "demo", file: "demo/demo.yaml", sha256: sha256(text), images: [] };
    return { directory, component: component as unknown as BomComponent };
}

let root: string;
/** A cache as a new process makes it: nothing in memory, whatever the cache folder holds. */
const cache = () => new ParsedManifestCache(join(root, "cache"));
const entryOf = (text: string) => join(root, "cache", `${sha256(text)}.json`);
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "kfstack-read-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("readComponent", () => {
    it("reads the objects of a rendered file, a List's items each as its own object", () => {
        const { directory, component } = manifests(root, YAML);
        expect(readComponent(directory, BOM, component, cache())).toEqual(EXPECTED);
    });

    it("gives every read its own copy: a layer changing the objects it read leaves the next read as upstream rendered it", () => {
        const { directory, component } = manifests(root, YAML);
        const shared = cache();
        for (let plan = 0; plan < 3; plan++) {
            const objects = readComponent(directory, BOM, component, shared);
            expect(objects).toEqual(EXPECTED);
            (objects[0]!["data"] as Record<string, string>)["mode"] = "customized";
            objects[1]!.metadata.labels = { changed: "yes" };
            objects.pop();
        }
    });
});

describe("the parsed-manifest cache", () => {
    it("gives a later process the objects from the cache folder, not from the YAML", () => {
        const { directory, component } = manifests(root, YAML);
        readComponent(directory, BOM, component, cache());
        // Rewrite the entry as the cache would for other objects: only a read of the entry can return them.
        const [header, json] = readFileSync(entryOf(YAML), "utf8").split(/\n(.*)/s) as [string, string];
        const changed = json.replace('"upstream"', '"from-cache"');
        const [format, yamlSha256] = header.split(" ");
        writeFileSync(entryOf(YAML), `${format} ${yamlSha256} ${sha256(changed)}\n${changed}`);
        expect(readComponent(directory, BOM, component, cache())[0]!["data"]).toEqual({ mode: "from-cache" });
    });

    it("misses for a changed file: the entry is named by the sha256 of the YAML bytes", () => {
        const { directory, component } = manifests(root, YAML);
        readComponent(directory, BOM, component, cache());
        const changed = manifests(root, YAML.replace("mode: upstream", "mode: changed"));
        expect(readComponent(changed.directory, BOM, changed.component, cache())[0]!["data"]).toEqual({ mode: "changed" });
        expect(readdirSync(join(root, "cache")).sort()).toEqual([`${sha256(YAML)}.json`, `${changed.component.sha256}.json`].sort());
    });

    it.each([
        ["cut short, as by a crash mid-write", (entry: string) => entry.slice(0, entry.length / 2)],
        ["changed after it was written", (entry: string) => entry.replace('"upstream"', '"tampered"')],
        ["not an entry at all", () => "{}"],
    ])("ignores an entry %s, parses the YAML and writes the entry again", (_case, corrupt) => {
        const { directory, component } = manifests(root, YAML);
        readComponent(directory, BOM, component, cache());
        const intact = readFileSync(entryOf(YAML), "utf8");
        writeFileSync(entryOf(YAML), corrupt(intact));
        expect(readComponent(directory, BOM, component, cache())).toEqual(EXPECTED);
        expect(readFileSync(entryOf(YAML), "utf8")).toBe(intact);
    });

    it("reads a read-only manifests directory, writing nothing there, and works without a writable cache folder", () => {
        const { directory, component } = manifests(root, YAML);
        chmodSync(join(directory, "demo"), 0o555);
        chmodSync(directory, 0o555);
        writeFileSync(join(root, "not-a-folder"), "");
        const unwritable = new ParsedManifestCache(join(root, "not-a-folder", "cache"));
        expect(readComponent(directory, BOM, component, unwritable)).toEqual(EXPECTED);
        expect(readComponent(directory, BOM, component, cache())).toEqual(EXPECTED);
        expect(readdirSync(directory, { recursive: true })).toEqual(["demo", join("demo", "demo.yaml")]);
        chmodSync(directory, 0o755);
        chmodSync(join(directory, "demo"), 0o755);
    });

    it("lives in KFSTACK_CACHE_DIR, else the user's cache folder, beside the default manifests directory", () => {
        expect(parsedCacheDirectory({ [CACHE_DIR_ENV]: "/var/cache/ci", XDG_CACHE_HOME: "/home/u/.xdg" })).toBe("/var/cache/ci/parsed");
        expect(parsedCacheDirectory({ XDG_CACHE_HOME: "/home/u/.xdg" })).toBe("/home/u/.xdg/kfstack/parsed");
    });
});
