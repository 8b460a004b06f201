// The bill of materials as a Markdown table, for README.md.
import type { Bom } from "./schema";

export function bomTable(bom: Bom): string {
    const rows = bom.components.map((component) => {
        const source = bom.sources[component.source]!;
        const window = component.kubernetes ? `${component.kubernetes.min}–${component.kubernetes.max}` : "";
        const status = component.skip ? "not installed (see the BOM)" : component.note ? "see the BOM's note" : "";
        return `| ${component.name} | ${component.version} | ${source.repository.replace("https://github.com/", "")}@${source.tag} \`${component.path}\` | ${component.images.length} | ${window} | ${status} |`;
    });
    const autoscalers = Object.entries(bom.clusterAutoscaler.releases).map(([minor, release]) => {
        const source = bom.sources[release.source]!;
        return `\`${release.image}\` for Kubernetes ${minor} (${source.repository.replace("https://github.com/", "")}@${source.tag})`;
    });
    return [
        `Release \`${bom.release}\`: Kubernetes ${bom.kubernetes.min}–${bom.kubernetes.max}${bom.kubernetes.tested.length ? ` (upstream also tested ${bom.kubernetes.tested.join(", ")})` : ""}.`,
        "",
        "| component | version | source and kustomization | images | Kubernetes | remarks |",
        "| --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
        `On EKS, the cluster-autoscaler (its minor matches the cluster's): ${autoscalers.join(", ")}.`,
        "",
        `The in-cluster object store: ${Object.entries(bom.objectStore)
            .map(
                ([name, pin]) =>
                    `${name} \`${pin.image}\` (${bom.sources[pin.source]!.repository.replace("https://github.com/", "")}@${bom.sources[pin.source]!.tag}${pin.replaces ? `, in place of the render's \`${pin.replaces}\`` : ""})`,
            )
            .join(", ")}.`,
        "",
        `The in-cluster databases' backup: ${Object.entries(bom.backup)
            .map(([name, pin]) => `${name} \`${pin.image}\` (a component's own image)`)
            .join(", ")}.`,
    ].join("\n");
}
