// The stack, resolved once: validated configuration, node pools, bill of
// materials, installed components, mirror and platform facts. The program,
// the plan, the check and the mirror commands all start from this.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterFacts, KubeflowFacts } from "../core/facts";
import type { Bom, BomComponent } from "./bom/schema";
import { ConfigError, type ParsedStack, parseStackConfig, rawStackConfig } from "./config/load";
import type { StackConfig } from "./config/schema";
import type { NodePoolPlan } from "./config/topology";
import { clusterFactsOf, kubeflowFactsOf, mirrorOf } from "./facts";
import type { Mirror } from "./images/rewrite";
import { manifestsDirectory } from "./manifests/read";

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

/** The validated configuration in a stack's `namespace:key` config values (as Pulumi hands them to a program), with its pools and release; throws ConfigError. */
export function stackConfigOf(allConfig: Record<string, string>): ParsedStack {
    const { raw, issues } = rawStackConfig(allConfig);
    if (issues.length > 0) throw new ConfigError(issues);
    return parseStackConfig(raw);
}

/** Resolves a stack from its `namespace:key` config values; throws ConfigError. */
export function resolveStack(allConfig: Record<string, string>): ResolvedStack {
    const {
        config,
        pools,
        release: { bom, installed },
    } = stackConfigOf(allConfig);
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

/** The running Pulumi stack, resolved from its config. */
export function loadStack(): ResolvedStack {
    return resolveStack(pulumi.runtime.allConfig());
}
