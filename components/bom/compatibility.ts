// The compatibility gate: a Kubeflow release supports a window of Kubernetes
// versions (the release as a whole and some components more narrowly). A
// cluster outside it fails validation unless the stack acknowledges it.
import { compareKubernetesVersions } from "../../core/kubernetes-version";
import { installSelectionOf, installedComponents } from "../config/install";
import type { StackConfig } from "../config/schema";
import type { ConfigProblem } from "../config/topology";
import { BomError, loadBom } from "./load";
import type { Bom, BomComponent, KubernetesWindow } from "./schema";

export function insideWindow(window: KubernetesWindow, version: string): boolean {
    return compareKubernetesVersions(version, window.min) >= 0 && compareKubernetesVersions(version, window.max) <= 0;
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

/** A stack's release: its bill of materials and the components the stack installs from it. */
export interface StackRelease {
    bom: Bom;
    installed: BomComponent[];
}

/**
 * Loads the stack's release and checks that it supports the stack's Kubernetes
 * version, or that the stack acknowledges that version.
 */
export function resolveRelease(config: StackConfig): { release?: StackRelease; problems: ConfigProblem[] } {
    let bom: Bom;
    try {
        bom = loadBom(config.kubeflow.release);
    } catch (error) {
        return { problems: [{ path: ["kubeflow", "release"], message: error instanceof BomError ? error.message : String(error) }] };
    }
    const installed = installedComponents(bom, installSelectionOf(config));
    return { release: { bom, installed }, problems: windowProblems(config, bom, installed) };
}

function windowProblems(config: StackConfig, bom: Bom, installed: BomComponent[]): ConfigProblem[] {
    const missed = windowsMissed(bom, installed, config.kubernetesVersion);
    const acknowledged = config.kubeflow.acknowledgeKubernetesVersion;
    if (acknowledged && acknowledged.version !== config.kubernetesVersion) {
        return [
            {
                path: ["kubeflow", "acknowledgeKubernetesVersion", "version"],
                message: `is ${acknowledged.version}, but the cluster runs ${config.kubernetesVersion}; acknowledge the version the cluster runs`,
            },
        ];
    }
    if (missed.length === 0 || acknowledged) return [];
    return [
        {
            path: ["kubernetesVersion"],
            message: `${config.kubernetesVersion} is outside the Kubernetes window of ${bom.release}: ${missed.join("; ")}. Choose a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion (version ${config.kubernetesVersion} and a reason) to run it anyway`,
        },
    ];
}
