// The upgrade preview as a person reads it: grouped by component, counted, long lists cut with "and N more".
import { describe, expect, it } from "vitest";
import { renderUpgrade } from "../../cli/upgrade";
import type { UpgradePreview } from "../../engine/upgrade/diff";

function preview(overrides: Partial<UpgradePreview> = {}): UpgradePreview {
    return {
        stack: "prod",
        from: { release: "kubeflow-1.8.1", components: [{ name: "dex", version: "v2.36.0" }] },
        to: { release: "kubeflow-1.9.1", components: [{ name: "dex", version: "v2.36.0" }] },
        added: [],
        removed: [],
        changed: [],
        replaced: [],
        crds: [],
        images: [],
        kubernetes: {
            version: "1.30",
            from: { min: "1.25", max: "1.26" },
            to: { min: "1.29", max: "1.30" },
            insideWindow: true,
            windowsMissed: [],
            acknowledged: null,
        },
        blocking: [],
        ...overrides,
    };
}

const configMap = (index: number) => ({
    id: `/ConfigMap/kubeflow/config-${index}`,
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace: "kubeflow",
    name: `config-${index}`,
    component: "pipelines",
});

describe("renderUpgrade", () => {
    it("says nothing blocks, with the window the stack's version is in, when nothing changes", () => {
        expect(renderUpgrade(preview())).toBe(
            [
                "Upgrade preview of stack prod: kubeflow-1.8.1 → kubeflow-1.9.1, computed offline.",
                "",
                "Components: 0 differ, 1 unchanged.",
                "",
                "Objects: 0 added, 0 removed, 0 changed in place, 0 replaced.",
                "",
                "Kubernetes: the stack runs 1.30; kubeflow-1.8.1 supports 1.25–1.26, kubeflow-1.9.1 supports 1.29–1.30: inside it.",
                "",
                "Nothing blocks the upgrade.",
            ].join("\n"),
        );
    });

    it("groups objects by component, cuts a long list with the count left, and lists what blocks", () => {
        const text = renderUpgrade(
            preview({
                added: Array.from({ length: 10 }, (_, index) => configMap(index)),
                changed: [{ ...configMap(0), fromApiVersion: null, paths: ["data.a", "data.b", "data.c", "data.d", "data.e"] }],
                blocking: [
                    { reason: "stored-crd-version-removed", subject: "brokers.eventing.knative.dev", message: "Broker objects are deleted with the CRD." },
                ],
            }),
        );
        expect(text).toContain(
            [
                "Added (10), by component:",
                "  pipelines (10):",
                ...Array.from({ length: 8 }, (_, index) => `    ConfigMap kubeflow/config-${index}`),
                "    and 2 more",
                "",
                "Changed (1), by component:",
                "  pipelines (1):",
                "    ConfigMap kubeflow/config-0: data.a, data.b, data.c, data.d, and 1 more",
            ].join("\n"),
        );
        expect(text.endsWith("\n1 blocking:\n  [stored-crd-version-removed] Broker objects are deleted with the CRD.")).toBe(true);
    });
});
