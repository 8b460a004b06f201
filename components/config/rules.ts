// Rules that span several keys of a stack. They run inside the schema's parse
// (superRefine), so their problems arrive in the same error as type errors, each
// with its key path; the rules of an area live beside it (cluster, tenancy, bom).
import type { z } from "zod";
import { type StackRelease, resolveRelease } from "../bom/compatibility";
import { existingClusterProblems } from "../cluster/existing-rules";
import { clusterProblems } from "../cluster/rules";
import { dataPlaneProblems } from "../data-plane/rules";
import { gatewayProblems } from "../kubeflow/gateway-rules";
import { quotaProblems } from "../tenancy/quota-rules";
import { tenantProblems } from "../tenancy/rules";
import type { StackConfig } from "./schema";
import { type ConfigProblem, type NodePoolPlan, resolvePools } from "./topology";

/** What the rules resolve on the way: the node pools (general first) and the release. */
export interface CheckedStack {
    pools: NodePoolPlan[];
    release?: StackRelease;
}

/** Reports every problem of `config` to `ctx`; returns what it resolved, so nothing resolves it again. */
export function checkStack(config: StackConfig, ctx: z.RefinementCtx, stack: string): CheckedStack {
    const { general, gpu, problems: poolProblems } = resolvePools(config);
    const { release, problems: releaseProblems } = resolveRelease(config);
    const problems = [
        ...clusterProblems(config),
        ...existingClusterProblems(config, gpu),
        ...identityProblems(config),
        ...gatewayProblems(config),
        ...(config.airGap.enabled && !config.airGap.registry
            ? [
                  {
                      path: ["airGap", "registry"],
                      message: "is required when airGap.enabled is true: the mirror registry's prefix (the mirror stack's registryPrefix output)",
                  },
              ]
            : []),
        ...pullSecretProblems(config),
        ...tenantProblems(config),
        ...dataPlaneProblems(config, stack),
        ...quotaProblems(config, gpu),
        ...releaseProblems,
        ...(config.cloud === "gcp" && config.monitoring.devicePlugin === "install"
            ? [
                  {
                      path: ["monitoring", "devicePlugin"],
                      message: "cannot be install on gcp: GKE runs its own NVIDIA device plugin on GPU nodes, and a second one would fight it; remove the key",
                  },
              ]
            : []),
        ...poolProblems,
    ];
    for (const { path, message } of problems) ctx.addIssue({ code: "custom", path, message });
    return { pools: general ? [general, ...(gpu ? [gpu] : [])] : [], release };
}

function identityProblems(config: StackConfig): ConfigProblem[] {
    const { oidc, staticAdmin } = config.identity;
    if (oidc && staticAdmin) return [{ path: ["identity", "staticAdmin"], message: "cannot be set together with identity.oidc; choose one way to log in" }];
    if (!oidc && !staticAdmin)
        return [{ path: ["identity"], message: "sets neither oidc nor staticAdmin; choose one way to log in, kfstack installs no default login" }];
    return [];
}

/** Pull credentials are for an existing cluster's mirror; cloud nodes pull from their cloud's registry with their own identity. */
function pullSecretProblems(config: StackConfig): ConfigProblem[] {
    if (!config.airGap.pullSecret) return [];
    const path = ["airGap", "pullSecret"];
    if (!config.airGap.enabled) return [{ path, message: "is set, but airGap.enabled is false; enable the air gap or remove it" }];
    if (config.cloud === "aws") {
        return [
            {
                path,
                message:
                    "is for an existing cluster's registry; EKS nodes pull from the ECR mirror with the node role (kubelet's ECR credential provider), and an ECR token would expire in 12 hours: remove it",
            },
        ];
    }
    if (config.cloud === "gcp") {
        return [{ path, message: "is for an existing cluster's registry; GKE nodes pull from Artifact Registry with their service account: remove it" }];
    }
    return [];
}
