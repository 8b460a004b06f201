import { describe, expect, it } from "vitest";
import { eksControlPlaneLogs } from "../../policies/cloud/eks-03-control-plane-logs";
import { messagesOf, violationsOf, mandatoryViolation } from "./fixtures";
import { changed, eksCluster } from "./fixtures-cloud";

describe("EKS-03 control-plane logs", () => {
    it("accepts a cluster that sends the api, audit and authenticator logs", async () => {
        expect(await messagesOf(eksControlPlaneLogs, [eksCluster()])).toEqual([]);
    });

    it.each(["api", "audit", "authenticator"])("rejects a cluster without the %s log", async (type) => {
        const others = ["api", "audit", "authenticator"].filter((other) => other !== type);
        const violations = await violationsOf(eksControlPlaneLogs, [changed(eksCluster(), ["props", "enabledClusterLogTypes"], others)]);
        expect(violations).toEqual([
            mandatoryViolation(
                { policy: "eks-03-control-plane-logs", id: "EKS-03" },
                eksCluster(),
                `EKS cluster "kfstack-prod" does not send the ${type} control-plane log to CloudWatch; add "${type}" to enabledClusterLogTypes.`,
            ),
        ]);
    });

    it("names every missing log of a cluster that enables none", async () => {
        expect(await messagesOf(eksControlPlaneLogs, [changed(eksCluster(), ["props", "enabledClusterLogTypes"], undefined)])).toEqual([
            'EKS cluster "kfstack-prod" does not send the api, audit and authenticator control-plane logs to CloudWatch; add "api", "audit" and "authenticator" to enabledClusterLogTypes.',
        ]);
    });

    it("takes the required log types from the pack config", async () => {
        const config = { "eks-03-control-plane-logs": { requiredLogTypes: ["api", "audit", "authenticator", "scheduler"] } };
        expect(await messagesOf(eksControlPlaneLogs, [eksCluster()], config)).toEqual([
            'EKS cluster "kfstack-prod" does not send the scheduler control-plane log to CloudWatch; add "scheduler" to enabledClusterLogTypes.',
        ]);
    });
});
