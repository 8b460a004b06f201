// The one pipeline for the objects a layer installs: read the rendered
// manifests of its BOM components (checked against the BOM), let the layer
// customize them, write the images the BOM says are compiled in, check them,
// rewrite their images for the mirror, order them by their install dependencies and register each as its own resource.
// Not a Pulumi component: the layer's own component stays every object's
// grandparent, so URNs do not depend on this pipeline.
import type * as pulumi from "@pulumi/pulumi";
import { clearClusterScopedNamespaces } from "../../core/kinds";
import { type KubernetesObject, describeObject, objectKey } from "../../core/objects";
import type { Bom, BomComponent } from "../bom/schema";
import { type Mirror, entriesAtMirror } from "../images/rewrite";
import { assertServed } from "./api-removals";
import { CustomizeError, applyContainerResources, writeCompiledInImages } from "./customize";
import { KubernetesObjectResource } from "./kubernetes-object";
import { type BrokenCycle, planInstall } from "./ordering/plan";
import { readComponent } from "./read";

/** One object of a layer and the group it is registered under: its BOM component, a tenant, or a set of kfstack's own. */
export interface LayerObject {
    readonly object: KubernetesObject;
    readonly group: string;
}

/** What a layer installs on top of: objects its own may depend on, and their resources. */
export interface Platform {
    readonly objects: readonly KubernetesObject[];
    readonly resources: ReadonlyMap<string, pulumi.Resource>;
}

/** Where a layer's BOM components are read from, and what they are checked against. */
export interface ManifestSource {
    /** The bill of materials the manifests are checked against (its name in messages). */
    readonly bom: Pick<Bom, "release">;
    /** Directory of rendered manifests, checked against the BOM. */
    readonly manifestsDir: string;
    readonly kubernetesVersion: string;
    /** Air-gapped: every image reference is rewritten to this mirror, pinned to the lock's digests. */
    readonly mirror?: Mirror;
}

/** A layer's own changes to the objects it reads. */
export interface Customizations {
    /** Changes one component's objects as read; returns them with the objects kfstack adds for it, in install order. */
    component?(component: BomComponent, objects: KubernetesObject[]): KubernetesObject[];
    /** Changes the layer's objects together; returns the objects kfstack adds, each with its group. */
    layer?(entries: readonly LayerObject[]): LayerObject[];
}

/** Dependencies an object has beyond its install plan's, given the layer's resources registered so far. */
export type ExtraDependencies = (object: KubernetesObject, registered: ReadonlyMap<string, KubernetesObjectResource>) => pulumi.Resource[];

/** Resource options an object gets beyond its parent and dependencies (say, retainOnDelete for data that must outlive the stack). */
export type ObjectOptions = (object: KubernetesObject) => Pick<pulumi.CustomResourceOptions, "retainOnDelete">;

export interface RegisteredLayer {
    /** The layer's objects in install order. */
    readonly installed: KubernetesObject[];
    /** objectKey → the resource of that object. */
    readonly resources: Map<string, KubernetesObjectResource>;
    /** Dependencies between webhooks and what they admit that were left out to avoid cycles. */
    readonly brokenCycles: BrokenCycle[];
}

const NO_PLATFORM: Platform = { objects: [], resources: new Map() };

export class ManifestLayer {
    constructor(private readonly platform: Platform = NO_PLATFORM) {}

    /** Read → customize → check → rewrite for the mirror: the objects of `components` as kfstack installs them. */
    prepare(source: ManifestSource, components: readonly BomComponent[], customizations: Customizations = {}): LayerObject[] {
        const entries = components.flatMap((component) => {
            const objects = readComponent(source.manifestsDir, source.bom, component);
            clearClusterScopedNamespaces(objects);
            const customized = customizations.component?.(component, objects) ?? objects;
            applyContainerResources(component, customized);
            writeCompiledInImages(component, customized);
            return customized.map((object) => ({ object, group: component.name }));
        });
        entries.push(...(customizations.layer?.(entries) ?? []));
        assertUnique(entries);
        assertServed(
            entries.map((entry) => entry.object),
            source.kubernetesVersion,
            source.bom.release,
        );
        // Last, so references kfstack itself wrote are rewritten too.
        return entriesAtMirror(entries, source.mirror);
    }

    /**
     * Order → register: every object becomes its own resource, a child of its
     * group, depending on what it needs first, among the platform's objects or
     * the layer's own.
     */
    register(
        entries: readonly LayerObject[],
        groups: ReadonlyMap<string, pulumi.Resource>,
        extraDependencies: ExtraDependencies = () => [],
        options: ObjectOptions = () => ({}),
    ): RegisteredLayer {
        const groupOf = new Map(entries.map(({ object, group }) => [objectKey(object), group]));
        const plan = planInstall([...this.platform.objects, ...entries.map((entry) => entry.object)]);
        const installed: KubernetesObject[] = [];
        const resources = new Map<string, KubernetesObjectResource>();
        for (const object of plan.order) {
            const key = objectKey(object);
            const group = groupOf.get(key);
            if (group === undefined) continue;
            const dependsOn = [
                ...(plan.dependencies.get(key) ?? []).map((dependency) => this.platform.resources.get(dependency.on) ?? resources.get(dependency.on)!),
                ...extraDependencies(object, resources),
            ];
            resources.set(key, new KubernetesObjectResource(object, { ...options(object), parent: groups.get(group), dependsOn }));
            installed.push(object);
        }
        return { installed, resources, brokenCycles: plan.brokenCycles };
    }
}

/** Refuses two objects with the same identity: the second would silently overwrite the first. */
function assertUnique(entries: readonly LayerObject[]): void {
    const seen = new Map<string, string>();
    for (const { object, group } of entries) {
        const key = objectKey(object);
        const first = seen.get(key);
        if (first) throw new CustomizeError(`${describeObject(object)} is in both ${first} and ${group}; one install cannot hold it twice.`);
        seen.set(key, group);
    }
}
