// Proof that the mirror answers every image reference the air-gapped plans
// write: the mirror stacks' inventory (what `npm run docs` lists in
// registry/Pulumi.*.yaml) is published as synthetic images under the real
// names, locked, bundled and pushed with the CLI into a local registry that
// stands in for the enclave's mirror; then every reference each air-gapped
// stack's plan makes after rewriting (taken from the plan with the one image
// matcher, not from the inventory) is asked of that registry with skopeo, the
// stack's kfstack:airGap.registry prefix asked at the local registry.
//
// Digests: a synthetic image cannot have the digest upstream pins (Knative's
// `@sha256:…` references, and every reference once a lock is committed). Each
// such image is published under a stand-in tag (`sha256-<hex>` of the upstream
// digest), and the test maps the upstream digest to the stand-in's own when it
// asks: that proves the plan names a repository the push filled and that the
// registry resolves it by digest. It cannot prove the registry serves the
// upstream digest itself; for real images that chain is the lock (which refuses
// a digest other than the one the reference pins, components/images/lock.ts),
// the bundle copying by that digest, and the push reading back the digest the
// registry serves (the mirror end-to-end tests).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBom } from "../../components/bom/load";
import { installedImages, runtimeImagesOf } from "../../components/bom/schema";
import { type PlanImageReference, planImageReferences } from "../../components/images/inventory";
import { loadImageLock } from "../../components/images/lock";
import { stackConfigOf } from "../../components/stack";
import { isUnderPrefix, normalizeImage, withoutTrailingSlash } from "../../core/image-references";
import { type LocalRegistry, startLocalRegistry } from "../../engine/image-transfer/local-registry";
import { writeLock } from "../../engine/image-transfer/lock";
import { Skopeo } from "../../engine/image-transfer/skopeo";
import { publishSynthetic, registriesConf, syntheticImagesNamed } from "../../engine/image-transfer/synthetic";
import { missingReferencesReport, verifyReferences } from "../../engine/image-transfer/verify";
import type { Plan } from "../../engine/plan";
import { listStacks } from "../../engine/stack-file";
import { plannableStackSettings } from "../../engine/unset-secrets";
import { plannedStack, type SharedStack } from "../planned-stacks";
import { MIRRORED_IMAGES } from "../registry/helpers";
import { kfstack, mirrorTools, summaryRow } from "./helpers";

const tools = mirrorTools("the resolve-every-reference end-to-end test");
const RELEASE = "kubeflow-1.8.1";
/** The stacks the inventory is generated from (cli/registry-stacks.ts INVENTORY_STACKS): what explains a pushed image no air-gapped plan names. */
const INVENTORY_PLANS: SharedStack[] = ["prod", "dev"];

interface AirGapped {
    stack: string;
    prefix: string;
    references: PlanImageReference[];
}

/** Every shipped stack with kfstack:airGap.enabled, its mirror prefix, and every image reference its plan makes. */
async function airGappedStacks(): Promise<AirGapped[]> {
    const stacks = listStacks().flatMap((stack) => {
        const { airGap } = stackConfigOf({ stack, config: plannableStackSettings(stack).config }).config;
        return airGap.enabled ? [{ stack, prefix: withoutTrailingSlash(airGap.registry!) }] : [];
    });
    const plans: AirGapped[] = [];
    for (const { stack, prefix } of stacks) {
        // A shipped stack plans by its name alone, so the run's shared cache serves it (and other files share this plan).
        const plan = await plannedStack(stack as SharedStack);
        plans.push({ stack, prefix, references: planImageReferences(recordsOf(plan)) });
    }
    return plans;
}

const recordsOf = (plan: Plan) => plan.resources.map((resource) => ({ type: resource.type, name: resource.name, props: resource.inputs }));

/** `<path>[:tag][@digest]` of an image as normalized: what a mirror keeps of it under any prefix. */
function pathOf(image: string): string {
    const normalized = normalizeImage(image)!;
    return `${normalized.path}${normalized.tag !== undefined ? `:${normalized.tag}` : ""}${normalized.digest !== undefined ? `@${normalized.digest}` : ""}`;
}

/** `<path>[:tag][@digest]` of a reference under the prefix, and its repository path alone. */
const pathUnder = (image: string, prefix: string) => pathOf(`mirror.invalid/${image.slice(prefix.length + 1)}`);
const repositoryUnder = (image: string, prefix: string) => normalizeImage(`mirror.invalid/${image.slice(prefix.length + 1)}`)!.path;

/** The name a digest-pinned image is published under as a synthetic image: its upstream digest as a tag. */
function standInName(image: string): string {
    const normalized = normalizeImage(image)!;
    return normalized.digest === undefined ? normalized.image : `${normalized.registry}/${normalized.path}:${normalized.digest.replace(":", "-")}`;
}

/** A Skopeo that asks the registry once per reference: the air-gapped stacks share most references, asked at the same local registry. */
class RememberingSkopeo extends Skopeo {
    private readonly manifests = new Map<string, Promise<Buffer>>();
    private readonly tags = new Map<string, Promise<string[]>>();

    override rawManifest(reference: string, options: { tlsVerify?: boolean } = {}): Promise<Buffer> {
        if (!this.manifests.has(reference)) this.manifests.set(reference, super.rawManifest(reference, options));
        return this.manifests.get(reference)!;
    }

    override listTags(repository: string, options: { tlsVerify?: boolean } = {}): Promise<string[]> {
        if (!this.tags.has(repository)) this.tags.set(repository, super.listTags(repository, options));
        return this.tags.get(repository)!;
    }
}

describe.skipIf(tools.skip)("every image reference of the air-gapped plans resolves in the pushed mirror", () => {
    let root: string;
    let publicRegistry: LocalRegistry | undefined;
    let privateRegistry: LocalRegistry | undefined;
    let mirror: string;
    let bundle: string;
    let stacks: AirGapped[];
    /** `<path>@<upstream digest>` → the digest of the synthetic image standing in for it. */
    const standInDigests = new Map<string, string>();

    /** The reference as the test asks it: an upstream digest under the prefix replaced by its stand-in's. */
    const asAsked = (reference: PlanImageReference, prefix: string): PlanImageReference => {
        const digest = normalizeImage(reference.image)?.digest;
        if (digest === undefined || !isUnderPrefix(reference.image, prefix)) return reference;
        const standIn = standInDigests.get(`${repositoryUnder(reference.image, prefix)}@${digest}`);
        return standIn ? { ...reference, image: reference.image.replace(`@${digest}`, `@${standIn}`) } : reference;
    };
    const committed = loadImageLock(RELEASE);
    /** Every name a pushed inventory image answers to: `<path>:<tag>`, or `<path>@<digest>` for the digest upstream or the committed lock pins. */
    const namesOf = (image: string) => {
        const normalized = normalizeImage(image)!;
        const upstream = normalized.digest ?? committed.get(normalized.image);
        return [pathOf(image), ...(upstream !== undefined ? [`${normalized.path}@${upstream}`] : [])];
    };

    beforeAll(async () => {
        tools.assert();
        root = mkdtempSync(join(tmpdir(), "kfstack-resolve-"));
        publicRegistry = await startLocalRegistry(join(root, "public"));
        privateRegistry = await startLocalRegistry(join(root, "private"));
        mirror = `${privateRegistry.host}/mirror`;
        const names = MIRRORED_IMAGES.map(standInName);
        const built = await publishSynthetic(new Skopeo(), publicRegistry.host, join(root, "published"), syntheticImagesNamed(names));
        const conf = join(root, "registries.conf");
        writeFileSync(conf, registriesConf(publicRegistry.host, names));
        // The digests as `images lock` resolves them (the mirror end-to-end tests run it), without asking the registry again.
        const digests = new Map(built.map((image) => [image.image, image.digest]));
        const lockFile = join(root, "lock.json");
        writeLock(lockFile, { release: RELEASE, images: Object.fromEntries(digests) });
        const manifests = join(root, "manifests");
        mkdirSync(manifests);
        writeFileSync(join(manifests, "kubeflow.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n");
        bundle = join(root, "bundle");
        const runs = [
            ["mirror", "bundle", "--lock", lockFile, "--out", bundle, "--manifests", manifests, "--registries-conf", conf],
            ["mirror", "push", "--bundle", bundle, "--registry", mirror, "--insecure"],
        ];
        for (const argv of runs) {
            const run = await kfstack(...argv);
            expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(0);
        }
        // The digest upstream pins, or the committed lock's (which pins every tagged reference of the plan once it exists).
        for (const image of MIRRORED_IMAGES) {
            for (const name of namesOf(image).filter((name) => name.includes("@"))) standInDigests.set(name, digests.get(standInName(image))!);
        }
        stacks = await airGappedStacks();
    }, 300_000);

    afterAll(async () => {
        await publicRegistry?.stop();
        await privateRegistry?.stop();
        if (root) rmSync(root, { recursive: true, force: true });
    });

    it("finds the shipped air-gapped stacks and every kind of place their plans write images", () => {
        expect(stacks.map((entry) => entry.stack)).toContain("airgap");
        const airgap = stacks.find((entry) => entry.stack === "airgap")!;
        const wheres = airgap.references.map((reference) => `${reference.resource.split(" ")[0]} ${reference.where}`);
        for (const place of [
            /^Deployment spec\.template\.spec\.containers\[/,
            /initContainers\[/,
            /^ConfigMap data/,
            /\.env\[/,
            /^ClusterServingRuntime spec\./,
        ]) {
            expect(
                wheres.some((where) => place.test(where)),
                String(place),
            ).toBe(true);
        }
        expect(airgap.references.some((reference) => normalizeImage(reference.image)?.digest !== undefined)).toBe(true);
    });

    it("resolves every reference of every air-gapped plan, tag by tag and digest by digest", async () => {
        const reports: string[] = [];
        const skopeo = new RememberingSkopeo();
        for (const { stack, prefix, references } of stacks) {
            const result = await verifyReferences({
                references: references.map((reference) => asAsked(reference, prefix)),
                prefix,
                registry: mirror,
                insecure: true,
                skopeo,
            });
            if (result.missing.length > 0) reports.push(missingReferencesReport(stack, result));
            expect(result.checks.length, stack).toBe(new Set(references.map((reference) => reference.image)).size);
        }
        expect(reports.join("\n\n")).toBe("");
    });

    it("maps every digest a plan pins to an image the bundle carried: none is asked by a digest nobody pushed", () => {
        for (const { prefix, references } of stacks) {
            const pinned = references.filter((reference) => normalizeImage(reference.image)?.digest !== undefined);
            expect(pinned.filter((reference) => asAsked(reference, prefix) === reference).map((reference) => reference.image)).toEqual([]);
        }
    });

    it("pushed only images a plan names or the bill of materials pins (runtime images too), or that a stack of the shared inventory deploys", async () => {
        const pushed = (JSON.parse(readFileSync(join(bundle, "pushed.json"), "utf8")) as { pushed: Record<string, string> }).pushed;
        expect(Object.keys(pushed).sort()).toEqual(MIRRORED_IMAGES.map((image) => `${mirror}/${pathOf(standInName(image))}`).sort());
        const named = new Set(
            stacks.flatMap(({ prefix, references }) =>
                references.filter((reference) => isUnderPrefix(reference.image, prefix)).map((reference) => pathUnder(reference.image, prefix)),
            ),
        );
        const bom = loadBom(RELEASE);
        const bomPinned = new Set([...installedImages(bom, bom.components), ...runtimeImagesOf(bom.components)].map(pathOf));
        const unnamed = MIRRORED_IMAGES.filter((image) => !namesOf(image).some((name) => named.has(name) || bomPinned.has(name)));
        // The mirror holds one release's images for every stack: an EKS stack's cluster autoscaler is not an existing cluster's.
        const deployed = new Set(
            (await Promise.all(INVENTORY_PLANS.map(plannedStack))).flatMap((plan) => plan.images.images.map((entry) => pathOf(entry.image))),
        );
        expect(unnamed.filter((image) => !namesOf(image).some((name) => deployed.has(name)))).toEqual([]);
    });

    it("reports a reference that was not pushed, and one outside the mirror, with every object path that names it", async () => {
        const { prefix } = stacks.find((entry) => entry.stack === "airgap")!;
        const unpushed = `${prefix}/team-a/feature-store:1.4.0`;
        const intruders = planImageReferences([
            {
                type: "kubernetes:apps/v1:Deployment",
                name: "team-a/features",
                props: {
                    metadata: { name: "features", namespace: "team-a" },
                    spec: {
                        template: {
                            spec: { initContainers: [{ name: "warm", image: unpushed }], containers: [{ name: "app", image: `${prefix}/library/python:3.7` }] },
                        },
                    },
                },
            },
            {
                type: "kubernetes:core/v1:ConfigMap",
                name: "team-a/jobs",
                props: { metadata: { name: "jobs", namespace: "team-a" }, data: { "job.yaml": `image: ${unpushed}\n` } },
            },
            {
                type: "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
                name: "team-a/mlserver",
                props: {
                    metadata: { name: "mlserver", namespace: "team-a" },
                    spec: { containers: [{ name: "kserve-container", image: "docker.io/seldonio/mlserver:1.3.2" }] },
                },
            },
        ]);
        // Beside a pushed image (python:3.7), which resolves; every other reference of the plan is asked above.
        const result = await verifyReferences({ references: intruders, prefix, registry: mirror, insecure: true, skopeo: new Skopeo() });
        expect(result.checks.map((check) => [check.reference, check.problem === undefined])).toEqual([
            ["docker.io/seldonio/mlserver:1.3.2", false],
            [`${prefix}/library/python:3.7`, true],
            [unpushed, false],
        ]);
        expect(result.missing.map((check) => [check.reference, check.uses])).toEqual([
            ["docker.io/seldonio/mlserver:1.3.2", [{ resource: "ServingRuntime team-a/mlserver", where: 'spec.containers[name="kserve-container"].image' }]],
            [
                unpushed,
                [
                    { resource: "Deployment team-a/features", where: 'spec.template.spec.initContainers[name="warm"].image' },
                    { resource: "ConfigMap team-a/jobs", where: 'data["job.yaml"] line 1' },
                ],
            ],
        ]);
        expect(missingReferencesReport("airgap", result)).toContain(
            [
                `2 of 3 image references of stack airgap do not resolve in ${mirror}:`,
                `  docker.io/seldonio/mlserver:1.3.2: not under the mirror prefix ${prefix}, so a node pulls it from elsewhere`,
                '    ServingRuntime team-a/mlserver spec.containers[name="kserve-container"].image',
                `  ${unpushed} (asked as docker://${mirror}/team-a/feature-store:1.4.0): the registry does not answer it: `,
            ].join("\n"),
        );
        expect(missingReferencesReport("airgap", result)).toContain(
            `\n    Deployment team-a/features spec.template.spec.initContainers[name="warm"].image\n    ConfigMap team-a/jobs data["job.yaml"] line 1\n`,
        );
    });

    it("`mirror verify` plans the stack and lists what does not resolve: here exactly the digests no synthetic image can have", async () => {
        const { prefix, references } = stacks.find((entry) => entry.stack === "airgap")!;
        const run = await kfstack("mirror", "verify", "--stack", "airgap", "--registry", mirror, "--insecure");
        expect(run.code).toBe(1);
        const digestPinned = [
            ...new Set(references.filter((reference) => normalizeImage(reference.image)?.digest !== undefined).map((reference) => reference.image)),
        ].sort();
        const listed = [...run.stderr.matchAll(/^ {2}(\S+)(?: \(asked as \S+\))?: /gm)].map((match) => match[1]);
        expect(listed).toEqual(digestPinned);
        const distinct = new Set(references.map((reference) => reference.image)).size;
        expect(run.stderr).toContain(`${digestPinned.length} of ${distinct} image references of stack airgap do not resolve in ${mirror}:`);
        expect(summaryRow(run.stdout).slice(0, 5)).toEqual([
            mirror,
            String(distinct),
            String(references.length),
            String(distinct - digestPinned.length),
            String(digestPinned.length),
        ]);
        expect(digestPinned.every((image) => image.startsWith(`${prefix}/`))).toBe(true);
    });
});
