// The install order of a set of Kubernetes objects, so every object can be its
// own Pulumi resource with `dependsOn`; the rules and why: docs/manifest-ordering.md.
import { describeObject, type KubernetesObject, objectKey } from "../../../core/objects";
import { webhookCandidates, webhookReason } from "./admission";
import { findPath, type InstallDependency, topologicalOrder } from "./graph";
import { type Node, ObjectIndex } from "./object-index";

export interface BrokenCycle {
    from: string;
    on: string;
    reason: string;
}

export interface InstallPlan {
    /** Objects in an order where every object comes after everything it depends on (stable: keep input order where free). */
    order: KubernetesObject[];
    /** objectKey → what it depends on (direct dependencies only, deduplicated); every object has an entry. */
    dependencies: Map<string, InstallDependency[]>;
    /** Webhook dependencies left out because they would have formed a cycle, with the cycle explained. */
    brokenCycles: BrokenCycle[];
}

/**
 * `controllersOf` names, for an object, the workloads that serve its kind (its CRD's controller): the object waits for
 * them, so `pulumi destroy` deletes it while its controller can still remove its finalizers.
 */
export function planInstall(objects: KubernetesObject[], controllersOf: (object: KubernetesObject) => readonly KubernetesObject[] = () => []): InstallPlan {
    const index = new ObjectIndex(objects);
    const dependencies = new Map<string, InstallDependency[]>(index.nodes.map((node) => [node.key, []]));
    const add = (from: Node, on: Node, reason: string) => dependencies.get(from.key)!.push({ on: on.key, reason });

    for (const node of index.nodes) {
        const namespace = node.namespace === undefined ? undefined : index.namespaces.get(node.namespace);
        if (namespace) add(node, namespace, `Namespace ${node.namespace} must exist`);
        const crd = index.crds.get(node.groupKind);
        if (crd) add(node, crd, `CustomResourceDefinition ${crd.object.metadata.name} defines ${node.object.kind}`);
    }

    const brokenCycles: BrokenCycle[] = [];
    for (const node of index.nodes) {
        for (const controller of controllersOf(node.object)) {
            const on = index.byKey.get(objectKey(controller));
            // A controller that needs the object (or is it) cannot wait for it; the object is then deleted with the CRD's other objects.
            if (on && on !== node && !findPath(dependencies, index, on, node))
                add(node, on, `${describeObject(controller)} runs the controller of ${node.object.kind}`);
        }
    }
    for (const { from, on, admissions } of webhookCandidates(index)) {
        const reason = webhookReason(on, admissions);
        const path = from === on ? [on] : findPath(dependencies, index, on, from);
        if (!path) {
            add(from, on, reason);
            // The configuration too: created after the object, the webhook would never have seen it (pods without sidecars).
            for (const config of new Set(admissions.map((admission) => admission.config))) {
                const configuration = index.byKey.get(objectKey(config))!;
                if (!dependencies.get(from.key)!.some((dependency) => dependency.on === configuration.key)) {
                    add(
                        from,
                        configuration,
                        `${describeObject(config)} must be registered first, or the API server would not call it for ${admissions.find((admission) => admission.config === config)!.target}`,
                    );
                }
            }
        } else if (from === on) {
            brokenCycles.push({ from: from.key, on: on.key, reason: `${reason}, but ${describeObject(on.object)} cannot wait for itself` });
        } else {
            const cycle = [from, ...path].map((node) => describeObject(node.object)).join(" → ");
            brokenCycles.push({ from: from.key, on: on.key, reason: `${reason}, but waiting for it would close the cycle ${cycle}` });
        }
    }

    return { order: topologicalOrder(index, dependencies), dependencies, brokenCycles };
}
