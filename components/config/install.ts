// Which components of the bill of materials a stack installs: the Kubeflow
// layer always, monitoring unless turned off, and the GPU node agents only
// where there are GPU nodes (the device plugin only where the platform has none).
import type { Bom, BomComponent } from "../bom/schema";
import type { StackConfig } from "./schema";
import { wantsGpuPool } from "./topology";

export interface InstallSelection {
    monitoring: boolean;
    gpuNodes: boolean;
    /** kfstack installs the NVIDIA device plugin (GKE always ships its own). */
    devicePlugin: boolean;
}

export function installSelectionOf(config: StackConfig): InstallSelection {
    const gpuNodes = wantsGpuPool(config);
    const devicePlugin = config.monitoring.devicePlugin ?? (config.cloud === "aws" ? "install" : "provided");
    return { monitoring: config.monitoring.enabled, gpuNodes, devicePlugin: gpuNodes && devicePlugin === "install" };
}

/** The components `selection` installs, in BOM order; components marked `skip` never are. */
export function installedComponents(bom: Bom, selection: InstallSelection): BomComponent[] {
    return bom.components.filter((component) => {
        if (component.skip) return false;
        if (component.layer === "monitoring" && !selection.monitoring) return false;
        if (component.when === "gpuNodes") return selection.gpuNodes;
        if (component.when === "devicePlugin") return selection.devicePlugin;
        return true;
    });
}
