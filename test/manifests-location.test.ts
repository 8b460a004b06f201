// Where a run reads the rendered manifests, and the default cache that the first
// run fills by pulling from small local git repositories (test/manifests-pull-fixtures.ts).
// Every test gives the code its own XDG_CACHE_HOME: none reads or writes the user's cache.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBom } from "../components/bom/load";
import { pullManifests } from "../components/bom/pull";
import { type Bom, componentFiles } from "../components/bom/schema";
import { chooseManifestsDirectory, defaultManifestsDirectory, describeLocation, locateManifests } from "../components/manifests/location";
import { readComponent } from "../components/manifests/read";
import { ParsedManifestCache } from "../components/manifests/parsed-cache";
import { filesUnder, type Fixture, makeRepositories, RENDERED, scratch, sha256, testBom } from "./manifests-pull-fixtures";
import { projectDirectory } from "../engine/stack-file";
import { fixturesDirectory, skipWithoutFixtures, toolsRequirement } from "./requirements";

const kubectl = toolsRequirement(["kubectl"], "the first-use pull tests");
const itRenders = kubectl.skip ? it.skip : it;

const ALL_FILES = ["platform-v1.0.0/01-settings.yaml", "platform-v1.0.0/02-worker.yaml", "serving-0.2.0/dashboard.yaml", "serving-0.2.0/serving.yaml"];

describe("the manifests directory a run reads", () => {
    it("is KFSTACK_MANIFESTS_DIR, else the stack's kfstack:manifestsDir, else the default cache", () => {
        const env = { XDG_CACHE_HOME: "/home/u/.xdg" };
        expect(chooseManifestsDirectory("/srv/stack", { ...env, KFSTACK_MANIFESTS_DIR: "/srv/env" })).toEqual({
            directory: "/srv/env",
            origin: "KFSTACK_MANIFESTS_DIR",
        });
        expect(chooseManifestsDirectory("/srv/stack", env)).toEqual({ directory: "/srv/stack", origin: "kfstack:manifestsDir" });
        expect(chooseManifestsDirectory(undefined, env)).toEqual({ directory: "/home/u/.xdg/kfstack/manifests", origin: "default cache" });
        // An empty variable is unset, as the shell makes it.
        expect(chooseManifestsDirectory(undefined, { ...env, KFSTACK_MANIFESTS_DIR: "" }).origin).toBe("default cache");
        expect(chooseManifestsDirectory("relative/dir", env).directory).toBe(join(process.cwd(), "relative/dir"));
    });

    it("defaults to <cache>/kfstack/manifests, under KFSTACK_CACHE_DIR when set", () => {
        expect(defaultManifestsDirectory({ XDG_CACHE_HOME: "/home/u/.xdg" })).toBe("/home/u/.xdg/kfstack/manifests");
        expect(defaultManifestsDirectory({ KFSTACK_CACHE_DIR: "/var/cache/ci", XDG_CACHE_HOME: "/home/u/.xdg" })).toBe("/var/cache/ci/manifests");
    });

    it("is described with why it was chosen", () => {
        expect(describeLocation({ directory: "/srv/env", origin: "KFSTACK_MANIFESTS_DIR", pulled: [] })).toBe(
            "Rendered manifests read from /srv/env (set by KFSTACK_MANIFESTS_DIR).",
        );
        expect(describeLocation({ directory: "/c/kfstack/manifests", origin: "default cache", pulled: ["platform", "serving"] })).toBe(
            "Rendered manifests read from /c/kfstack/manifests (the default cache; pulled platform, serving into it on this run).",
        );
    });
});

describe("locateManifests", () => {
    let fixture: Fixture;
    let bom: Bom;
    beforeAll(() => {
        fixture = makeRepositories();
        bom = testBom(fixture);
    });
    /** An empty cache home and how to locate the test BOM's installed components with it. */
    function emptyCache(extra: NodeJS.ProcessEnv = {}) {
        const home = scratch();
        const env = { PATH: process.env.PATH, XDG_CACHE_HOME: home, ...extra };
        const progress: string[] = [];
        const locate = (of: Bom = bom) =>
            locateManifests(
                of,
                of.components.filter((component) => !component.skip),
                undefined,
                { env, onProgress: (line) => progress.push(line) },
            );
        return { home, cache: join(home, "kfstack", "manifests"), env, progress, locate };
    }

    it("refuses a directory the user names that does not exist, naming who named it and the command that makes it", async () => {
        const missing = join(scratch(), "nowhere");
        await expect(locateManifests(bom, bom.components, missing, { env: {} })).rejects.toThrow(
            `The manifests directory ${missing} (set by kfstack:manifestsDir) does not exist; create it with \`npm run manifests -- pull kubeflow-0.0.1 --out ${missing}\`.`,
        );
    });

    itRenders("pulls into an empty cache on first use, then reads it without pulling", async () => {
        kubectl.assert();
        const { cache, env, progress, locate } = emptyCache();
        expect(await locate()).toEqual({ directory: cache, origin: "default cache", pulled: ["platform", "serving"] });
        expect(filesUnder(cache)).toEqual(ALL_FILES);
        expect(readFileSync(join(cache, "serving-0.2.0/serving.yaml"), "utf8")).toBe(RENDERED.serving);
        expect(progress[0]).toBe(
            `The default manifests cache ${cache} lacks 3 files of kubeflow-0.0.1: pulling platform, serving once (pinned commits, rendered and checked against the BOM's sha256).`,
        );
        expect(progress.slice(1).map((line) => line.replace(/ in [0-9.]+ s$/, ""))).toContain(
            `fetched platform: ${fixture.platform.url} v1.0.0 (${fixture.platform.release.slice(0, 12)})`,
        );
        // Only the manifests folder: no staging left beside it.
        expect(readdirSync(join(cache, ".."))).toEqual(["manifests"]);

        // The second run finds every file: it needs neither git nor kubectl (an empty PATH) and says nothing.
        progress.length = 0;
        const again = await locateManifests(bom, bom.components, undefined, { env: { ...env, PATH: scratch() }, onProgress: (line) => progress.push(line) });
        expect(again).toEqual({ directory: cache, origin: "default cache", pulled: [] });
        expect(progress).toEqual([]);
    });

    itRenders("pulls only the sources whose files are missing, and replaces no file the cache has", async () => {
        kubectl.assert();
        const { cache, locate } = emptyCache();
        await locate();
        // Read once, so the parsed cache holds the intact file: it must not stand in for the check of the changed one.
        const parsed = new ParsedManifestCache(join(scratch(), "parsed"));
        const settingsObjects = readComponent(cache, bom, bom.components[0]!, parsed);
        const settings = join(cache, "platform-v1.0.0/01-settings.yaml");
        const tampered = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed\n";
        writeFileSync(settings, tampered);
        rmSync(join(cache, "platform-v1.0.0/02-worker.yaml"));
        const serving = statSync(join(cache, "serving-0.2.0/serving.yaml"));
        expect((await locate()).pulled).toEqual(["platform"]);
        expect(readFileSync(join(cache, "platform-v1.0.0/02-worker.yaml"), "utf8")).toBe(RENDERED.worker);
        expect(statSync(join(cache, "serving-0.2.0/serving.yaml")).mtimeMs).toBe(serving.mtimeMs);

        // The changed file is not fetched over: reading refuses it with the command that repairs it.
        expect(readFileSync(settings, "utf8")).toBe(tampered);
        expect(() => readComponent(cache, bom, bom.components[0]!, parsed)).toThrow(
            `${settings} does not match the bill of materials kubeflow-0.0.1: its sha256 is ${sha256(tampered)}, the BOM pins ${sha256(RENDERED.settings)}. ` +
                `The file was changed or rendered from another source; render it again with \`npm run manifests -- pull kubeflow-0.0.1 --out ${cache}\`.`,
        );
        // That command (the pull `npm run manifests -- pull` runs) replaces it.
        await pullManifests(bom, cache, { onProgress: () => {} });
        expect(readComponent(cache, bom, bom.components[0]!, parsed)).toEqual(settingsObjects);
        expect(settingsObjects).toEqual([
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "platform" }, data: { level: "info" } },
        ]);
    });

    itRenders("leaves nothing behind when a pull fails midway, and the next run pulls", async () => {
        kubectl.assert();
        const { home, cache, env, locate } = emptyCache();
        // Fails after the first source is rendered and staged, as an interruption would.
        const interrupted = locateManifests(bom, bom.components, undefined, {
            env,
            onProgress: (line) => {
                if (line.startsWith("fetched serving")) throw new Error("interrupted");
            },
        });
        await expect(interrupted).rejects.toThrow("interrupted");
        expect(filesUnder(home)).toEqual([]);

        // A failing pull that made the cache folder removes only what it made: here a run side by side moves a folder in meanwhile.
        const other = join(cache, "other-1.0.0", "other.yaml");
        const failing = locateManifests(bom, bom.components, undefined, {
            env,
            onProgress: (line) => {
                if (line.startsWith("fetched platform")) {
                    mkdirSync(dirname(other), { recursive: true });
                    writeFileSync(other, "kind: Other\n");
                }
                if (line.startsWith("fetched serving")) throw new Error("interrupted");
            },
        });
        await expect(failing).rejects.toThrow("interrupted");
        expect(filesUnder(home)).toEqual(["kfstack/manifests/other-1.0.0/other.yaml"]);
        rmSync(join(home, "kfstack"), { recursive: true });

        // A pull killed outright leaves its staging folder beside the cache (its process is gone): it is never read, and the next pull removes it.
        const dead = spawnSync("true").pid;
        const staging = join(home, "kfstack", `.manifests.partial-${dead}-AbC123`);
        mkdirSync(join(staging, "platform-v1.0.0"), { recursive: true });
        writeFileSync(join(staging, "platform-v1.0.0/01-settings.yaml"), "apiVersion: v1\nkind: Con");
        expect((await locate()).pulled).toEqual(["platform", "serving"]);
        expect(filesUnder(cache)).toEqual(ALL_FILES);
        expect(readdirSync(join(home, "kfstack"))).toEqual(["manifests"]);
    });

    itRenders("lets runs side by side fill the same empty cache without corrupting each other", async () => {
        kubectl.assert();
        const { home, cache, locate } = emptyCache();
        const runs = await Promise.all([locate(), locate(), locate()]);
        expect(runs.map((run) => run.directory)).toEqual([cache, cache, cache]);
        expect(filesUnder(cache)).toEqual(ALL_FILES);
        for (const [file, text] of [
            ["platform-v1.0.0/01-settings.yaml", RENDERED.settings],
            ["platform-v1.0.0/02-worker.yaml", RENDERED.worker],
            ["serving-0.2.0/serving.yaml", RENDERED.serving],
        ])
            expect(readFileSync(join(cache, file!), "utf8")).toBe(text);
        expect(readdirSync(join(home, "kfstack"))).toEqual(["manifests"]);
    });

    itRenders("without network says in one paragraph what is missing, where it looked and how to bring a directory, and writes nothing", async () => {
        kubectl.assert();
        const { home, cache, locate } = emptyCache();
        const unreachable = structuredClone<Bom>(bom);
        unreachable.sources.platform!.repository = `file://${join(home, "no-such-host", "platform")}`;
        const failure = await locate(unreachable).then(
            () => undefined,
            (error: Error) => error,
        );
        expect(failure?.name).toBe("ManifestsError");
        const message = failure!.message;
        expect(message).not.toContain("\n");
        expect(
            message.startsWith(
                `The rendered manifests of kubeflow-0.0.1 are not in the default cache ${cache} (missing platform-v1.0.0/01-settings.yaml and 2 more), and pulling them failed: ` +
                    `Could not list the tags of source "platform" (file://${join(home, "no-such-host", "platform")}): `,
            ),
        ).toBe(true);
        expect(message).toContain(
            ` Check the network connection and the repository URL; pulling manifests needs a connected machine. Nothing was written to ${cache}. `,
        );
        expect(
            message.endsWith(
                "Without access to the sources (an air-gapped site, or their host unreachable), make the directory on a connected machine with " +
                    `\`npm run manifests -- pull kubeflow-0.0.1 --out <dir>\`, bring it here, and set KFSTACK_MANIFESTS_DIR (or kfstack:manifestsDir) to it, or copy its folders into ${cache}.`,
            ),
        ).toBe(true);
        expect(readdirSync(home)).toEqual([]);
    });
});

describe("npm run plan with no manifests directory set", () => {
    const skip = skipWithoutFixtures("the plans on the default manifests cache");
    const itPlans = skip ? it.skip : it;
    /** The environment of a fresh machine: no KFSTACK_MANIFESTS_DIR (nor KFSTACK_CACHE_DIR), its own cache home. */
    function freshMachine(home = scratch(), extra: NodeJS.ProcessEnv = {}) {
        const { KFSTACK_MANIFESTS_DIR: _manifests, KFSTACK_CACHE_DIR: _cache, ...env } = process.env;
        const plan = () =>
            spawnSync(process.execPath, ["cli/run.mjs", "plan", "dev"], {
                cwd: projectDirectory(),
                env: { ...env, XDG_CACHE_HOME: home, ...extra },
                encoding: "utf8",
            });
        return { home, cache: join(home, "kfstack", "manifests"), plan };
    }

    itPlans("reads the default cache, saying so in the plan's header", () => {
        const { cache, plan } = freshMachine();
        mkdirSync(cache, { recursive: true });
        // The cache as a pull leaves it, one folder per source release (linked, not copied, from the shared fixtures).
        const folders = new Set(
            loadBom("kubeflow-1.8.1").components.flatMap((component) => componentFiles(component).map((entry) => entry.file.split("/")[0]!)),
        );
        for (const folder of folders) symlinkSync(join(fixturesDirectory(), folder), join(cache, folder));
        const run = plan();
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.stdout.split("\n").slice(0, 2)).toEqual([
            expect.stringMatching(/^Plan of stack dev \(project kfstack\): \d+ resources, computed offline\.$/),
            `Rendered manifests read from ${cache} (the default cache).`,
        ]);
    });

    itPlans("with an empty cache and no network fails with one paragraph and writes nothing", () => {
        kubectl.assert();
        // git sends every GitHub URL to a folder that does not exist, as an unreachable host would fail.
        const home = scratch();
        const { cache, plan } = freshMachine(home, {
            GIT_CONFIG_COUNT: "1",
            GIT_CONFIG_KEY_0: `url.file://${join(home, "offline")}/.insteadOf`,
            GIT_CONFIG_VALUE_0: "https://github.com/",
        });
        const run = plan();
        expect(run.status).toBe(2);
        expect(run.stdout).toBe("");
        const lines = run.stderr.trim().split("\n");
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(new RegExp(`^The default manifests cache ${cache} lacks \\d+ files of kubeflow-1\\.8\\.1: pulling kubeflow-manifests, `));
        expect(lines[1]).toMatch(
            new RegExp(
                `^The rendered manifests of kubeflow-1\\.8\\.1 are not in the default cache ${cache} \\(missing kubeflow-v1\\.8\\.1/\\S+ and \\d+ more\\), ` +
                    `and pulling them failed: Could not list the tags of source "kubeflow-manifests" \\(https://github\\.com/kubeflow/manifests\\): .* Nothing was written to ${cache}\\. ` +
                    "Without access to the sources .* `npm run manifests -- pull kubeflow-1\\.8\\.1 --out <dir>`, bring it here, and set KFSTACK_MANIFESTS_DIR \\(or kfstack:manifestsDir\\) to it, " +
                    `or copy its folders into ${cache}\\.$`,
            ),
        );
        expect(readdirSync(home)).toEqual([]);
    });
});
