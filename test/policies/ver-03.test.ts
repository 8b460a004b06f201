import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { KUBEFLOW_FACTS_TYPE, type KubeflowFacts } from "../../core/facts";
import { kubernetesWindow } from "../../policies/versions/ver-03-kubernetes-window";
import { changed, messagesOf, record, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";

const facts = (kubernetesVersion = "1.26") =>
    record(
        KUBEFLOW_FACTS_TYPE,
        { release: "kubeflow-1.8.1", kubernetesVersion, window: { min: "1.25", max: "1.26", tested: ["1.27"] }, images: [] } satisfies KubeflowFacts,
        "kubeflow",
    );

const acknowledged = (kubernetesVersion: string, version = kubernetesVersion, reason = "Managed Kubernetes no longer offers 1.26.") =>
    changed(facts(kubernetesVersion), ["props", "acknowledgedKubernetesVersion"], { version, reason });

describe("VER-03 Kubernetes window", () => {
    it.each(["1.25", "1.26", "1.26.7", "v1.25.3"])("accepts Kubernetes %s, inside the window", async (version) => {
        expect(await messagesOf(kubernetesWindow, [facts(version)])).toEqual([]);
    });

    it("rejects a version above the window, naming the window, what upstream tested and the fix", async () => {
        const bad = facts("1.33");
        expect(await violationsOf(kubernetesWindow, [bad])).toEqual([
            mandatoryViolation(
                { policy: "ver-03-kubernetes-window", id: "VER-03" },
                bad,
                "Kubernetes 1.33 is outside the window of kubeflow-1.8.1 (1.25–1.26; upstream also tested 1.27); run a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion to version 1.33 with a reason.",
            ),
        ]);
    });

    it("rejects a version below the window, and a tested version that is still outside it", async () => {
        expect(await messagesOf(kubernetesWindow, [facts("1.24")])).toEqual([
            "Kubernetes 1.24 is outside the window of kubeflow-1.8.1 (1.25–1.26; upstream also tested 1.27); run a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion to version 1.24 with a reason.",
        ]);
        expect(await messagesOf(kubernetesWindow, [facts("1.27")])).toHaveLength(1);
    });

    it("compares minor versions as numbers, not strings", async () => {
        expect(await messagesOf(kubernetesWindow, [facts("1.3")])).toHaveLength(1);
        expect(await messagesOf(kubernetesWindow, [facts("2.25")])).toHaveLength(1);
    });

    it("accepts a version outside the window that the stack acknowledges, with a reason", async () => {
        expect(await messagesOf(kubernetesWindow, [acknowledged("1.33")])).toEqual([]);
        expect(await messagesOf(kubernetesWindow, [acknowledged("1.33.2", "1.33")])).toEqual([]);
    });

    it("rejects an acknowledgement of another version", async () => {
        expect(await messagesOf(kubernetesWindow, [acknowledged("1.33", "1.32")])).toEqual([
            "Kubernetes 1.33 is outside the window of kubeflow-1.8.1 (1.25–1.26; upstream also tested 1.27), and the stack acknowledges 1.32, not 1.33; acknowledge the version the cluster runs, with a reason.",
        ]);
    });

    it("rejects an acknowledgement without a reason", async () => {
        expect(await messagesOf(kubernetesWindow, [acknowledged("1.33", "1.33", "  ")])).toEqual([
            "Kubernetes 1.33 is outside the window of kubeflow-1.8.1 (1.25–1.26; upstream also tested 1.27), and its acknowledgement gives no reason; say in kfstack:kubeflow.acknowledgeKubernetesVersion.reason why this version is acceptable.",
        ]);
    });

    it("does not mind an acknowledgement left over from an earlier version when the cluster is back inside the window", async () => {
        expect(await messagesOf(kubernetesWindow, [acknowledged("1.26", "1.33")])).toEqual([]);
    });

    it("rejects a version it cannot read", async () => {
        expect(await messagesOf(kubernetesWindow, [facts("latest")])).toEqual([
            'The Kubeflow facts of kubeflow-1.8.1 give Kubernetes "latest" and the window "1.25"–"1.26", which are not all versions such as "1.26"; fix kfstack:kubernetesVersion or the BOM\'s kubernetes window.',
        ]);
    });

    it("has nothing to check without the Kubeflow facts", async () => {
        expect(await messagesOf(kubernetesWindow, [])).toEqual([]);
    });

    it("is undecided while the version is unknown", async () => {
        expect(
            (await undecidedOf(kubernetesWindow, [changed(facts(), ["props", "kubernetesVersion"], Unknown.instance)])).map((entry) => entry.policy),
        ).toEqual(["ver-03-kubernetes-window"]);
    });
});
