import { describe, expect, it } from "vitest";
import { removedBy, removedIn } from "../components/manifests/api-removals";

describe("removed Kubernetes APIs", () => {
    it("knows the release that stopped serving an apiVersion of a kind", () => {
        expect(removedIn({ apiVersion: "batch/v1beta1", kind: "CronJob" })).toBe("1.25");
        expect(removedIn({ apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kind: "FlowSchema" })).toBe("1.32");
        expect(removedIn({ apiVersion: "batch/v1", kind: "CronJob" })).toBeUndefined();
    });

    it("refuses an object on a cluster at or past its removal, and accepts it before", () => {
        const cronJob = { apiVersion: "batch/v1beta1", kind: "CronJob" };
        expect([removedBy(cronJob, "1.24"), removedBy(cronJob, "1.25"), removedBy(cronJob, "1.33")]).toEqual([false, true, true]);
    });

    it("never refuses custom resources, whose versions their CRDs serve", () => {
        expect(removedBy({ apiVersion: "kubeflow.org/v1beta1", kind: "Profile" }, "1.33")).toBe(false);
    });
});
