// `manifests pull` against small local git repositories the test creates
// (test/manifests-pull-fixtures.ts).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { availableBoms } from "../components/bom/load";
import { findRenderer } from "../components/bom/kustomize";
import { pullManifests } from "../components/bom/pull";
import { projectDirectory } from "../engine/stack-file";
import { copyBom, EXPORTER_FILES, filesUnder, type Fixture, makeRepositories, quiet, RENDERED, scratch, sha256, testBom } from "./manifests-pull-fixtures";
import { toolsRequirement } from "./requirements";

const kubectl = toolsRequirement(["kubectl"], "the manifests pull tests that render");
/** Tests that render: skipped without kubectl, failed instead when KFSTACK_REQUIRE_TOOLS=1. */
const itRenders = kubectl.skip ? it.skip : it;
const needKubectl = kubectl.assert;

/** A manifests cache holding an earlier pull of one file; `expectUntouched` asserts that a failed pull left it as it was. */
function cacheWithEarlierPull(file: string) {
    const parent = scratch();
    const outDir = join(parent, "manifests-cache");
    mkdirSync(join(outDir, dirname(file)), { recursive: true });
    writeFileSync(join(outDir, file), "an earlier pull\n");
    const expectUntouched = () => {
        expect(readdirSync(parent)).toEqual(["manifests-cache"]);
        expect(filesUnder(parent)).toEqual([`manifests-cache/${file}`]);
        expect(readFileSync(join(outDir, file), "utf8")).toBe("an earlier pull\n");
    };
    return { outDir, expectUntouched };
}

describe("pullManifests", () => {
    let fixture: Fixture;
    beforeAll(() => {
        fixture = makeRepositories();
    });

    itRenders("writes every component's render, skipped ones included, byte for byte at its file", async () => {
        needKubectl();
        const outDir = join(scratch(), "manifests-cache");
        const progress: string[] = [];
        const result = await pullManifests(testBom(fixture), outDir, { onProgress: (line) => progress.push(line) });
        expect(filesUnder(outDir)).toEqual([
            "platform-v1.0.0/01-settings.yaml",
            "platform-v1.0.0/02-worker.yaml",
            "serving-0.2.0/dashboard.yaml",
            "serving-0.2.0/serving.yaml",
        ]);
        expect(readFileSync(join(outDir, "platform-v1.0.0/01-settings.yaml"), "utf8")).toBe(RENDERED.settings);
        expect(readFileSync(join(outDir, "platform-v1.0.0/02-worker.yaml"), "utf8")).toBe(RENDERED.worker);
        expect(readFileSync(join(outDir, "serving-0.2.0/serving.yaml"), "utf8")).toBe(RENDERED.serving);
        expect(readFileSync(join(outDir, "serving-0.2.0/dashboard.yaml"), "utf8")).toBe(RENDERED.dashboard);
        expect(readdirSync(dirname(outDir))).toEqual(["manifests-cache"]);
        expect(result.outDir).toBe(outDir);
        expect(result.sources.map((source) => [source.name, source.components, source.bytes])).toEqual([
            ["platform", 2, RENDERED.settings.length + RENDERED.worker.length],
            ["serving", 2, RENDERED.serving.length + RENDERED.dashboard.length],
        ]);
        // One line per source and per component; the times in them are not asserted.
        expect(progress.map((line) => line.replace(/ in [0-9.]+ s$/, ""))).toEqual([
            `fetched platform: ${fixture.platform.url} v1.0.0 (${fixture.platform.release.slice(0, 12)})`,
            `  rendered settings -> platform-v1.0.0/01-settings.yaml (${RENDERED.settings.length} bytes, sha256 ok)`,
            `  rendered worker -> platform-v1.0.0/02-worker.yaml (${RENDERED.worker.length} bytes, sha256 ok)`,
            `fetched serving: ${fixture.serving.url} v0.2.0 (${fixture.serving.release.slice(0, 12)})`,
            `  rendered serving -> serving-0.2.0/serving.yaml (${RENDERED.serving.length} bytes, sha256 ok)`,
            `  rendered dashboard -> serving-0.2.0/dashboard.yaml (${RENDERED.dashboard.length} bytes, sha256 ok, checked but not installed)`,
        ]);
    });

    itRenders("fails on a sha256 mismatch naming the component, file and both hashes, and leaves the cache as it was", async () => {
        needKubectl();
        const bom = testBom(fixture);
        const pinned = "0".repeat(64);
        bom.components[2]!.sha256 = pinned;
        const { outDir, expectUntouched } = cacheWithEarlierPull("platform-v1.0.0/01-settings.yaml");
        await expect(pullManifests(bom, outDir, quiet)).rejects.toThrow(
            `Component "serving" (serving-0.2.0/serving.yaml) from source "serving" at commit ${fixture.serving.release} rendered to sha256 ${sha256(RENDERED.serving)}, but the BOM pins ${pinned}: ` +
                `either the source changed or the renderer differs from the one the BOM was made with (this run used ${(await findRenderer()).description}). ` +
                `Render with the kustomize version the BOM was made with, or, if the change is intended, update components[2].sha256 in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expectUntouched();
    });

    itRenders("fails when the tag points to another commit than the pinned one, writing nothing", async () => {
        needKubectl();
        const bom = testBom(fixture);
        bom.sources.platform!.tag = "v1.1.0";
        const outDir = join(scratch(), "cache", "manifests");
        await expect(pullManifests(bom, outDir, quiet)).rejects.toThrow(
            `Tag v1.1.0 of source "platform" (${fixture.platform.url}) points to commit ${fixture.platform.next}, not the pinned commit ${fixture.platform.release}: ` +
                `the tag was moved or the BOM pins the wrong commit; check the release upstream and fix sources.platform in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expect(existsSync(dirname(outDir))).toBe(false);
    });

    itRenders("fails when the tag does not exist", async () => {
        needKubectl();
        const bom = testBom(fixture);
        bom.sources.serving!.tag = "v0.3.0";
        const outDir = join(scratch(), "manifests-cache");
        await expect(pullManifests(bom, outDir, quiet)).rejects.toThrow(
            `Tag v0.3.0 of source "serving" (${fixture.serving.url}) does not exist; check the release upstream and fix sources.serving in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expect(existsSync(outDir)).toBe(false);
    });

    itRenders("copies the files of copied components byte for byte under copy.to, next to the renders", async () => {
        needKubectl();
        const outDir = join(scratch(), "manifests-cache");
        const progress: string[] = [];
        const result = await pullManifests(copyBom(fixture), outDir, { onProgress: (line) => progress.push(line) });
        const copies = {
            "exporter-2.1.0/exporter.yaml": EXPORTER_FILES["exporter.yaml"]!,
            "exporter-2.1.0/app.yaml": EXPORTER_FILES["deploy/app.yaml"]!,
            "exporter-2.1.0/counters.csv": EXPORTER_FILES["etc/counters.csv"]!,
            "exporter-2.1.0/monitor/monitor.yaml": EXPORTER_FILES["deploy/monitor.yaml"]!,
        };
        expect(filesUnder(outDir)).toEqual([...Object.keys(copies), "platform-v1.0.0/01-settings.yaml"].sort());
        for (const [file, text] of Object.entries(copies)) expect(readFileSync(join(outDir, file)), file).toEqual(Buffer.from(text, "utf8"));
        expect(readFileSync(join(outDir, "platform-v1.0.0/01-settings.yaml"), "utf8")).toBe(RENDERED.settings);
        expect(readdirSync(dirname(outDir))).toEqual(["manifests-cache"]);
        // Files in BOM order, source by source.
        expect(result.files).toEqual(["platform-v1.0.0/01-settings.yaml", ...Object.keys(copies)]);
        const bytes = (...texts: string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text, "utf8"), 0);
        const exporterBytes = bytes(copies["exporter-2.1.0/exporter.yaml"], copies["exporter-2.1.0/app.yaml"], copies["exporter-2.1.0/counters.csv"]);
        const monitorBytes = bytes(copies["exporter-2.1.0/monitor/monitor.yaml"]);
        // The µ is two bytes in UTF-8: the sizes are bytes, not characters.
        expect(exporterBytes).toBe(
            copies["exporter-2.1.0/exporter.yaml"].length + copies["exporter-2.1.0/app.yaml"].length + copies["exporter-2.1.0/counters.csv"].length + 1,
        );
        expect(result.sources.map((source) => [source.name, source.components, source.bytes])).toEqual([
            ["platform", 1, RENDERED.settings.length],
            ["exporter", 2, exporterBytes + monitorBytes],
        ]);
        expect(progress.map((line) => line.replace(/ in [0-9.]+ s$/, ""))).toEqual([
            `fetched platform: ${fixture.platform.url} v1.0.0 (${fixture.platform.release.slice(0, 12)})`,
            `  rendered settings -> platform-v1.0.0/01-settings.yaml (${RENDERED.settings.length} bytes, sha256 ok)`,
            `fetched exporter: ${fixture.exporter.url} 2.1.0 (${fixture.exporter.release.slice(0, 12)})`,
            `  copied exporter -> exporter-2.1.0/ (3 files, ${exporterBytes.toLocaleString("en-US")} bytes, sha256 ok)`,
            `  copied exporter-monitor -> exporter-2.1.0/monitor/ (1 file, ${monitorBytes.toLocaleString("en-US")} bytes, sha256 ok, checked but not installed)`,
        ]);
    });

    itRenders("fails when a copied file differs from the one the BOM pins, naming both paths and hashes, and leaves the cache as it was", async () => {
        needKubectl();
        const bom = copyBom(fixture);
        // As if the BOM was made before upstream changed the counters file.
        const pinned = sha256("# Format: field, type, help\nDCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).\n");
        bom.components[1]!.copy!.files[2]!.sha256 = pinned;
        const { outDir, expectUntouched } = cacheWithEarlierPull("exporter-2.1.0/counters.csv");
        await expect(pullManifests(bom, outDir, quiet)).rejects.toThrow(
            `Component "exporter" from source "exporter" at commit ${fixture.exporter.release}: etc/counters.csv has sha256 ${sha256(EXPORTER_FILES["etc/counters.csv"]!)}, ` +
                `but the BOM pins ${pinned} for exporter-2.1.0/counters.csv: the upstream file is not the one the BOM was made from. ` +
                `If the change is intended, update components[1].copy.files in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expectUntouched();
    });

    itRenders("fails when a copied file is missing upstream, naming the path looked for, writing nothing", async () => {
        needKubectl();
        // A file under the component's path that upstream does not have.
        const renamed = copyBom(fixture);
        renamed.components[2]!.copy!.files[0]!.file = "service-monitor.yaml";
        const outDir = join(scratch(), "manifests-cache");
        await expect(pullManifests(renamed, outDir, quiet)).rejects.toThrow(
            `Component "exporter-monitor" from source "exporter" at commit ${fixture.exporter.release} has no file deploy/service-monitor.yaml; ` +
                `fix components[2].path or copy.files in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expect(existsSync(outDir)).toBe(false);
        // A `from` naming a directory is no file either.
        const directory = copyBom(fixture);
        directory.components[1]!.copy!.files[2]!.from = "etc";
        await expect(pullManifests(directory, outDir, quiet)).rejects.toThrow(
            `Component "exporter" from source "exporter" at commit ${fixture.exporter.release} has no file etc; ` +
                `fix components[1].path or copy.files in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expect(existsSync(outDir)).toBe(false);
    });

    it("fails naming what to install when neither kubectl nor kustomize is on PATH", async () => {
        const emptyPath = scratch();
        const outDir = join(scratch(), "manifests-cache");
        await expect(pullManifests(testBom(fixture), outDir, { ...quiet, env: { PATH: emptyPath } })).rejects.toThrow(
            `No kustomize renderer found: neither kubectl nor kustomize is on PATH (${emptyPath}). ` +
                "kfstack needs kubectl 1.28 or newer (its built-in kustomize is 5.0.4 or newer) or kustomize 5.0.3 or newer to render the pinned manifests. Install one of them, then run the command again.",
        );
        expect(existsSync(outDir)).toBe(false);
    });

    it("refuses a kubectl whose built-in kustomize is older than 5.0.3, naming the version found", async () => {
        const fakePath = scratch();
        writeFileSync(join(fakePath, "kubectl"), `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"v1.27.3"},"kustomizeVersion":"v5.0.1"}'\n`);
        chmodSync(join(fakePath, "kubectl"), 0o755);
        const outDir = join(scratch(), "manifests-cache");
        await expect(pullManifests(testBom(fixture), outDir, { ...quiet, env: { PATH: fakePath } })).rejects.toThrow(
            "No usable kustomize renderer: found kubectl v1.27.3 (built-in kustomize v5.0.1), but the BOM checksums need kustomize 5.0.3 or newer. " +
                "kfstack needs kubectl 1.28 or newer (its built-in kustomize is 5.0.4 or newer) or kustomize 5.0.3 or newer to render the pinned manifests. Install one of them, then run the command again.",
        );
        expect(existsSync(outDir)).toBe(false);
    });
});

describe("kfstack manifests pull", () => {
    it("exits 2 naming the known releases when the BOM does not exist", () => {
        const run = spawnSync(process.execPath, ["cli/run.mjs", "manifests", "pull", "kubeflow-0.0.0"], {
            cwd: projectDirectory(),
            encoding: "utf8",
        });
        expect(run.stderr).toBe(`There is no bill of materials "kubeflow-0.0.0"; known releases: ${availableBoms().join(", ")}.\n`);
        expect(run.status).toBe(2);
        expect(run.stdout).toBe("");
    });

    itRenders("writes the default cache without --out (here unreachable: nothing is written)", () => {
        needKubectl();
        const home = scratch();
        // git sends GitHub URLs to a folder that does not exist, as an unreachable host would fail.
        const offline = {
            GIT_CONFIG_COUNT: "1",
            GIT_CONFIG_KEY_0: `url.file://${join(home, "offline")}/.insteadOf`,
            GIT_CONFIG_VALUE_0: "https://github.com/",
        };
        const run = spawnSync(process.execPath, ["cli/run.mjs", "manifests", "pull", "kubeflow-1.8.1"], {
            cwd: projectDirectory(),
            env: { ...process.env, KFSTACK_CACHE_DIR: "", XDG_CACHE_HOME: home, ...offline },
            encoding: "utf8",
        });
        expect(run.stderr).toMatch(/^Could not list the tags of source "kubeflow-manifests" \(https:\/\/github\.com\/kubeflow\/manifests\): /);
        expect(run.stderr).toContain(`Nothing was written to ${join(home, "kfstack", "manifests")}.`);
        expect(run.status).toBe(1);
        expect(readdirSync(home)).toEqual([]);
    });
});
