// `npm run upgrade -- prod --to kubeflow-1.9.1` as a user runs it: prod planned
// on kubeflow-1.8.1 and on kubeflow-1.9.1 from the two fixture sets, and what
// the preview says moving would do.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { projectDirectory } from "../../engine/stack-file";
import type { UpgradePreview } from "../../engine/upgrade/diff";

let run: { status: number | null; stdout: string; stderr: string };
let preview: UpgradePreview;
beforeAll(() => {
    const json = join(mkdtempSync(join(tmpdir(), "kfstack-upgrade-")), "prod.json");
    const result = spawnSync(process.execPath, ["cli/run.mjs", "upgrade", "prod", "--to", "kubeflow-1.9.1", "--json", json], {
        cwd: projectDirectory(),
        encoding: "utf8",
    });
    run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
    preview = JSON.parse(readFileSync(json, "utf8")) as UpgradePreview;
});

const ids = (objects: { id: string; component: string | null }[], component: string) =>
    objects.filter((object) => object.component === component).map((object) => object.id);
const image = (repository: string) => preview.images.find((change) => change.repository === repository);

describe("npm run upgrade -- prod --to kubeflow-1.9.1", () => {
    it("writes JSON with exactly the contract's keys, and exits 1 because something blocks", () => {
        expect(run.stderr).toBe("");
        expect(Object.keys(preview)).toEqual(["stack", "from", "to", "added", "removed", "changed", "replaced", "crds", "images", "kubernetes", "blocking"]);
        expect([preview.stack, preview.from.release, preview.to.release]).toEqual(["prod", "kubeflow-1.8.1", "kubeflow-1.9.1"]);
        expect(preview.blocking.length).toBeGreaterThan(0);
        expect(run.status).toBe(1);
        expect(run.stdout).toContain(`\n${preview.blocking.length} blocking:\n`);
    });

    it("shows oidc-authservice leaving, claim and all, for oauth2-proxy", () => {
        expect(ids(preview.removed, "oidc-authservice")).toEqual(
            expect.arrayContaining(["/PersistentVolumeClaim/istio-system/authservice-pvc", "apps/StatefulSet/istio-system/oidc-authservice"]),
        );
        expect(ids(preview.added, "oauth2-proxy")).toEqual(expect.arrayContaining(["/Namespace//oauth2-proxy", "apps/Deployment/oauth2-proxy/oauth2-proxy"]));
        expect(image("docker.io/kubeflowmanifestswg/oidc-authservice")).toEqual({
            repository: "docker.io/kubeflowmanifestswg/oidc-authservice",
            from: ["e236439"],
            to: [],
        });
        expect(run.stdout).toMatch(/\n\| oidc-authservice +\| e236439 +\| - +\|\n/);
        expect(run.stdout).toMatch(/\n\| oauth2-proxy +\| - +\| v7\.6\.0 \(replaces oidc-authservice\) +\|\n/);
        // The stack customizes oidc-authservice's client Secret, but oauth2-proxy takes its place (and its own client): nothing to carry over.
        expect(preview.blocking.filter((item) => item.subject === "oidc-authservice")).toEqual([]);
    });

    it("shows Istio's move from 1.17.5 to 1.22.1 and its CRDs' storage versions", () => {
        expect(image("docker.io/istio/pilot")).toEqual({ repository: "docker.io/istio/pilot", from: ["1.17.5"], to: ["1.22.1"] });
        expect(preview.crds.find((crd) => crd.name === "virtualservices.networking.istio.io")?.storage).toEqual({ from: "v1alpha3", to: "v1beta1" });
        expect(run.stdout).toContain("\n  docker.io/istio/{pilot, proxyv2}: 1.17.5 → 1.22.1\n");
    });

    it("shows the new Pipelines and KServe versions in the images", () => {
        expect(image("gcr.io/ml-pipeline/api-server")).toEqual({ repository: "gcr.io/ml-pipeline/api-server", from: ["2.0.5"], to: ["2.3.0"] });
        expect(image("docker.io/kserve/kserve-controller")).toEqual({ repository: "docker.io/kserve/kserve-controller", from: ["v0.11.2"], to: ["v0.13.1"] });
        expect(run.stdout).toContain("\n  gcr.io/ml-pipeline/{api-server, cache-server, metadata-envoy, metadata-writer, and 3 more}: 2.0.5 → 2.3.0\n");
        expect(run.stdout).toContain("\n  docker.io/kserve/{agent, kserve-controller, lgbserver, paddleserver, and 5 more}: v0.11.2 → v0.13.1\n");
    });

    it("blocks on what loses data or a customization: Knative Eventing's CRDs and narrowed tenant roles, DomainMapping's stored version", () => {
        expect(preview.blocking.filter((item) => item.reason === "stored-crd-version-removed").map((item) => item.subject)).toEqual(
            expect.arrayContaining(["brokers.eventing.knative.dev", "triggers.eventing.knative.dev", "domainmappings.serving.knative.dev"]),
        );
        expect(preview.blocking.filter((item) => item.reason === "customized-component-removed").map((item) => item.subject)).toEqual(["knative-eventing"]);
        expect(preview.replaced.filter((object) => object.dataAtRisk !== null)).toEqual([]);
    });

    it("reports the stack's Kubernetes version against the new window, with the stack's acknowledgement", () => {
        expect(preview.kubernetes).toMatchObject({ version: "1.33", to: { min: "1.29", max: "1.30" }, insideWindow: false });
        expect(preview.kubernetes.acknowledged).toContain("Managed Kubernetes no longer offers 1.26");
    });
});
