// `manifests pull` against small local git repositories the test creates:
// one tagged lightweight, one annotated, each with two kustomizations, and a
// third holding pre-rendered YAML and a data file that the BOM copies as they are.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { availableBoms } from "../components/bom/load";
import { findRenderer } from "../components/bom/kustomize";
import { pullManifests } from "../components/bom/pull";
import { projectDirectory } from "../engine/stack-file";
import { toolsRequirement } from "./requirements";
import { type Bom, BomSchema, type BomComponent } from "../components/bom/schema";

const kubectl = toolsRequirement(["kubectl"], "the manifests pull tests that render");
/** Tests that render: skipped without kubectl, failed instead when KFSTACK_REQUIRE_TOOLS=1. */
const itRenders = kubectl.skip ? it.skip : it;
const needKubectl = kubectl.assert;

/** The kustomizations of each repository, as path -> file text. */
const PLATFORM_FILES: Record<string, string> = {
    "config/settings/kustomization.yaml": "namespace: platform\nresources:\n  - configmap.yaml\n",
    "config/settings/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n",
    "apps/worker/kustomization.yaml": 'namespace: platform\nresources:\n  - deployment.yaml\nimages:\n  - name: busybox\n    newTag: "1.36"\n',
    "apps/worker/deployment.yaml": [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: worker",
        "spec:",
        "  replicas: 1",
        "  selector:",
        "    matchLabels:",
        "      app: worker",
        "  template:",
        "    metadata:",
        "      labels:",
        "        app: worker",
        "    spec:",
        "      containers:",
        "        - name: worker",
        "          image: busybox",
        '          command: ["sleep", "infinity"]',
        "",
    ].join("\n"),
};

const SERVING_FILES: Record<string, string> = {
    "config/default/kustomization.yaml": "namePrefix: serving-\nresources:\n  - configmap.yaml\n  - namespace.yaml\n",
    "config/default/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: defaults\n  namespace: serving\ndata:\n  timeout: 30s\n",
    "config/default/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: serving\n",
    "config/dashboard/kustomization.yaml": "resources:\n  - configmap.yaml\n",
    "config/dashboard/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboard\n  namespace: serving\ndata:\n  title: Serving\n",
};

/**
 * A project that ships pre-rendered YAML: copied byte for byte, never rendered. The
 * texts are ones kustomize would change (comments, unsorted keys, a document separator,
 * no final newline) and the CSV has a non-ASCII character, so sizes count bytes.
 */
const EXPORTER_FILES: Record<string, string> = {
    "exporter.yaml": "# The exporter, as upstream ships it.\nkind: ServiceAccount\napiVersion: v1\nmetadata:\n  name: exporter\n  namespace: monitoring\n",
    "deploy/app.yaml": [
        "---",
        "# Runs on every GPU node.",
        "kind: DaemonSet",
        "apiVersion: apps/v1",
        "metadata: {name: exporter, namespace: monitoring}",
        "spec:",
        "  selector: {matchLabels: {app: exporter}}",
        "  template:",
        "    metadata: {labels: {app: exporter}}",
        "    spec:",
        "      containers:",
        "        - {name: exporter, image: \"example.invalid/exporter:2.1.0\"}",
        "---",
        "kind: Service",
        "apiVersion: v1",
        "metadata: {name: exporter, namespace: monitoring}",
        "spec: {selector: {app: exporter}, ports: [{name: metrics, port: 9400}]}",
    ].join("\n"),
    "deploy/monitor.yaml": "kind: ServiceMonitor\napiVersion: monitoring.coreos.com/v1\nmetadata: {name: exporter, namespace: monitoring}\nspec:\n  endpoints: [{port: metrics, interval: 15s}]\n",
    "etc/counters.csv": "# Format: field, type, help (latency in µs)\nDCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).\nDCGM_FI_DEV_FB_USED, gauge, Framebuffer memory used (in MiB).\n",
    "README.md": "Pre-rendered manifests of the exporter.\n",
};

/** What kustomize 5 prints for each kustomization (checked once with kubectl v1.32.4 / kustomize v5.5.0). */
const RENDERED = {
    settings: "apiVersion: v1\ndata:\n  level: info\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: platform\n",
    worker: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: worker",
        "  namespace: platform",
        "spec:",
        "  replicas: 1",
        "  selector:",
        "    matchLabels:",
        "      app: worker",
        "  template:",
        "    metadata:",
        "      labels:",
        "        app: worker",
        "    spec:",
        "      containers:",
        "      - command:",
        "        - sleep",
        "        - infinity",
        "        image: busybox:1.36",
        "        name: worker",
        "",
    ].join("\n"),
    // kustomize puts the Namespace first and does not prefix it.
    serving:
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: serving\n---\napiVersion: v1\ndata:\n  timeout: 30s\nkind: ConfigMap\nmetadata:\n  name: serving-defaults\n  namespace: serving\n",
    dashboard: "apiVersion: v1\ndata:\n  title: Serving\nkind: ConfigMap\nmetadata:\n  name: dashboard\n  namespace: serving\n",
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const scratch = () => mkdtempSync(join(tmpdir(), "kfstack-manifests-"));

function git(cwd: string, ...args: string[]): string {
    // Pinned settings, so the user's git configuration (signing, default branch) cannot change the fixture.
    const settings = ["user.name=kfstack test", "user.email=test@kfstack.invalid", "commit.gpgSign=false", "tag.gpgSign=false", "init.defaultBranch=main"];
    return execFileSync("git", [...settings.flatMap((setting) => ["-c", setting]), ...args], { cwd, encoding: "utf8" }).trim();
}

/** A git repository holding `files` in one commit; returns the commit. */
function commitFiles(repository: string, files: Record<string, string>, message: string): string {
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(repository, path)), { recursive: true });
        writeFileSync(join(repository, path), text);
    }
    git(repository, "add", "--all");
    git(repository, "commit", "--quiet", "-m", message);
    return git(repository, "rev-parse", "HEAD");
}

/** Every file under `directory`, relative to it, sorted. */
function filesUnder(directory: string): string[] {
    return readdirSync(directory, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
        .sort();
}

interface Fixture {
    platform: { url: string; release: string; next: string };
    serving: { url: string; release: string };
    exporter: { url: string; release: string };
}

function makeRepositories(): Fixture {
    const root = scratch();
    const platform = join(root, "platform");
    const serving = join(root, "serving");
    const exporter = join(root, "exporter");
    mkdirSync(platform);
    mkdirSync(serving);
    mkdirSync(exporter);
    git(platform, "init", "--quiet");
    const platformRelease = commitFiles(platform, PLATFORM_FILES, "platform 1.0.0");
    git(platform, "tag", "v1.0.0");
    const platformNext = commitFiles(platform, { "README.md": "next\n" }, "platform 1.1.0");
    git(platform, "tag", "v1.1.0");
    git(serving, "init", "--quiet");
    const servingRelease = commitFiles(serving, SERVING_FILES, "serving 0.2.0");
    git(serving, "tag", "--annotate", "-m", "serving 0.2.0", "v0.2.0");
    git(exporter, "init", "--quiet");
    const exporterRelease = commitFiles(exporter, EXPORTER_FILES, "exporter 2.1.0");
    git(exporter, "tag", "2.1.0");
    return {
        platform: { url: `file://${platform}`, release: platformRelease, next: platformNext },
        serving: { url: `file://${serving}`, release: servingRelease },
        exporter: { url: `file://${exporter}`, release: exporterRelease },
    };
}

function component(name: string, source: string, path: string, file: string, rendered: string, extra: Partial<BomComponent> = {}): BomComponent {
    return {
        name,
        version: "1.0.0",
        layer: "kubeflow",
        source,
        path,
        file,
        sha256: sha256(rendered),
        images: [],
        resources: { default: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "256Mi" }, containers: {} },
        ...extra,
    };
}

/** A test BOM over `sources` (name → repository URL, tag and pinned commit). */
function bomOver(sources: Record<string, { url: string; tag: string; release: string }>, components: BomComponent[]): Bom {
    return BomSchema.parse({
        release: "kubeflow-0.0.1",
        kubernetes: { min: "1.31", max: "1.33", source: "test fixture" },
        sources: Object.fromEntries(Object.entries(sources).map(([name, { url, tag, release }]) => [name, { repository: url, tag, commit: release }])),
        components,
    });
}

function testBom(fixture: Fixture): Bom {
    return bomOver(
        { platform: { ...fixture.platform, tag: "v1.0.0" }, serving: { ...fixture.serving, tag: "v0.2.0" } },
        [
            component("settings", "platform", "config/settings", "platform-v1.0.0/01-settings.yaml", RENDERED.settings),
            component("worker", "platform", "apps/worker", "platform-v1.0.0/02-worker.yaml", RENDERED.worker),
            component("serving", "serving", "config/default", "serving-0.2.0/serving.yaml", RENDERED.serving),
            component("dashboard", "serving", "config/dashboard", "serving-0.2.0/dashboard.yaml", RENDERED.dashboard, { skip: "not installed by default" }),
        ],
    );
}

/** A component copied as it is: `files` name each copy, where it comes from (when not `<path>/<file>`) and the upstream text pinned. */
function copied(name: string, source: string, path: string, to: string, files: { file: string; from?: string; text: string }[], extra: Partial<BomComponent> = {}): BomComponent {
    return {
        name,
        version: "2.1.0",
        layer: "monitoring",
        source,
        path,
        copy: { to, files: files.map(({ file, from, text }) => ({ file, ...(from === undefined ? {} : { from }), sha256: sha256(text) })) },
        images: [],
        resources: { default: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "256Mi" }, containers: {} },
        ...extra,
    };
}

/**
 * A BOM mixing a render with copies: `exporter` takes a file from the repository root and
 * two from elsewhere through `from`; `exporter-monitor` takes a file under its `path`.
 */
function copyBom(fixture: Fixture): Bom {
    return bomOver(
        { platform: { ...fixture.platform, tag: "v1.0.0" }, exporter: { ...fixture.exporter, tag: "2.1.0" } },
        [
            component("settings", "platform", "config/settings", "platform-v1.0.0/01-settings.yaml", RENDERED.settings),
            copied("exporter", "exporter", ".", "exporter-2.1.0", [
                { file: "exporter.yaml", text: EXPORTER_FILES["exporter.yaml"]! },
                { file: "app.yaml", from: "deploy/app.yaml", text: EXPORTER_FILES["deploy/app.yaml"]! },
                { file: "counters.csv", from: "etc/counters.csv", text: EXPORTER_FILES["etc/counters.csv"]! },
            ]),
            copied("exporter-monitor", "exporter", "deploy", "exporter-2.1.0/monitor", [{ file: "monitor.yaml", text: EXPORTER_FILES["deploy/monitor.yaml"]! }], {
                skip: "needs the Prometheus operator",
            }),
        ],
    );
}

const quiet = { onProgress: () => {} };

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
        expect(filesUnder(outDir)).toEqual(["platform-v1.0.0/01-settings.yaml", "platform-v1.0.0/02-worker.yaml", "serving-0.2.0/dashboard.yaml", "serving-0.2.0/serving.yaml"]);
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
        const parent = scratch();
        const outDir = join(parent, "manifests-cache");
        mkdirSync(join(outDir, "platform-v1.0.0"), { recursive: true });
        writeFileSync(join(outDir, "platform-v1.0.0/01-settings.yaml"), "an earlier pull\n");
        await expect(pullManifests(bom, outDir, quiet)).rejects.toThrow(
            `Component "serving" (serving-0.2.0/serving.yaml) from source "serving" at commit ${fixture.serving.release} rendered to sha256 ${sha256(RENDERED.serving)}, but the BOM pins ${pinned}: ` +
                `either the source changed or the renderer differs from the one the BOM was made with (this run used ${(await findRenderer()).description}). ` +
                `Render with the kustomize version the BOM was made with, or, if the change is intended, update components[2].sha256 in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expect(readdirSync(parent)).toEqual(["manifests-cache"]);
        expect(filesUnder(parent)).toEqual(["manifests-cache/platform-v1.0.0/01-settings.yaml"]);
        expect(readFileSync(join(outDir, "platform-v1.0.0/01-settings.yaml"), "utf8")).toBe("an earlier pull\n");
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
        expect(exporterBytes).toBe(copies["exporter-2.1.0/exporter.yaml"].length + copies["exporter-2.1.0/app.yaml"].length + copies["exporter-2.1.0/counters.csv"].length + 1);
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
        const parent = scratch();
        const outDir = join(parent, "manifests-cache");
        mkdirSync(join(outDir, "exporter-2.1.0"), { recursive: true });
        writeFileSync(join(outDir, "exporter-2.1.0/counters.csv"), "an earlier pull\n");
        await expect(pullManifests(bom, outDir, quiet)).rejects.toThrow(
            `Component "exporter" from source "exporter" at commit ${fixture.exporter.release}: etc/counters.csv has sha256 ${sha256(EXPORTER_FILES["etc/counters.csv"]!)}, ` +
                `but the BOM pins ${pinned} for exporter-2.1.0/counters.csv: the upstream file is not the one the BOM was made from. ` +
                `If the change is intended, update components[1].copy.files in components/bom/kubeflow-0.0.1.yaml. Nothing was written to ${outDir}.`,
        );
        expect(readdirSync(parent)).toEqual(["manifests-cache"]);
        expect(filesUnder(parent)).toEqual(["manifests-cache/exporter-2.1.0/counters.csv"]);
        expect(readFileSync(join(outDir, "exporter-2.1.0/counters.csv"), "utf8")).toBe("an earlier pull\n");
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
        const run = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "manifests", "pull", "kubeflow-0.0.0"], { cwd: projectDirectory(), encoding: "utf8" });
        expect(run.stderr).toBe(`There is no bill of materials "kubeflow-0.0.0"; known releases: ${availableBoms().join(", ")}.\n`);
        expect(run.status).toBe(2);
        expect(run.stdout).toBe("");
    });
});
