// The fixtures of the manifests pull tests: small local git repositories (one
// tagged lightweight, one annotated, each with two kustomizations, and a third
// holding pre-rendered YAML and a data file that the BOM copies as they are),
// what kustomize renders from them, and test BOMs over them.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { type Bom, BomSchema, type BomComponent } from "../components/bom/schema";

/** The worker Deployment's spec down to its containers, which kustomize passes through as it is. */
const WORKER_SPEC = [
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
];

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
        ...WORKER_SPEC,
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
export const EXPORTER_FILES: Record<string, string> = {
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
        '        - {name: exporter, image: "example.invalid/exporter:2.1.0"}',
        "---",
        "kind: Service",
        "apiVersion: v1",
        "metadata: {name: exporter, namespace: monitoring}",
        "spec: {selector: {app: exporter}, ports: [{name: metrics, port: 9400}]}",
    ].join("\n"),
    "deploy/monitor.yaml":
        "kind: ServiceMonitor\napiVersion: monitoring.coreos.com/v1\nmetadata: {name: exporter, namespace: monitoring}\nspec:\n  endpoints: [{port: metrics, interval: 15s}]\n",
    "etc/counters.csv":
        "# Format: field, type, help (latency in µs)\nDCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).\nDCGM_FI_DEV_FB_USED, gauge, Framebuffer memory used (in MiB).\n",
    "README.md": "Pre-rendered manifests of the exporter.\n",
};

/** What kustomize 5 prints for each kustomization (checked once with kubectl v1.32.4 / kustomize v5.5.0). */
export const RENDERED = {
    settings: "apiVersion: v1\ndata:\n  level: info\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: platform\n",
    worker: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: worker",
        "  namespace: platform",
        ...WORKER_SPEC,
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

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
export const scratch = () => mkdtempSync(join(tmpdir(), "kfstack-manifests-"));

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
export function filesUnder(directory: string): string[] {
    return readdirSync(directory, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
        .sort();
}

export interface Fixture {
    platform: { url: string; release: string; next: string };
    serving: { url: string; release: string };
    exporter: { url: string; release: string };
}

export function makeRepositories(): Fixture {
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

export function component(name: string, source: string, path: string, file: string, rendered: string, extra: Partial<BomComponent> = {}): BomComponent {
    return {
        name,
        version: "1.0.0",
        layer: "kubeflow",
        source,
        path,
        file,
        sha256: sha256(rendered),
        images: [],
        runtimeImages: [],
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
        clusterAutoscaler: { releases: {}, resources: { cpuRequest: "100m", memoryRequest: "600Mi", memoryLimit: "600Mi" } },
        objectStore: {
            minio: { source: "platform", image: "example.com/minio:v1.0.0", resources: { cpuRequest: "10m", memoryRequest: "64Mi", memoryLimit: "128Mi" } },
            mc: { source: "platform", image: "example.com/mc:v1.0.0", resources: { cpuRequest: "10m", memoryRequest: "32Mi", memoryLimit: "64Mi" } },
        },
        backup: {
            mysql: { source: "platform", image: "example.com/mysql:8.0.0", resources: { cpuRequest: "10m", memoryRequest: "64Mi", memoryLimit: "128Mi" } },
        },
    });
}

export function testBom(fixture: Fixture): Bom {
    return bomOver({ platform: { ...fixture.platform, tag: "v1.0.0" }, serving: { ...fixture.serving, tag: "v0.2.0" } }, [
        component("settings", "platform", "config/settings", "platform-v1.0.0/01-settings.yaml", RENDERED.settings),
        component("worker", "platform", "apps/worker", "platform-v1.0.0/02-worker.yaml", RENDERED.worker),
        component("serving", "serving", "config/default", "serving-0.2.0/serving.yaml", RENDERED.serving),
        component("dashboard", "serving", "config/dashboard", "serving-0.2.0/dashboard.yaml", RENDERED.dashboard, { skip: "not installed by default" }),
    ]);
}

/** A component copied as it is: `files` name each copy, where it comes from (when not `<path>/<file>`) and the upstream text pinned. */
export function copied(
    name: string,
    source: string,
    path: string,
    to: string,
    files: { file: string; from?: string; text: string }[],
    extra: Partial<BomComponent> = {},
): BomComponent {
    return {
        name,
        version: "2.1.0",
        layer: "monitoring",
        source,
        path,
        copy: { to, files: files.map(({ file, from, text }) => ({ file, ...(from === undefined ? {} : { from }), sha256: sha256(text) })) },
        images: [],
        runtimeImages: [],
        resources: { default: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "256Mi" }, containers: {} },
        ...extra,
    };
}

/**
 * A BOM mixing a render with copies: `exporter` takes a file from the repository root and
 * two from elsewhere through `from`; `exporter-monitor` takes a file under its `path`.
 */
export function copyBom(fixture: Fixture): Bom {
    return bomOver({ platform: { ...fixture.platform, tag: "v1.0.0" }, exporter: { ...fixture.exporter, tag: "2.1.0" } }, [
        component("settings", "platform", "config/settings", "platform-v1.0.0/01-settings.yaml", RENDERED.settings),
        copied("exporter", "exporter", ".", "exporter-2.1.0", [
            { file: "exporter.yaml", text: EXPORTER_FILES["exporter.yaml"]! },
            { file: "app.yaml", from: "deploy/app.yaml", text: EXPORTER_FILES["deploy/app.yaml"]! },
            { file: "counters.csv", from: "etc/counters.csv", text: EXPORTER_FILES["etc/counters.csv"]! },
        ]),
        copied("exporter-monitor", "exporter", "deploy", "exporter-2.1.0/monitor", [{ file: "monitor.yaml", text: EXPORTER_FILES["deploy/monitor.yaml"]! }], {
            skip: "needs the Prometheus operator",
        }),
    ]);
}

export const quiet = { onProgress: () => {} };
