// The CLI as users run it: `npm run plan -- <stack>` in a fresh process.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectDirectory } from "../engine/stack-file";

function kfstack(...args: string[]) {
    const result = spawnSync(process.execPath, ["cli/run.mjs", ...args], { cwd: projectDirectory(), encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scratch = () => mkdtempSync(join(tmpdir(), "kfstack-cli-"));

describe("kfstack plan", () => {
    it("writes the plan JSON with exactly the contract's keys and prints the node pools and cost", () => {
        const out = join(scratch(), "dev.json");
        const run = kfstack("plan", "dev", "--json", out);
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const plan = JSON.parse(readFileSync(out, "utf8"));
        expect(Object.keys(plan)).toEqual(["project", "stack", "resources", "outputs", "summary", "policy", "tenancy", "images"]);
        expect(plan.project).toBe("kfstack");
        expect(plan.stack).toBe("dev");
        // A component also has the outputs it registered, which stack policies read; a custom resource has none. Each has its options.
        const keys = ["urn", "type", "name", "parent", "dependsOn", "provider", "inputs"];
        const resources = plan.resources as { type: string; outputs?: object }[];
        for (const resource of resources) {
            const component = resource.type.startsWith("kfstack:") || resource.type === "pulumi:pulumi:Stack";
            expect(Object.keys(resource)).toEqual(component ? [...keys, "outputs", "options"] : [...keys, "options"]);
        }
        expect(resources.find((resource) => resource.type === "kfstack:kubeflow:Kubeflow")?.outputs).toMatchObject({
            release: "kubeflow-1.8.1",
            kubernetesVersion: "1.33",
        });
        expect(plan.resources).toHaveLength(plan.summary.resourceCount + 1);
        expect(run.stdout).toContain(
            "| general | m6id.4xlarge | 3/3/6                   | 48   | 192        | 2,850   | 0    | $0.95       | $2,078.75         | $4,157.50     |",
        );
        expect(run.stdout).toContain("prices from https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, us-east-1), 2025-05-01.");
        expect(Object.keys(plan.summary.cost)).toEqual(["monthlyUsd", "lines"]);
        expect(run.stdout).toMatch(
            /\n\| EKS control plane kfstack-dev \(standard support\) +\| 730 +\| cluster-hour +\| \$0\.1 +\| \$73\.00 +\| https:\/\/aws\.amazon\.com\/eks\/pricing\/ \(us-east-1, 2025-05-01\) +\|\n/,
        );
        expect(run.stdout).toMatch(/\n\| total \(priced lines\) +\| +\| +\| +\| \$2,226\.05 +\| +\|\n/);
    });

    it("fails an invalid stack file with exit 1, every bad key named, and no plan written", () => {
        const directory = scratch();
        const stackFile = join(directory, "Pulumi.broken.yaml");
        writeFileSync(
            stackFile,
            [
                "config:",
                "  kfstack:cloud: aws",
                "  kfstack:topology: production",
                '  kfstack:kubernetesVersion: "1.33"',
                "  kfstack:region: us-east-1",
                "  kfstack:zones: [us-east-1a]",
                "  kfstack:identity:",
                "    staticAdmin: { email: admin@example.com, passwordHash: $2y$12$abcdefghijklmnopqrstuv }",
                "  kfstack:cluster:",
                "    gpuPool:",
                "      instanceType: m6id.8xlarge",
                "",
            ].join("\n"),
        );
        const out = join(directory, "plan.json");
        const run = kfstack("plan", "broken", "--config", stackFile, "--json", out);
        expect(run.status).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            [
                "Invalid kfstack configuration: 7 problems; nothing was created.",
                "  kfstack:zones: needs at least 2 zones so the cluster survives the loss of one",
                "  kfstack:kubeflow.gateway.tls: is selfSigned (the default) on a production stack, so no client trusts the gateway; set kubeflow.gateway.tls.mode to acme " +
                    "(with kubeflow.gateway.dns) or ca (the site's CA), or set kubeflow.gateway.acknowledgeSelfSigned.reason to say why self-signed is acceptable",
                "  kfstack:kubernetesVersion: 1.33 is outside the Kubernetes window of kubeflow-1.8.1: kubeflow-1.8.1 supports 1.25–1.26 (upstream also tested 1.27); " +
                    "cert-manager v1.12.2 supports 1.22–1.27; istio-crds 1.17.5 supports 1.23–1.26; istio-install 1.17.5 supports 1.23–1.26; knative-serving 1.10.2 supports 1.25–1.26; " +
                    "knative-eventing 1.10.1 supports 1.25–1.26; cluster-local-gateway 1.17.5 supports 1.23–1.26. Choose a version inside it, or set " +
                    "kfstack:kubeflow.acknowledgeKubernetesVersion (version 1.33 and a reason) to run it anyway",
                '  kfstack:cluster.gpuPool.instanceType: "m6id.8xlarge" is not a GPU type in the machine table; use one of g5.12xlarge, g5.48xlarge, p4d.24xlarge or p5.48xlarge',
                "  kfstack:cluster.gpuPool.driver.version: is required: pin the NVIDIA driver the GPU nodes run, so CUDA compatibility can be checked",
                '  kfstack:cluster.gpuPool.driver.amiReleaseVersion: is required on aws: pin the AL2023 NVIDIA AMI release (for Kubernetes 1.33, "1.33.x-YYYYMMDD") that ships the driver',
                "  kfstack:identity.staticAdmin.passwordHash: is a secret written in plain text into the stack file; delete it there and set it encrypted: pulumi config set --secret --path 'kfstack:identity.staticAdmin.passwordHash' '<value>'",
                `Fix these keys in ${stackFile}; README.md has the configuration reference.`,
                "",
            ].join("\n"),
        );
        expect(existsSync(out)).toBe(false);
    });

    it("names the stacks that exist when asked for one that does not", () => {
        const run = kfstack("plan", "staging");
        expect(run.status).toBe(2);
        expect(run.stderr).toBe(
            `There is no stack "staging": ${join(projectDirectory(), "Pulumi.staging.yaml")} does not exist. Stacks here: airgap, dev, gke-dev, govcloud-airgap, onprem, prod.\n`,
        );
    });
});
