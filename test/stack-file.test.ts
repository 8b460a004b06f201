// Reading Pulumi.yaml and stack files as the Pulumi CLI would hand them to the program.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StackFileError, listStacks, loadStackSettings } from "../engine/stack-file";

function project(files: Record<string, string>): string {
    const directory = mkdtempSync(join(tmpdir(), "kfstack-stackfile-"));
    writeFileSync(join(directory, "Pulumi.yaml"), "name: demo\nruntime: nodejs\n");
    for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
    return directory;
}

describe("stack files", () => {
    it("passes scalars as strings and structured values as JSON, keyed by namespace", () => {
        const projectDir = project({ "Pulumi.a.yaml": "config:\n  demo:size: 3\n  demo:name: x\n  other:flag: true\n  demo:zones: [a, b]\n" });
        expect(loadStackSettings("a", { projectDir })).toEqual({
            project: "demo",
            stack: "a",
            file: join(projectDir, "Pulumi.a.yaml"),
            config: { "demo:size": "3", "demo:name": "x", "other:flag": "true", "demo:zones": '["a","b"]' },
            secretKeys: [],
        });
    });

    it("replaces secure values, nested ones included, by marked placeholders and flags their keys secret", () => {
        const projectDir = project({
            "Pulumi.a.yaml": "config:\n  demo:token:\n    secure: v1:abc\n  demo:identity:\n    admin: root\n    password:\n      secure: v1:def\n",
        });
        const settings = loadStackSettings("a", { projectDir });
        expect(settings.config).toEqual({
            "demo:token": "[secret demo:token]",
            "demo:identity": '{"admin":"root","password":"[secret demo:identity.password]"}',
        });
        expect(settings.secretKeys).toEqual(["demo:token", "demo:identity"]);
    });

    it("names the missing stack file and lists the stacks that exist", () => {
        const projectDir = project({ "Pulumi.a.yaml": "config: {}\n", "Pulumi.b.yaml": "config: {}\n" });
        expect(listStacks(projectDir)).toEqual(["a", "b"]);
        expect(() => loadStackSettings("c", { projectDir })).toThrow(
            new StackFileError(`There is no stack "c": ${join(projectDir, "Pulumi.c.yaml")} does not exist. Stacks here: a, b.`),
        );
    });

    it("points at the line of a YAML syntax error", () => {
        const projectDir = project({ "Pulumi.a.yaml": "config:\n  demo:a: 1\n  demo:b: [1, 2\n" });
        expect(() => loadStackSettings("a", { projectDir })).toThrow(
            new StackFileError(
                `${join(projectDir, "Pulumi.a.yaml")}:4:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ].`,
            ),
        );
    });

    it("rejects a stack file whose config is not a mapping", () => {
        const projectDir = project({ "Pulumi.a.yaml": "config: [1, 2]\n" });
        expect(() => loadStackSettings("a", { projectDir })).toThrow(
            new StackFileError(`${join(projectDir, "Pulumi.a.yaml")}: expected a mapping with a "config:" section of key: value pairs.`),
        );
    });
});
