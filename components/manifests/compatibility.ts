// The compatibility gate: a Kubeflow release supports a window of Kubernetes
// versions (the release as a whole and some components more narrowly). A
// cluster outside it fails validation unless the stack acknowledges it.
import type { Bom, BomComponent, KubernetesWindow } from "../bom";

function minor(version: string): number {
    return Number(version.split(".")[1]);
}

export function insideWindow(window: KubernetesWindow, version: string): boolean {
    return minor(version) >= minor(window.min) && minor(version) <= minor(window.max);
}

/** Every window of the release and of the `installed` components that `version` falls outside, described for people. */
export function windowsMissed(bom: Bom, installed: BomComponent[], version: string): string[] {
    const tested = bom.kubernetes.tested.length ? ` (upstream also tested ${bom.kubernetes.tested.join(", ")})` : "";
    const release = insideWindow(bom.kubernetes, version) ? [] : [`${bom.release} supports ${bom.kubernetes.min}–${bom.kubernetes.max}${tested}`];
    const components = installed
        .filter((component) => component.kubernetes && !insideWindow(component.kubernetes, version))
        .map((component) => `${component.name} ${component.version} supports ${component.kubernetes!.min}–${component.kubernetes!.max}`);
    return [...release, ...components];
}
