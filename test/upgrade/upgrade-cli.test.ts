// `npm run upgrade` as users run it: arguments it cannot preview are refused
// with exit 2 and one clear message, before anything is planned.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectDirectory } from "../../engine/stack-file";

function upgrade(...args: string[]) {
    const result = spawnSync(process.execPath, ["cli/run.mjs", "upgrade", ...args], { cwd: projectDirectory(), encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("kfstack upgrade, given what it cannot preview", () => {
    it("refuses a release that has no bill of materials, naming the known ones", () => {
        expect(upgrade("prod", "--to", "kubeflow-2.0.0")).toEqual({
            status: 2,
            stdout: "",
            stderr: 'There is no bill of materials "kubeflow-2.0.0"; known releases: kubeflow-1.8.1, kubeflow-1.9.1.\n',
        });
    });

    it("refuses the release the stack already installs, naming the others", () => {
        expect(upgrade("prod", "--to", "kubeflow-1.8.1")).toEqual({
            status: 2,
            stdout: "",
            stderr: "Stack prod already installs kubeflow-1.8.1 (kfstack:kubeflow.release); there is nothing to preview. Choose another release: kubeflow-1.9.1.\n",
        });
    });

    it("refuses a stack that does not exist, naming the stacks there are", () => {
        expect(upgrade("staging", "--to", "kubeflow-1.9.1")).toEqual({
            status: 2,
            stdout: "",
            stderr: `There is no stack "staging": ${join(projectDirectory(), "Pulumi.staging.yaml")} does not exist. Stacks here: airgap, dev, gke-dev, govcloud-airgap, onprem, prod.\n`,
        });
    });
});
