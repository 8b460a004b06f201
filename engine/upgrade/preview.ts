// `npm run upgrade`'s engine: plans a stack on the release it installs and on
// another (the same stack with kfstack:kubeflow.release set, as `pulumi config
// set --path` would), and hands both to the pure diff.
import { windowsMissed } from "../../components/bom/compatibility";
import { availableBoms, loadBom } from "../../components/bom/load";
import { type ResolvedStack, resolveStack } from "../../components/stack";
import { kubernetesKind } from "../../core/kubernetes-resources";
import type { KubernetesObject } from "../../core/objects";
import { isRecord } from "../../core/records";
import type { PlannedResource } from "../offline";
import { type Plan, planStack } from "../plan";
import { plannableStackSettings } from "../unset-secrets";
import { type ReleaseSide, type UpgradePreview, upgradeDiff } from "./diff";

/** The config key that selects a stack's release. */
export const RELEASE_KEY = "kfstack:kubeflow.release";

/** A preview that cannot be made from these arguments (the release the stack already installs). */
export class UpgradeInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UpgradeInputError";
    }
}

type PlanResource = Plan["resources"][number];

/** The BOM component a planned object belongs to: the nearest kfstack:<layer>:Component above it, named `<parent>-<component>`. */
function componentOf(resource: PlanResource, byUrn: Map<string, PlanResource>): string | null {
    for (let parent = resource.parent ? byUrn.get(resource.parent) : undefined; parent; parent = parent.parent ? byUrn.get(parent.parent) : undefined) {
        if (!/^kfstack:[a-z]+:Component$/.test(parent.type)) continue;
        const owner = parent.parent ? byUrn.get(parent.parent) : undefined;
        return owner && parent.name.startsWith(`${owner.name}-`) ? parent.name.slice(owner.name.length + 1) : parent.name;
    }
    return null;
}

/** The Kubernetes objects a plan registers, as plain data (secrets and unknowns as their placeholders), with their components. */
function plannedObjects(resources: readonly Omit<PlannedResource, "custom">[]): ReleaseSide["objects"] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    return resources.flatMap((resource) => {
        const kind = kubernetesKind(resource.type);
        const props = JSON.parse(JSON.stringify(resource.inputs)) as Record<string, unknown>;
        if (!kind || resource.read || !isRecord(props["metadata"]) || typeof props["metadata"]["name"] !== "string") return [];
        return [{ object: { ...props, ...kind } as KubernetesObject, component: componentOf(resource, byUrn) }];
    });
}

/** What the Kubeflow component records it customized: BOM component → the keys of its rendered objects the stack's customizations change or drop. */
function customizedObjects(plan: Plan): Record<string, string[]> {
    const recorded = plan.resources.find((resource) => resource.type === "kfstack:kubeflow:Kubeflow")?.outputs?.["customized"];
    if (!isRecord(recorded)) return {};
    return Object.fromEntries(Object.entries(recorded).map(([component, keys]) => [component, Array.isArray(keys) ? keys.map(String) : []]));
}

async function releaseSide(
    stack: string,
    configFile: string | undefined,
    overrides: Record<string, string>,
): Promise<{ side: ReleaseSide; stack: ResolvedStack }> {
    let resolved: ResolvedStack | undefined;
    const plan = await planStack(stack, { ...(configFile ? { configFile } : {}), overrides, onResolved: (resolution) => (resolved = resolution) });
    const { bom, installed, config } = resolved!;
    const customized = customizedObjects(plan);
    return {
        stack: resolved!,
        side: {
            release: bom.release,
            kubernetes: { min: bom.kubernetes.min, max: bom.kubernetes.max },
            windowsMissed: windowsMissed(bom, installed, config.kubernetesVersion),
            components: installed.map((component) => ({
                name: component.name,
                version: component.version,
                customizations: customized[component.name] ?? [],
                replaces: component.replaces ?? [],
            })),
            objects: plannedObjects(plan.resources),
            images: plan.images.images.map((image) => image.image),
        },
    };
}

/** A failure to plan the target release, said to be one (kfstack's customizations that the release breaks end up here): the error keeps its class, so its exit code. */
function onTarget(error: unknown, stack: string, release: string): unknown {
    const cause = error instanceof Error && error.name === "OfflineRunError" ? error.cause : error;
    if (cause instanceof Error) cause.message = `Stack ${stack} cannot be planned on ${release}, so there is no preview: ${cause.message}`;
    return error;
}

/**
 * The preview of moving `stack` to release `to`. Throws StackFileError (no such stack), ConfigError (the stack, or the
 * stack on `to`, is not valid), BomError (no such release) or UpgradeInputError (`to` is the stack's release) before planning.
 */
export async function previewUpgrade(stack: string, to: string, options: { configFile?: string } = {}): Promise<UpgradePreview> {
    const current = resolveStack(plannableStackSettings(stack, options)).bom.release;
    loadBom(to);
    if (to === current) {
        const others = availableBoms().filter((release) => release !== current);
        throw new UpgradeInputError(
            `Stack ${stack} already installs ${current} (${RELEASE_KEY}); there is nothing to preview. Choose another release: ${others.join(", ") || "none is known besides it"}.`,
        );
    }
    const from = await releaseSide(stack, options.configFile, {});
    const target = await releaseSide(stack, options.configFile, { [RELEASE_KEY]: to }).catch((error: unknown) => {
        throw onTarget(error, stack, to);
    });
    const { config } = target.stack;
    return upgradeDiff({
        stack,
        kubernetesVersion: config.kubernetesVersion,
        acknowledged: config.kubeflow.acknowledgeKubernetesVersion?.reason ?? null,
        from: from.side,
        to: target.side,
    });
}
