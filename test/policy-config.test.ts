import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runCli } from "../cli/commands";
import { PolicyConfigError, resolvePackConfig } from "../engine/policy-config";
import { ALL_POLICIES } from "../policies/all";

describe("the pack config, validated as the Pulumi CLI validates it before it configures the pack", () => {
    it("gives every policy its enforcement level and its schema's defaults, overridden by the config", () => {
        const config = resolvePackConfig(ALL_POLICIES, {
            "rbac-01-cluster-admin": { breakGlassSubjects: ["Group:platform-breakglass"] },
            "img-01-image-tags": "advisory",
        });
        expect(config.get("rbac-01-cluster-admin")).toEqual({
            enforcementLevel: "mandatory",
            properties: { breakGlassSubjects: ["Group:platform-breakglass"] },
        });
        expect(config.get("img-01-image-tags")?.enforcementLevel).toBe("advisory");
        expect(config.get("ver-02-bom-images")?.properties["namespaces"]).toContain("kubeflow");
        expect([...config.keys()]).toEqual(ALL_POLICIES.map((policy) => policy.name));
    });

    it("has schema defaults that its own schemas accept (a run validates only the settings a config gives)", () => {
        const configurable = ALL_POLICIES.filter((policy) => policy.configSchema);
        expect(configurable.length).toBeGreaterThan(5);
        const defaults = resolvePackConfig(ALL_POLICIES, {});
        const explicit = Object.fromEntries(configurable.map((policy) => [policy.name, { ...defaults.get(policy.name)!.properties }]));
        expect(() => resolvePackConfig(ALL_POLICIES, explicit)).not.toThrow();
    });

    it("refuses a setting its policy's configSchema rejects and a policy the pack does not have, naming each", () => {
        const refuse = () =>
            resolvePackConfig(ALL_POLICIES, {
                "rbac-01-cluster-admin": { breakGlassSubjects: ["platform-breakglass"] },
                "img-02-mirror-registry": { enforcementLevel: "mandatory" },
            });
        expect(refuse).toThrow(PolicyConfigError);
        expect(refuse).toThrow(
            [
                "The policy pack config is invalid:",
                '  "img-02-mirror-registry" is not a policy of the kfstack pack; use a name from the README\'s policy table.',
                '  rbac-01-cluster-admin.breakGlassSubjects.0: must match pattern "^(ServiceAccount:[^/]+/[^/]+|(User|Group):.+)$".',
            ].join("\n"),
        );
    });

    it("stops `kfstack check` with exit 2 and the reason, before any policy runs", async () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-policy-config-"));
        writeFileSync(join(directory, "resources.json"), "[]");
        writeFileSync(join(directory, "config.json"), JSON.stringify({ "rbac-01-cluster-admin": { breakGlassSubjects: "Group:admins" } }));
        const printed: string[] = [];
        const error = vi.spyOn(console, "error").mockImplementation((text: string) => void printed.push(text));
        try {
            const code = await runCli(["check", "--resources", join(directory, "resources.json"), "--policy-config", join(directory, "config.json")]);
            expect(code).toBe(2);
        } finally {
            error.mockRestore();
        }
        expect(printed).toEqual(["The policy pack config is invalid:\n  rbac-01-cluster-admin.breakGlassSubjects: must be array."]);
    });
});
