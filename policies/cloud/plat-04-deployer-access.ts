// PLAT-04: on an EKS cluster that does not make its creator an admin, no
// Kubernetes object can be applied before cluster-admin access exists: every
// Kubernetes object goes through an explicit Kubernetes provider, and every
// such provider depends on an access policy association that grants
// AmazonEKSClusterAdminPolicy at cluster scope (the deployer's, in kfstack).
import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { describeResource, kubernetesKind } from "../../core/kubernetes-resources";
import { recordAt } from "../../core/records";
import { stackPolicy } from "../lib/policy";
import { EKS_ACCESS_POLICY_ASSOCIATION, EKS_CLUSTER, KUBERNETES_PROVIDER, describeCloudResource } from "./resources";

const CLUSTER_ADMIN_POLICY = /^arn:[a-z-]+:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/;

/** True for an association that makes its principal cluster-admin of the whole cluster. */
function grantsClusterAdmin(resource: PolicyResource): boolean {
    if (resource.type !== EKS_ACCESS_POLICY_ASSOCIATION) return false;
    const policyArn: unknown = resource.props["policyArn"];
    return typeof policyArn === "string" && CLUSTER_ADMIN_POLICY.test(policyArn) && recordAt(resource.props, "accessScope")["type"] === "cluster";
}

/** The first EKS cluster whose creator gets no access of its own (accessConfig.bootstrapClusterCreatorAdminPermissions false). */
function clusterWithoutCreatorAccess(resources: readonly PolicyResource[]): PolicyResource | undefined {
    return resources.find(
        (resource) => resource.type === EKS_CLUSTER && recordAt(resource.props, "accessConfig")["bootstrapClusterCreatorAdminPermissions"] === false,
    );
}

/** The engine names a package's default provider `default` or `default_<version>`. */
function isDefaultProvider(provider: PolicyProviderResource): boolean {
    return provider.name === "default" || provider.name.startsWith("default_");
}

export const deployerAccess = stackPolicy({
    id: "PLAT-04",
    slug: "deployer-access",
    description:
        "On an EKS cluster that does not give its creator admin access (accessConfig.bootstrapClusterCreatorAdminPermissions false), every Kubernetes object is applied through an explicit Kubernetes provider, and every Kubernetes provider depends on an EKS access policy association granting AmazonEKSClusterAdminPolicy at cluster scope.",
    reason: "With the creator's bootstrap access off, whoever runs pulumi up reaches the new cluster only through an access entry: a provider that does not wait for the association applies its first objects while access is still being created and fails with Unauthorized, and one without any association locks the deployer out of the cluster it just made.",
    remediation:
        "Give the deployer (kfstack does so from the caller identity) and every kfstack:aws.clusterAdmins principal an access entry with an AmazonEKSClusterAdminPolicy association at cluster scope, put every association in the Kubernetes provider's dependsOn, and create every Kubernetes object with { provider } set to that provider.",
    validateStack: (args, reportViolation) => {
        const cluster = clusterWithoutCreatorAccess(args.resources);
        if (!cluster) return;
        const eks = describeCloudResource(cluster.type, cluster.name);
        const providers = new Set<string>();
        for (const resource of args.resources) {
            if (resource.type !== KUBERNETES_PROVIDER) continue;
            providers.add(resource.urn);
            if (resource.dependencies.some(grantsClusterAdmin)) continue;
            reportViolation(
                `${describeCloudResource(resource.type, resource.name)} does not depend on an EKS access policy association granting AmazonEKSClusterAdminPolicy at cluster scope, and ${eks} gives its creator no access (bootstrapClusterCreatorAdminPermissions false): its objects can be applied before the deployer has access and fail with Unauthorized; add the deployer's AccessPolicyAssociation to the provider's dependsOn.`,
                resource.urn,
            );
        }
        for (const resource of args.resources) {
            const kind = kubernetesKind(resource.type);
            // Without a provider (a list of resources that does not record it) there is nothing to judge.
            if (!kind || !resource.provider || providers.has(resource.provider.urn)) continue;
            const how = isDefaultProvider(resource.provider)
                ? "the default Kubernetes provider, which waits"
                : `the Kubernetes provider "${resource.provider.name}", which is not in the plan and waits`;
            reportViolation(
                `${describeResource(kind.kind, resource.props, resource.name)} is applied through ${how} for no access entry of ${eks}; create it with { provider } set to the cluster's Kubernetes provider.`,
                resource.urn,
            );
        }
    },
});
