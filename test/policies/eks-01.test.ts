import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { eksApiEndpoint } from "../../policies/cloud/eks-01-api-endpoint";
import { messagesOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { changed, clusterFactsRecord, eksCluster, expectAcceptedOutright, reportOf } from "./fixtures-cloud";

const production = () => clusterFactsRecord({ topology: "production" });
const testing = () => clusterFactsRecord({ topology: "testing" });
const publicWith = (cidrs: string[] | undefined) => {
    const open = changed(eksCluster(), ["props", "vpcConfig", "endpointPublicAccess"], true);
    return changed(open, ["props", "vpcConfig", "publicAccessCidrs"], cidrs);
};

const NO_ALLOWLIST =
    'EKS cluster "kfstack-prod" serves a public API endpoint without vpcConfig.publicAccessCidrs, which EKS opens to 0.0.0.0/0; ' +
    "set vpcConfig.endpointPublicAccess to false and use the private endpoint, or list the networks that may reach it in vpcConfig.publicAccessCidrs.";

describe("EKS-01 API endpoint", () => {
    it("accepts a cluster that serves its API on the private endpoint only", async () => {
        await expectAcceptedOutright(eksApiEndpoint, [production(), eksCluster()]);
    });

    it("accepts a public endpoint limited to listed networks, in production too", async () => {
        expect(await messagesOf(eksApiEndpoint, [production(), publicWith(["203.0.113.0/24", "198.51.100.0/24"])])).toEqual([]);
    });

    it("rejects a public endpoint without an allowlist, which EKS opens to 0.0.0.0/0", async () => {
        const violations = (await reportOf(eksApiEndpoint, [testing(), publicWith(undefined)])).violations;
        expect(violations).toEqual([mandatoryViolation({ policy: "eks-01-api-endpoint", id: "EKS-01" }, eksCluster(), NO_ALLOWLIST)]);
    });

    it("rejects an empty allowlist as open", async () => {
        expect(await messagesOf(eksApiEndpoint, [testing(), publicWith([])])).toEqual([NO_ALLOWLIST]);
    });

    it("treats a cluster that does not say endpointPublicAccess as public, the EKS default", async () => {
        expect(await messagesOf(eksApiEndpoint, [production(), changed(eksCluster(), ["props", "vpcConfig", "endpointPublicAccess"], undefined)])).toEqual([
            NO_ALLOWLIST,
        ]);
        expect(await messagesOf(eksApiEndpoint, [production(), changed(eksCluster(), ["props", "vpcConfig"], undefined)])).toEqual([NO_ALLOWLIST]);
    });

    it("rejects 0.0.0.0/0 in the allowlist of a production stack", async () => {
        expect(await messagesOf(eksApiEndpoint, [production(), publicWith(["10.0.0.0/8", "0.0.0.0/0"])])).toEqual([
            'EKS cluster "kfstack-prod" opens its public API endpoint to 0.0.0.0/0 in a production stack; ' +
                "set vpcConfig.endpointPublicAccess to false and use the private endpoint, or replace 0.0.0.0/0 in vpcConfig.publicAccessCidrs with the networks that need the API.",
        ]);
    });

    it("accepts an explicit 0.0.0.0/0 on a testing stack, as kfstack:privateEndpoint does", async () => {
        expect(await messagesOf(eksApiEndpoint, [testing(), publicWith(["0.0.0.0/0"])])).toEqual([]);
    });

    it("holds a stack without kfstack's cluster facts to the production rule", async () => {
        expect(await messagesOf(eksApiEndpoint, [publicWith(["0.0.0.0/0"])])).toEqual([
            'EKS cluster "kfstack-prod" opens its public API endpoint to 0.0.0.0/0 in a production stack; ' +
                "set vpcConfig.endpointPublicAccess to false and use the private endpoint, or replace 0.0.0.0/0 in vpcConfig.publicAccessCidrs with the networks that need the API.",
        ]);
    });

    it("leaves the stack undecided while endpointPublicAccess is unknown", async () => {
        expect(
            await undecidedOf(eksApiEndpoint, [production(), changed(eksCluster(), ["props", "vpcConfig", "endpointPublicAccess"], Unknown.instance)]),
        ).toEqual([
            { policy: "eks-01-api-endpoint", resource: "stack", reason: "string value at .vpcConfig.endpointPublicAccess can't be known during preview" },
        ]);
    });
});
