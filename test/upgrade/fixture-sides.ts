// The two fixture sets as sides of an upgrade: every Kubeflow component of a
// release's bill of materials, as upstream renders it (the rendered files the
// BOM pins, checked against their sha256), with the images its pods run.
import { windowsMissed } from "../../components/bom/compatibility";
import { loadBom } from "../../components/bom/load";
import { imageInventory } from "../../components/images/inventory";
import { readComponent } from "../../components/manifests/read";
import { clearClusterScopedNamespaces } from "../../core/kinds";
import type { ReleaseSide } from "../../engine/upgrade/diff";
import { fixturesDirectory } from "../requirements";

export function fixtureSide(release: string, kubernetesVersion: string): ReleaseSide {
    const bom = loadBom(release);
    const components = bom.components.filter((component) => component.layer === "kubeflow" && !component.skip);
    const objects = components.flatMap((component) =>
        readComponent(fixturesDirectory(), bom, component).map((object) => ({ object, component: component.name })),
    );
    // As the manifest pipeline does: a cluster-scoped object's identity has no namespace, whatever kustomize stamped on it.
    clearClusterScopedNamespaces(objects.map((entry) => entry.object));
    const records = objects.map(({ object }) => ({
        type: `kubernetes:${object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`}:${object.kind}`,
        name: object.metadata.name,
        props: object,
    }));
    return {
        release,
        kubernetes: { min: bom.kubernetes.min, max: bom.kubernetes.max },
        windowsMissed: windowsMissed(bom, components, kubernetesVersion),
        // Renders as upstream ships them: nothing customized.
        components: components.map((component) => ({
            name: component.name,
            version: component.version,
            customizations: [],
            replaces: component.replaces ?? [],
        })),
        objects,
        images: imageInventory(records).images.map((image) => image.image),
    };
}
