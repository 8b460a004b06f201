// The shipped air-gapped stack: an existing cluster whose every image comes from
// the enclave's mirror, references in ConfigMaps and custom resources included.
import { plannableStackSettings } from "../engine/unset-secrets";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/commands";
import { plainValue } from "../components/images/plain-values";
import { publicRegistryMentions } from "../components/images/rewrite";
import { stackConfigOf } from "../components/stack";
import { type Plan, stackPackConfig } from "../engine/plan";
import { evaluatePolicies } from "../engine/policy-check";
import { imageMirror } from "../policies/workloads/img-02-image-mirror";
import { plannedStack } from "./planned-stacks";

const MIRROR = "registry.enclave.example:5000/kubeflow";

describe("stack airgap (existing cluster, every image from the mirror)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("airgap");
    });

    it("names no public registry and no bare Docker Hub image anywhere in the plan", () => {
        const mentions = plan.resources.flatMap((resource) =>
            publicRegistryMentions(plainValue(resource.inputs)).map((mention) => `${resource.name} ${mention.where}: ${mention.text}`),
        );
        expect(mentions).toEqual([]);
    });

    it("lists every image reference it deploys, each from the mirror", () => {
        expect(plan.images.summary.images).toBeGreaterThan(90);
        expect(plan.images.images.filter((entry) => !entry.image.startsWith(`${MIRROR}/`)).map((entry) => entry.image)).toEqual([]);
        const operator = plan.images.images.find((entry) => entry.image.includes("training-operator"))!;
        expect(operator.image).toBe(`${MIRROR}/kubeflow/training-operator:v1-9e52eb7`);
        expect(operator.usedBy.map((use) => use.resource)).toEqual(["Deployment kubeflow/training-operator"]);
    });

    it("rewrites the images inside ConfigMaps and custom resources too", () => {
        const strings = JSON.stringify(
            plan.resources.filter((resource) => /:(ConfigMap|ClusterServingRuntime|Image)$/.test(resource.type)).map((resource) => resource.inputs),
        );
        expect(strings).toContain(`${MIRROR}/kserve/storage-initializer:v0.11.2`);
        expect(strings).toContain(`${MIRROR}/istio`);
    });

    it("sets the KFP v2 driver and launcher, which Pipelines 2.0.5 compiles in, on the API server to mirror references", () => {
        const apiServer = plan.images.images.filter((entry) => entry.usedBy.some(({ resource }) => resource === "Deployment kubeflow/ml-pipeline"));
        expect(
            apiServer.filter((entry) => /kfp-(driver|launcher)/.test(entry.image)).map(({ image, usedBy }) => [image, usedBy.map(({ where }) => where)]),
        ).toEqual([
            [
                `${MIRROR}/ml-pipeline/kfp-driver@sha256:8e60086b04d92b657898a310ca9757631d58547e76bbbb8bfc376d654bef1707`,
                ['spec.template.spec.containers[name="ml-pipeline-api-server"].env[name="V2_DRIVER_IMAGE"].value'],
            ],
            [
                `${MIRROR}/ml-pipeline/kfp-launcher@sha256:80cf120abd125db84fa547640fd6386c4b2a26936e0c2b04a7d3634991a850a4`,
                ['spec.template.spec.containers[name="ml-pipeline-api-server"].env[name="V2_LAUNCHER_IMAGE"].value'],
            ],
        ]);
    });

    it("passes the policy pack with no mandatory violation", () => {
        expect(plan.policy.violations.filter((violation) => violation.enforcement === "mandatory")).toEqual([]);
        expect(plan.policy.evaluated.policies).toBeGreaterThan(25);
    });

    it("makes IMG-02 mandatory for the mirror: a Deployment added with a Docker Hub image fails the check", async () => {
        const { config } = stackConfigOf({ stack: "airgap", config: plannableStackSettings("airgap").config });
        const intruder = {
            type: "kubernetes:apps/v1:Deployment",
            name: "team-a/intruder",
            urn: "urn:pulumi:airgap::kfstack::kubernetes:apps/v1:Deployment::team-a/intruder",
            props: {
                metadata: { name: "intruder", namespace: "team-a" },
                spec: { template: { spec: { containers: [{ name: "app", image: "busybox:1.36" }] } } },
            },
        };
        const records = plan.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.inputs }));
        const report = await evaluatePolicies([...records, intruder], { policies: [imageMirror], config: stackPackConfig(config) });
        expect(report.violations).toEqual([
            {
                policy: "img-02-image-mirror",
                id: "IMG-02",
                enforcement: "mandatory",
                resource: intruder.urn,
                message: `Deployment "team-a/intruder" refers to image "busybox:1.36" (spec.template.spec.containers[name="app"].image), which an air-gapped cluster cannot pull; copy it into the mirror and refer to it under "${MIRROR}/".`,
            },
        ]);
    });

    it("lists the inventory through `kfstack images airgap --json`", async () => {
        const printed: string[] = [];
        const log = vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
        try {
            expect(await runCli(["images", "airgap", "--json"])).toBe(0);
        } finally {
            log.mockRestore();
        }
        const inventory = JSON.parse(printed.join("\n")) as Plan["images"];
        expect(inventory.summary).toEqual(plan.images.summary);
        expect(inventory.images.every((entry) => entry.image.startsWith(`${MIRROR}/`))).toBe(true);
    });
});
