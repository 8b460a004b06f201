// Planning a stack with one config key set over its stack file's, as
// `pulumi config set --path` would: how the upgrade preview plans the target release.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../components/config/load";
import { stackConfigOf, withConfigOverride } from "../../components/stack";
import { plannableStackSettings } from "../../engine/unset-secrets";

describe("withConfigOverride", () => {
    const config = { "kfstack:cloud": "aws", "kfstack:kubeflow": JSON.stringify({ gateway: { hosts: ["kubeflow.example.com"] } }) };

    it("sets a key inside a structured value and keeps the rest of it", () => {
        expect(withConfigOverride(config, "kfstack:kubeflow.release", "kubeflow-1.9.1")).toEqual({
            "kfstack:cloud": "aws",
            "kfstack:kubeflow": '{"gateway":{"hosts":["kubeflow.example.com"]},"release":"kubeflow-1.9.1"}',
        });
    });

    it("creates the structured value when the stack file has none, and takes a key without the namespace as kfstack's", () => {
        expect(withConfigOverride({ "kfstack:cloud": "aws" }, "kubeflow.release", "kubeflow-1.9.1")).toEqual({
            "kfstack:cloud": "aws",
            "kfstack:kubeflow": '{"release":"kubeflow-1.9.1"}',
        });
        expect(withConfigOverride(config, "kfstack:cloud", "gcp")["kfstack:cloud"]).toBe("gcp");
    });

    it("leaves the settings it was given unchanged", () => {
        const before = JSON.stringify(config);
        withConfigOverride(config, "kfstack:kubeflow.release", "kubeflow-1.9.1");
        expect(JSON.stringify(config)).toBe(before);
    });

    it("refuses a path through a value that is not a mapping", () => {
        expect(() => withConfigOverride(config, "kfstack:cloud.release", "x")).toThrow(
            new ConfigError([
                { key: "kfstack:cloud", message: "is not a mapping, so kfstack:cloud.release cannot be set inside it; set kfstack:cloud as a mapping" },
            ]),
        );
    });

    it("reaches the one stack resolution: the overridden release is validated as the stack file's would be", () => {
        const settings = plannableStackSettings("prod");
        const overridden = { ...settings, config: withConfigOverride(settings.config, "kfstack:kubeflow.release", "kubeflow-0.0.0") };
        expect(() => stackConfigOf(overridden)).toThrow('kfstack:kubeflow.release: There is no bill of materials "kubeflow-0.0.0"');
        expect(stackConfigOf(settings).release.bom.release).toBe("kubeflow-1.8.1");
    });
});
