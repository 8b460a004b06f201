// The one pipeline for the objects a layer installs: read the rendered
// manifests of its BOM components (checked against the BOM), let the layer
// customize them, write the images the BOM says are compiled in, check them,
// rewrite their images for the mirror, order them by their install dependencies and register each as its own resource.
// Not a Pulumi component: the layer's own component stays every object's
// grandparent, so URNs do not depend on this pipeline.
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { ControllerOwnership, removeAt, valuesAt } from "../../core/controller-owned-fields";
import { clearClusterScopedNamespaces } from "../../core/kinds";
import { type KubernetesObject, apiGroup, describeObject, objectKey } from "../../core/objects";
import { controllerOwnedFields } from "../bom/controller-owned-fields";
import type { Bom, BomComponent } from "../bom/schema";
import { type Mirror, entriesAtMirror } from "../images/rewrite";
import { entriesWithPullSecret } from "../images/pull-secret";
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
export type ObjectOptions = (object: KubernetesObject) => Pick<pulumi.CustomResourceOptions, "retainOnDelete" | "protect">;

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
    /**
     * After prepare: component name → the keys of its rendered objects the layer's customizations changed or
     * dropped (container resources from the BOM aside), in render order. What a release must still render for
     * the stack's customizations to apply, which an upgrade to a release without the component loses.
     */
    readonly customized = new Map<string, string[]>();

    /** `recordCustomized`: fill `customized`, which copies every rendered object first; only the Kubeflow layer's is read. */
    constructor(
        private readonly platform: Platform = NO_PLATFORM,
        private readonly options: { readonly recordCustomized?: boolean } = {},
    ) {}

    /** Read → customize → check → rewrite for the mirror: the objects of `components` as kfstack installs them. */
    prepare(source: ManifestSource, components: readonly BomComponent[], customizations: Customizations = {}): LayerObject[] {
        const asRead = new Map<string, { component: BomComponent; key: string; copy: KubernetesObject }[]>();
        const entries = components.flatMap((component) => {
            const objects = readComponent(source.manifestsDir, source.bom, component);
            clearClusterScopedNamespaces(objects);
            if (this.options.recordCustomized) {
                asRead.set(
                    component.name,
                    objects.map((object) => ({ component, key: objectKey(object), copy: structuredClone(object) })),
                );
            }
            const customized = customizations.component?.(component, objects) ?? objects;
            applyContainerResources(component, customized);
            writeCompiledInImages(component, customized);
            return customized.map((object) => ({ object, group: component.name }));
        });
        entries.push(...(customizations.layer?.(entries) ?? []));
        this.recordCustomized(asRead, entries);
        assertUnique(entries);
        assertServed(
            entries.map((entry) => entry.object),
            source.kubernetesVersion,
            source.bom.release,
        );
        // Last, so references kfstack itself wrote are rewritten too; a mirror that asks for credentials gets its pull secret.
        return entriesWithPullSecret(entriesAtMirror(entries, source.mirror), source.mirror);
    }

    /** Which rendered objects differ from their render with only the BOM's container resources applied, or are gone. */
    private recordCustomized(
        asRead: ReadonlyMap<string, { component: BomComponent; key: string; copy: KubernetesObject }[]>,
        entries: readonly LayerObject[],
    ): void {
        const now = new Map(entries.map(({ object }) => [objectKey(object), object]));
        for (const [name, objects] of asRead) {
            const changed = objects.flatMap(({ component, key, copy }) => {
                applyContainerResources(component, [copy]);
                // Deep equality, not JSON: a customization may have put a Pulumi Output in, which must not be serialized.
                return isDeepStrictEqual(now.get(key), copy) ? [] : [key];
            });
            if (changed.length > 0) this.customized.set(name, changed);
        }
    }

    /**
     * Order → register: every object becomes its own resource, a child of its
     * group, depending on what it needs first, among the platform's objects or
     * the layer's own. Fields a controller owns after install
     * (components/bom/controller-owned-fields.yaml) are left out of its inputs
     * or ignored after create; the order still reads them (a Knative webhook's
     * rules say what it admits, though its controller writes them).
     */
    register(
        entries: readonly LayerObject[],
        groups: ReadonlyMap<string, pulumi.Resource>,
        extraDependencies: ExtraDependencies = () => [],
        options: ObjectOptions = () => ({}),
    ): RegisteredLayer {
        const groupOf = new Map(entries.map(({ object, group }) => [objectKey(object), group]));
        const all = [...this.platform.objects, ...entries.map((entry) => entry.object)];
        const plan = planInstall(all, controllersIn(entries));
        const ownership = new ControllerOwnership(controllerOwnedFields(), all);
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
            const { remove, ignoreChanges } = ownership.handlingOf(object);
            const opts = { ...options(object), parent: groups.get(group), dependsOn, ...(ignoreChanges.length > 0 ? { ignoreChanges } : {}) };
            resources.set(key, new KubernetesObjectResource(withoutFields(object, remove), opts));
            installed.push(object);
        }
        return { installed, resources, brokenCycles: plan.brokenCycles };
    }
}

const CONTROLLER_KINDS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet"]);

/**
 * The controller of a custom resource, as the layer knows it: the workloads of the group (BOM component) that ships its
 * CustomResourceDefinition. Upstream ships a controller with its CRDs; a CRD shipped alone (Istio's) names none.
 */
function controllersIn(entries: readonly LayerObject[]): (object: KubernetesObject) => KubernetesObject[] {
    const groupKind = (object: KubernetesObject) => `${apiGroup(object.apiVersion)}/${object.kind}`;
    const crdGroups = new Map<string, string>();
    for (const { object, group } of entries) {
        const spec = object["spec"] as { group?: string; names?: { kind?: string } } | undefined;
        if (groupKind(object) === "apiextensions.k8s.io/CustomResourceDefinition") crdGroups.set(`${spec?.group}/${spec?.names?.kind}`, group);
    }
    const workloads = Map.groupBy(
        entries.filter(({ object }) => CONTROLLER_KINDS.has(groupKind(object))),
        ({ group }) => group,
    );
    return (object) => {
        const group = crdGroups.get(groupKind(object));
        return group === undefined ? [] : (workloads.get(group) ?? []).map((entry) => entry.object);
    };
}

/** The object as Pulumi gets it: a copy without the fields at `paths`, or the object itself when it sets none of them. */
function withoutFields(object: KubernetesObject, paths: readonly string[]): KubernetesObject {
    const set = paths.filter((path) => valuesAt(object, path).length > 0);
    if (set.length === 0) return object;
    const copy = structuredClone(object);
    for (const path of set) removeAt(copy, path);
    return copy;
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
