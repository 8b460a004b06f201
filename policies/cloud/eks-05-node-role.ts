// EKS-05: the role of an EKS node group's nodes holds only what the node
// itself needs (kubelet, image pulls, the SSM agent). Anything more is a right
// every hostNetwork pod on the node can borrow through IMDS, past the hop
// limit; pods that call AWS get their own role through EKS Pod Identity.
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/policy";
import { arrayAt, asRecord } from "../../core/records";
import { EKS_NODE_ROLE_POLICIES } from "../../core/cloud-types";
import {
    EKS_ADDON,
    EKS_NODE_GROUP,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    describeCloudResource,
    hasPodIdentityAssociation,
} from "./resources";

/** The node's own policies, and ECR's pull-only policy, which may stand in for read-only. */
const NODE_ROLE_POLICIES = [...EKS_NODE_ROLE_POLICIES, "AmazonEC2ContainerRegistryPullOnly"];

const MANAGED_POLICY = /^arn:[a-z-]+:iam::aws:policy\/(.+)$/;

const MOVE_IT = "every pod on the nodes' host network can use it. Move it to a role of the pod that needs it, through an EKS Pod Identity association.";

/** What a role policy attachment or inline policy gives the role, for a message. */
function describeGrant(grant: PolicyResource): string {
    const policyArn: unknown = grant.props["policyArn"];
    if (grant.type === IAM_ROLE_POLICY) return `the inline policy "${grant.name}"`;
    return typeof policyArn === "string" ? `${policyArn} (through "${grant.name}")` : `the policy attached by "${grant.name}"`;
}

/** True for an attachment of one of the node's own managed policies. */
function isNodePolicy(grant: PolicyResource): boolean {
    const policyArn: unknown = grant.props["policyArn"];
    const managed = typeof policyArn === "string" ? MANAGED_POLICY.exec(policyArn)?.[1] : undefined;
    return grant.type === IAM_ROLE_POLICY_ATTACHMENT && managed !== undefined && NODE_ROLE_POLICIES.includes(managed);
}

/** The VPC CNI's ServiceAccount: without the node role's CNI policy, it needs a Pod Identity association. */
const AWS_NODE = { namespace: "kube-system", serviceAccount: "aws-node" };

/** True when the plan gives kube-system/aws-node a role: an association, or the add-on's own podIdentityAssociations. */
function awsNodeHasIdentity(resources: readonly PolicyResource[], cni: PolicyResource): boolean {
    const onAddon = arrayAt(cni.props, "podIdentityAssociations").some((association) => asRecord(association)["serviceAccount"] === AWS_NODE.serviceAccount);
    return onAddon || hasPodIdentityAssociation(resources, AWS_NODE.namespace, AWS_NODE.serviceAccount);
}

/** Policies set on the role itself (managedPolicyArns, inlinePolicies), which no attachment resource shows. */
function policiesOnRole(role: PolicyResource): string[] {
    const managed = arrayAt(role.props, "managedPolicyArns").filter((arn): arn is string => typeof arn === "string");
    const inline = arrayAt(role.props, "inlinePolicies").map((policy) => {
        const name = asRecord(policy)["name"];
        return `the inline policy "${typeof name === "string" ? name : ""}" (inlinePolicies)`;
    });
    return [...managed.filter((arn) => !NODE_ROLE_POLICIES.includes(MANAGED_POLICY.exec(arn)?.[1] ?? "")), ...inline];
}

export const eksNodeRole = stackPolicy({
    id: "EKS-05",
    slug: "node-role",
    description: `The IAM role of every EKS node group's nodes holds only AWS managed policies a node needs (${NODE_ROLE_POLICIES.join(", ")}): no other attachment, inline policy or managedPolicyArns/inlinePolicies on the role. The role is the one the node group depends on; its policies are the attachments and inline policies that depend on the role. The VPC CNI add-on, whose policy the node role so lacks, has a Pod Identity association for kube-system/aws-node.`,
    reason: "Every pod on the host network (the VPC CNI, node agents, any privileged pod a tenant slips in) reads the node role's credentials from IMDS, whatever the hop limit: a right on the node role is a right of all of them. Pods that call AWS need a role of their own, bound to their ServiceAccount.",
    remediation:
        "Keep the node role to the node's own policies, and give each pod that calls AWS its own role through an EKS Pod Identity association (kfstack does so for the VPC CNI, the EBS CSI driver and the cluster-autoscaler), or IRSA where its AWS SDK predates Pod Identity.",
    validateStack: (args, reportViolation) => {
        const grants = args.resources.filter((resource) => resource.type === IAM_ROLE_POLICY_ATTACHMENT || resource.type === IAM_ROLE_POLICY);
        const roles = new Map<string, { role: PolicyResource; groups: string[] }>();
        for (const group of args.resources.filter((resource) => resource.type === EKS_NODE_GROUP)) {
            for (const role of group.dependencies.filter((dependency) => dependency.type === IAM_ROLE)) {
                const entry = roles.get(role.urn) ?? { role, groups: [] };
                entry.groups.push(group.name);
                roles.set(role.urn, entry);
            }
        }
        for (const { role, groups } of roles.values()) {
            const nodeRole = `${describeCloudResource(role.type, role.name)}, the node role of ${groups.map((group) => describeCloudResource(EKS_NODE_GROUP, group)).join(" and ")},`;
            for (const granted of policiesOnRole(role)) reportViolation(`${nodeRole} is given ${granted}: ${MOVE_IT}`, role.urn);
            for (const grant of grants.filter((candidate) => candidate.dependencies.some((dependency) => dependency.urn === role.urn))) {
                if (isNodePolicy(grant)) continue;
                reportViolation(`${nodeRole} is given ${describeGrant(grant)}: ${MOVE_IT}`, grant.urn);
            }
        }
        for (const cni of args.resources.filter((resource) => resource.type === EKS_ADDON && resource.props["addonName"] === "vpc-cni")) {
            if (awsNodeHasIdentity(args.resources, cni)) continue;
            reportViolation(
                `${describeCloudResource(cni.type, cni.name)} (the VPC CNI) has no EKS Pod Identity association for ${AWS_NODE.namespace}/${AWS_NODE.serviceAccount}, and the node role may not carry AmazonEKS_CNI_Policy: aws-node gets no AWS credentials, assigns no pod IPs, and nodes never turn Ready. Associate a role with AmazonEKS_CNI_Policy to ${AWS_NODE.namespace}/${AWS_NODE.serviceAccount}.`,
                cni.urn,
            );
        }
    },
});
