// The stack, resolved once: validated configuration, node pools, bill of
// materials, installed components, mirror and platform facts. The program,
// the plan, the check and the mirror commands all start from this.
import type { ClusterFacts, KubeflowFacts } from "../core/facts";
import { isRecord } from "../core/records";
import type { Bom, BomComponent } from "./bom/schema";
import { CONFIG_NAMESPACE, ConfigError, type ConfigIssue, type ParsedStack, parseStackConfig, rawStackConfig } from "./config/load";
import type { StackConfig } from "./config/schema";
import type { NodePoolPlan } from "./config/topology";
import { clusterFactsOf, kubeflowFactsOf, mirrorOf } from "./facts";
import type { Mirror } from "./images/rewrite";
import { type ManifestsLocation, locateManifests } from "./manifests/location";
import { plainTextSecrets, withSetCommands } from "./config/secrets";

export interface ResolvedStack {
    readonly config: StackConfig;
    /** The general pool, then the GPU pool when there is one. */
    readonly pools: NodePoolPlan[];
    readonly bom: Bom;
    readonly installed: BomComponent[];
    readonly mirror: Mirror | undefined;
    readonly facts: { readonly cluster: ClusterFacts; readonly kubeflow: KubeflowFacts };
    /**
     * The manifests directory, looked up on first use (only a run that installs manifests needs it; checking a stack file
     * does not), and filled then when it is the default cache and lacks files of the installed components.
     */
    manifests(): Promise<ManifestsLocation>;
}

/** A stack's settings as Pulumi hands them to a program: its name, its `namespace:key` config values, and the keys it marks secret. */
export interface StackInput {
    readonly stack: string;
    readonly config: Record<string, string>;
    /** With them, a secret setting outside them was typed into the stack file in plain text, and is refused. */
    readonly secretKeys?: readonly string[];
}

/**
 * A stack's `namespace:key` settings with one value set at a key path, as `pulumi config set --path <key> <value>`
 * would set it: `kfstack:kubeflow.release` changes `release` inside the structured `kfstack:kubeflow` value, keeping
 * the rest. How the upgrade preview plans a stack on another release without a second stack file; throws ConfigError
 * when the path runs through a value that is not a mapping.
 */
export function withConfigOverride(config: Readonly<Record<string, string>>, key: string, value: string): Record<string, string> {
    const [top, ...path] = key.split(".");
    const fullTop = top!.includes(":") ? top! : `${CONFIG_NAMESPACE}:${top}`;
    if (path.length === 0) return { ...config, [fullTop]: value };
    const written = config[fullTop];
    const root: unknown = written === undefined ? {} : /^[[{]/.test(written.trimStart()) ? JSON.parse(written) : written;
    let node = root;
    for (const [index, part] of path.entries()) {
        if (!isRecord(node)) {
            const at = [fullTop, ...path.slice(0, index)].join(".");
            throw new ConfigError([{ key: at, message: `is not a mapping, so ${key} cannot be set inside it; set ${at} as a mapping` }]);
        }
        if (index === path.length - 1) node[part] = value;
        else node = node[part] ??= {};
    }
    return { ...config, [fullTop]: JSON.stringify(root) };
}

/** The validated configuration of a stack, with its pools and release; throws ConfigError. */
export function stackConfigOf({ stack, config: allConfig, secretKeys }: StackInput): ParsedStack {
    const { raw, issues } = rawStackConfig(allConfig);
    if (issues.length > 0) throw new ConfigError(issues);
    const plain = secretKeys ? plainTextSecrets(raw, secretKeys) : [];
    let parsed: ParsedStack | undefined;
    let problems: ConfigIssue[] = [];
    try {
        parsed = parseStackConfig(raw, stack);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = withSetCommands(error.issues);
    }
    if (problems.length + plain.length > 0) throw new ConfigError([...problems, ...plain]);
    return parsed!;
}

/** Resolves a stack from its settings; throws ConfigError. */
export function resolveStack(input: StackInput): ResolvedStack {
    const {
        config,
        pools,
        release: { bom, installed },
    } = stackConfigOf(input);
    const mirror = mirrorOf(config, bom.release);
    let manifests: Promise<ManifestsLocation> | undefined;
    return {
        config,
        pools,
        bom,
        installed,
        mirror,
        facts: { cluster: clusterFactsOf(config, pools), kubeflow: kubeflowFactsOf(config, bom, installed, mirror) },
        manifests: () => (manifests ??= locateManifests(bom, installed, config.manifestsDir)),
    };
}
