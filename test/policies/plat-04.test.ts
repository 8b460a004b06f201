import { describe, expect, it } from "vitest";
import { deployerAccess } from "../../policies/cloud/plat-04-deployer-access";
import { mandatoryViolation, messagesOf, record, violationsOf } from "./fixtures";
import {
    changed,
    clusterAdminAssociation,
    deployerAccessRecords,
    eksCluster,
    expectAcceptedOutright,
    kubernetesProvider,
    namespaceThrough,
} from "./fixtures-cloud";

const PLAT_04 = { policy: "plat-04-deployer-access", id: "PLAT-04" };

const NOT_WAITING =
    'Kubernetes provider "kfstack-prod-k8s" does not depend on an EKS access policy association granting AmazonEKSClusterAdminPolicy at cluster scope, and EKS cluster "kfstack-prod" gives its creator no access (bootstrapClusterCreatorAdminPermissions false): its objects can be applied before the deployer has access and fail with Unauthorized; add the deployer\'s AccessPolicyAssociation to the provider\'s dependsOn.';

/** The prod records with the provider depending on `dependsOn` instead of the deployer's association. */
function providerDependingOn(dependsOn: ReturnType<typeof clusterAdminAssociation>[]) {
    const provider = kubernetesProvider(dependsOn);
    return [eksCluster(), ...dependsOn, provider, namespaceThrough(provider)];
}

describe("PLAT-04 Deployer access", () => {
    it("accepts a provider that depends on the deployer's cluster-admin association, with every object applied through it", async () => {
        await expectAcceptedOutright(deployerAccess, deployerAccessRecords());
    });

    it("accepts a cluster that gives its creator admin access, whose provider need not wait for an association", async () => {
        const bootstrap = changed(eksCluster(), ["props", "accessConfig", "bootstrapClusterCreatorAdminPermissions"], true);
        await expectAcceptedOutright(deployerAccess, [bootstrap, kubernetesProvider([]), namespaceThrough(null)]);
    });

    it("rejects a provider that depends on no access policy association", async () => {
        const records = providerDependingOn([]);
        expect(await violationsOf(deployerAccess, records)).toEqual([mandatoryViolation(PLAT_04, records[1]!, NOT_WAITING)]);
    });

    it("rejects a provider whose only association grants less than cluster-admin", async () => {
        const view = changed(clusterAdminAssociation(), ["props", "policyArn"], "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        expect(await messagesOf(deployerAccess, providerDependingOn([view]))).toEqual([NOT_WAITING]);
    });

    it("rejects a provider whose cluster-admin association is limited to namespaces", async () => {
        const scoped = changed(clusterAdminAssociation(), ["props", "accessScope"], { type: "namespace", namespaces: ["kubeflow"] });
        expect(await messagesOf(deployerAccess, providerDependingOn([scoped]))).toEqual([NOT_WAITING]);
    });

    it("rejects a Kubernetes object applied through the default provider", async () => {
        const stray = namespaceThrough(null);
        expect(await violationsOf(deployerAccess, [...deployerAccessRecords(), stray])).toEqual([
            mandatoryViolation(
                PLAT_04,
                stray,
                'Namespace "kubeflow" is applied through the default Kubernetes provider, which waits for no access entry of EKS cluster "kfstack-prod"; create it with { provider } set to the cluster\'s Kubernetes provider.',
            ),
        ]);
    });

    it("leaves alone a Kubernetes object whose record does not say which provider applies it", async () => {
        const { provider: _unrecorded, ...unsaid } = namespaceThrough(null);
        await expectAcceptedOutright(deployerAccess, [...deployerAccessRecords(), unsaid]);
    });

    it("rejects a Kubernetes object applied through a provider that is not in the plan", async () => {
        const elsewhere = namespaceThrough(record("pulumi:providers:kubernetes", {}, "elsewhere"));
        expect(await messagesOf(deployerAccess, [...deployerAccessRecords(), elsewhere])).toEqual([
            'Namespace "kubeflow" is applied through the Kubernetes provider "elsewhere", which is not in the plan and waits for no access entry of EKS cluster "kfstack-prod"; create it with { provider } set to the cluster\'s Kubernetes provider.',
        ]);
    });
});
