// A stack file without its secrets set can still be planned offline: every
// required secret the stack leaves unset gets a marked placeholder, and the
// plan lists the `pulumi config set --secret` commands to run before
// `pulumi up` (which stops on each with that command: components/stack.ts).
import { CONFIG_NAMESPACE, ConfigError, type ConfigIssue, parseStackConfig, rawStackConfig } from "../components/config/load";
import { setSecretCommand, withUnsetSecretPlaceholders } from "../components/config/secrets";
import { type StackSettings, loadStackSettings } from "./stack-file";

export interface PlannableSettings<S> {
    settings: S;
    /** Full keys of the secrets the stack does not set yet. */
    unset: string[];
}

export function withPlaceholdersForUnsetSecrets<S extends Pick<StackSettings, "stack" | "config" | "secretKeys">>(settings: S): PlannableSettings<S> {
    const { raw, issues } = rawStackConfig(settings.config);
    if (issues.length > 0) return { settings, unset: [] };
    let problems: ConfigIssue[] = [];
    try {
        parseStackConfig(raw, settings.stack);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.issues;
    }
    const { raw: filled, unset } = withUnsetSecretPlaceholders(raw, problems);
    if (unset.length === 0) return { settings, unset };
    const topKeys = [...new Set(unset.map((key) => key.slice(CONFIG_NAMESPACE.length + 1).split(/[.[]/)[0]!))];
    const config = { ...settings.config, ...Object.fromEntries(topKeys.map((top) => [`${CONFIG_NAMESPACE}:${top}`, JSON.stringify(filled[top])])) };
    const secretKeys = [...new Set([...settings.secretKeys, ...topKeys.map((top) => `${CONFIG_NAMESPACE}:${top}`)])];
    return { settings: { ...settings, config, secretKeys }, unset };
}

/** The plan's warning for a secret it planned with a placeholder. */
export const unsetSecretWarning = (key: string) => `${key} is not set, so the plan used a placeholder; before \`pulumi up\`, run: ${setSecretCommand(key)}`;

/** A stack's settings as the offline plan runs them: its unset secrets stood in by placeholders. */
export function plannableStackSettings(stack: string, options: Parameters<typeof loadStackSettings>[1] = {}): StackSettings {
    return withPlaceholdersForUnsetSecrets(loadStackSettings(stack, options)).settings;
}
