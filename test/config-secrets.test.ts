// Secrets in stack files: found in the schema, refused in plain text, named with
// the command that sets them when missing, and planned offline with a marked
// placeholder; no shipped stack carries fake ciphertext.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rawStackConfig } from "../components/config/load";
import { secretPaths } from "../components/config/secrets";
import { platformProgram } from "../components/platform";
import { runOffline } from "../engine/offline";
import { planStack } from "../engine/plan";
import { loadStackSettings, projectDirectory } from "../engine/stack-file";
import { withPlaceholdersForUnsetSecrets } from "../engine/unset-secrets";
import { type RawConfig, build, rejection, set, toWire } from "./config-cases";
import { skipWithoutFixtures } from "./requirements";

const HASH = "$2y$12$kfstackTestSaltOnly0000uQe1cZ3lV9wYh2m8nN4pR6sT0vX2yA";
const dev = (): RawConfig => rawStackConfig(withPlaceholdersForUnsetSecrets(loadStackSettings("dev")).settings.config).raw;
const run = (raw: RawConfig, secretKeys: string[]) =>
    runOffline(platformProgram(), { project: "kfstack", stack: "secrets", config: toWire("kfstack", raw), secretKeys });

describe("secret settings", () => {
    it("are found in the schema, wherever a setting is a secretValue", () => {
        expect([...secretPaths()].sort()).toEqual([
            "airGap.pullSecret.password",
            "identity.oidc.clientSecret",
            "identity.staticAdmin.passwordHash",
            "monitoring.alertRouting.pagerDuty.routingKey",
            "monitoring.alertRouting.slack.webhookUrl",
            "monitoring.alertRouting.webhook.url",
            "monitoring.grafanaAdminPassword",
        ]);
    });

    it("are refused when typed into the stack file in plain text, with the command that sets them encrypted", async () => {
        const { error } = await rejection(run(build(dev(), set("identity.staticAdmin.passwordHash", HASH)), []));
        expect(error.issues).toEqual([
            {
                key: "kfstack:identity.staticAdmin.passwordHash",
                message:
                    "is a secret written in plain text into the stack file; delete it there and set it encrypted: pulumi config set --secret --path 'kfstack:identity.staticAdmin.passwordHash' '<value>'",
            },
        ]);
    });

    it.skipIf(skipWithoutFixtures("the secret settings test"))("are accepted when Pulumi marks their key secret (set with --secret)", async () => {
        const planned = await run(build(dev(), set("identity.staticAdmin.passwordHash", HASH)), ["kfstack:identity"]);
        expect(planned.resources.length).toBeGreaterThan(100);
    });

    it("stop a real run when required and missing, naming the command that sets them", async () => {
        const raw = rawStackConfig(loadStackSettings("dev").config).raw;
        const { error } = await rejection(run(raw, []));
        expect(error.issues).toEqual([
            {
                key: "kfstack:identity.staticAdmin.passwordHash",
                message: "is required, as a secret: pulumi config set --secret --path 'kfstack:identity.staticAdmin.passwordHash' '<value>'",
            },
        ]);
        expect(error.message.split("\n").at(-1)).toBe("Fix these keys in Pulumi.secrets.yaml; README.md has the configuration reference.");
    });

    it.skipIf(skipWithoutFixtures("the secret settings test"))(
        "are planned offline with a marked placeholder, and the plan says what to set before pulumi up",
        async () => {
            const plan = await planStack("prod");
            expect(plan.summary.warnings.filter((warning) => warning.includes("is not set"))).toEqual(
                [
                    "kfstack:identity.oidc.clientSecret",
                    "kfstack:monitoring.alertRouting.slack.webhookUrl",
                    "kfstack:monitoring.alertRouting.pagerDuty.routingKey",
                ].map(
                    (key) =>
                        `${key} is not set, so the plan used a placeholder; before \`pulumi up\`, run: pulumi config set --secret --path '${key}' '<value>'`,
                ),
            );
        },
    );

    it("are never shipped as placeholder ciphertext, which a real pulumi preview refuses as a bad value", () => {
        const stackFiles = readdirSync(projectDirectory()).filter((file) => /^Pulumi\..+\.yaml$/.test(file));
        expect(stackFiles.length).toBeGreaterThanOrEqual(5);
        for (const file of stackFiles) expect(readFileSync(`${projectDirectory()}/${file}`, "utf8"), file).not.toMatch(/secure:/);
    });
});
