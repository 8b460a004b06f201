import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BomComponent } from "../../components/bom/schema";
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
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "kfstack-read-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("readComponent", () => {
    it("reads the objects of a rendered file, a List's items each as its own object", () => {
        const { directory, component } = manifests(root, YAML);
        expect(readComponent(directory, BOM, component)).toEqual(EXPECTED);
    });

    it("gives every read its own copy: a layer changing the objects it read leaves the next read as upstream rendered it", () => {
        const { directory, component } = manifests(root, YAML);
        for (let plan = 0; plan < 3; plan++) {
            const objects = readComponent(directory, BOM, component);
            expect(objects).toEqual(EXPECTED);
            (objects[0]!["data"] as Record<string, string>)["mode"] = "customized";
            objects[1]!.metadata.labels = { changed: "yes" };
            objects.pop();
        }
    });
});
