// The changes every layer makes to the upstream objects it installs (container
// resources and compiled-in runtime images from the BOM), and the error a
// layer throws when the rendered manifests are not what its changes expect.
import type { BomComponent, ContainerResources, RuntimeImage } from "../bom/schema";
import { type Container, type EnvVar, podTemplates } from "../../core/pod-templates";
import { parseQuantity } from "../../core/quantity";
import { type KubernetesObject, describeObject, objectKey } from "../../core/objects";

export class CustomizeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CustomizeError";
    }
}

/**
 * The object with `key` (core/objects.ts objectKey) among the rendered ones; throws CustomizeError naming it and the
 * `file` whose changes expect it, so a release that drops it stops the install instead of shipping it unchanged.
 */
export function requiredObject(objects: readonly KubernetesObject[], key: string, file: string): KubernetesObject {
    const object = objects.find((candidate) => objectKey(candidate) === key);
    if (object) return object;
    const [group, kind, namespace, name] = key.split("/");
    throw new CustomizeError(
        `kfstack changes ${kind} ${namespace ? `${namespace}/` : ""}${name} (${group || "core"}), but the rendered manifests have no such object; update ${file} for this release.`,
    );
}

function memoryOf(value: string | number | undefined): number {
    return value === undefined ? 0 : (parseQuantity(value) ?? 0);
}

/**
 * Fills in what a container lacks: cpu request, memory request and memory
 * limit. Upstream values stay, unless the BOM says why a limit is raised; a
 * limit is never set below the request.
 */
function setResources(container: Container, wanted: ContainerResources): void {
    const requests = { ...(container.resources?.requests ?? {}) };
    const limits = { ...(container.resources?.limits ?? {}) };
    requests["cpu"] ??= wanted.cpuRequest;
    requests["memory"] ??= wanted.memoryRequest;
    if (limits["memory"] === undefined || wanted.raisesUpstreamLimit) {
        limits["memory"] = memoryOf(requests["memory"]) > memoryOf(wanted.memoryLimit) ? requests["memory"] : wanted.memoryLimit;
    }
    if (memoryOf(requests["memory"]) > memoryOf(limits["memory"])) requests["memory"] = limits["memory"];
    container.resources = { ...container.resources, requests, limits };
}

export function applyContainerResources(component: BomComponent, objects: KubernetesObject[]): void {
    for (const object of objects) {
        for (const template of podTemplates(object)) {
            for (const container of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
                const key = `${object.metadata.namespace ?? ""}/${object.kind}/${object.metadata.name}/${container.name}`;
                setResources(container, component.resources.containers[key] ?? component.resources.default);
            }
        }
    }
}

/** The container of `via` in the rendered objects; throws CustomizeError when the render has no such object or container. */
function containerOf(component: BomComponent, objects: readonly KubernetesObject[], via: { object: string; container: string }): Container {
    const object = objects.find((candidate) => describeObject(candidate) === via.object);
    const container = object && podTemplates(object).flatMap((template) => [...template.spec.containers, ...(template.spec.initContainers ?? [])]);
    const found = container?.find((candidate) => candidate.name === via.container);
    if (!found)
        throw new CustomizeError(
            `The BOM's ${component.name} runtime images are set on container ${via.container} of ${via.object}, which the rendered manifests do not have; update its runtimeImages for this release.`,
        );
    return found;
}

/** Sets the environment variable or flag `via` names to the image, replacing what is there (the schema allows compiledIn only with these two). */
function writeImage(component: BomComponent, objects: readonly KubernetesObject[], { image, via }: RuntimeImage): void {
    if (via.kind !== "env" && via.kind !== "arg") return;
    const container = containerOf(component, objects, via);
    if (via.kind === "env") {
        const env = ((container["env"] as EnvVar[] | undefined) ?? []).filter((variable) => variable.name !== via.name);
        container["env"] = [...env, { name: via.name, value: image }];
    } else {
        const args = ((container["args"] as string[] | undefined) ?? []).filter((arg) => !arg.startsWith(`${via.flag}=`));
        container["args"] = [...args, `${via.flag}=${image}`];
    }
}

/**
 * Writes every image the component's binaries have compiled in (the BOM's runtimeImages with compiledIn) through its
 * hook, so the version that runs is the one pinned and an air-gapped stack's rewrite can point it at the mirror.
 */
export function writeCompiledInImages(component: BomComponent, objects: readonly KubernetesObject[]): void {
    for (const runtimeImage of component.runtimeImages.filter(({ compiledIn }) => compiledIn)) writeImage(component, objects, runtimeImage);
}
