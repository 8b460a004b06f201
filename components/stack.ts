// The stack, resolved once: validated configuration, node pools, bill of
// materials, installed components, mirror and platform facts. The program,
// the plan, the check and the mirror commands all start from this.
import type { ClusterFacts, KubeflowFacts } from "../core/facts";
import type { Bom, BomComponent } from "./bom/schema";
import { ConfigError, type ConfigIssue, type ParsedStack, parseStackConfig, rawStackConfig } from "./config/load";
import type { StackConfig } from "./config/schema";
import type { NodePoolPlan } from "./config/topology";
import { clusterFactsOf, kubeflowFactsOf, mirrorOf } from "./facts";
import type { Mirror } from "./images/rewrite";
import { manifestsDirectory } from "./manifests/read";
import { plainTextSecrets, withSetCommands } from "./config/secrets";

export interface ResolvedStack {
    readonly config: StackConfig;
    /** The general pool, then the GPU pool when there is one. */
    readonly pools: NodePoolPlan[];
    readonly bom: Bom;
    readonly installed: BomComponent[];
    readonly mirror: Mirror | undefined;
    readonly facts: { readonly cluster: ClusterFacts; readonly kubeflow: KubeflowFacts };
    /** Looked up on first use: only a run that installs manifests needs the directory (checking a stack file does not). */
    manifestsDir(): string;
}

/**
 * The validated configuration in a stack's `namespace:key` config values (as Pulumi hands them to a program), with its
 * pools and release; throws ConfigError. With the keys Pulumi marks secret, a secret setting outside them was typed into
 * the stack file in plain text, and is refused.
 */
export function stackConfigOf(allConfig: Record<string, string>, secretKeys?: readonly string[]): ParsedStack {
    const { raw, issues } = rawStackConfig(allConfig);
    if (issues.length > 0) throw new ConfigError(issues);
    const plain = secretKeys ? plainTextSecrets(raw, secretKeys) : [];
    let parsed: ParsedStack | undefined;
    let problems: ConfigIssue[] = [];
    try {
        parsed = parseStackConfig(raw);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = withSetCommands(error.issues);
    }
    if (problems.length + plain.length > 0) throw new ConfigError([...problems, ...plain]);
    return parsed!;
}

/** Resolves a stack from its `namespace:key` config values (and the keys Pulumi marks secret); throws ConfigError. */
export function resolveStack(allConfig: Record<string, string>, secretKeys?: readonly string[]): ResolvedStack {
    const {
        config,
        pools,
        release: { bom, installed },
    } = stackConfigOf(allConfig, secretKeys);
    const mirror = mirrorOf(config, bom.release);
    let manifestsDir: string | undefined;
    return {
        config,
        pools,
        bom,
        installed,
        mirror,
        facts: { cluster: clusterFactsOf(config, pools), kubeflow: kubeflowFactsOf(config, bom, installed, mirror) },
        manifestsDir: () => (manifestsDir ??= manifestsDirectory(bom, config.manifestsDir)),
    };
}
