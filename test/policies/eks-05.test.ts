import { describe, expect, it } from "vitest";
import { eksNodeRole } from "../../policies/cloud/eks-05-node-role";
import type { PolicyRecord } from "../../engine/policy-check";
import { Unknown } from "../../engine/values";
import { mandatoryViolation, record, violationsOf } from "./fixtures";
import { changed, eksGpuNodeGroup, eksNodeGroup, expectAcceptedOutright } from "./fixtures-cloud";
import { vpcCniAddon } from "./fixtures-platform";

const EKS_05 = { policy: "eks-05-node-role", id: "EKS-05" };

const nodeRole = record("aws:iam/role:Role", { assumeRolePolicy: Unknown.instance }, "kfstack-prod-node");

function onRole(type: string, name: string, props: Record<string, unknown>): PolicyRecord {
    return { ...record(type, { role: Unknown.instance, ...props }, name), dependsOn: [nodeRole.urn!] };
}

const attachment = (policy: string, arn = `arn:aws:iam::aws:policy/${policy}`) =>
    onRole("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `kfstack-prod-node-${policy}`, { policyArn: arn });

const awsNodeAssociation = record(
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    { clusterName: "kfstack-prod", namespace: "kube-system", serviceAccount: "aws-node", roleArn: Unknown.instance },
    "kfstack-prod-vpc-cni",
);

/** The prod node role as kfstack plans it: the node's three policies, both node groups depending on the role; the VPC CNI with its own role. */
function nodeRoleRecords(...extra: PolicyRecord[]): PolicyRecord[] {
    const groups = [eksNodeGroup(), eksGpuNodeGroup()].map((group) => ({ ...group, dependsOn: [nodeRole.urn!] }));
    return [
        vpcCniAddon(),
        awsNodeAssociation,
        nodeRole,
        ...["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"].map((policy) => attachment(policy)),
        ...groups,
        ...extra,
    ];
}

const MOVE_IT = "every pod on the nodes' host network can use it. Move it to a role of the pod that needs it, through an EKS Pod Identity association.";
const ROLE = 'IAM role "kfstack-prod-node", the node role of EKS node group "kfstack-prod-general" and EKS node group "kfstack-prod-gpu"';

describe("EKS-05 Node role", () => {
    it("accepts a node role with only the node's own managed policies", async () => {
        await expectAcceptedOutright(eksNodeRole, nodeRoleRecords());
    });

    it("accepts ECR's pull-only policy in place of read-only, and ignores roles no node group uses", async () => {
        const podRole = record("aws:iam/role:Role", { assumeRolePolicy: "{}" }, "kfstack-prod-ebs-csi");
        const podPolicy = {
            ...record("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }, "kfstack-prod-ebs-csi"),
            dependsOn: [podRole.urn!],
        };
        await expectAcceptedOutright(eksNodeRole, [...nodeRoleRecords(attachment("AmazonEC2ContainerRegistryPullOnly")), podRole, podPolicy]);
    });

    it("rejects another AWS managed policy on the node role, such as the VPC CNI's", async () => {
        const cni = attachment("AmazonEKS_CNI_Policy");
        expect(await violationsOf(eksNodeRole, nodeRoleRecords(cni))).toEqual([
            mandatoryViolation(
                EKS_05,
                cni,
                `${ROLE}, is given arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy (through "kfstack-prod-node-AmazonEKS_CNI_Policy"): ${MOVE_IT}`,
            ),
        ]);
    });

    it("rejects a customer managed policy on the node role", async () => {
        const custom = attachment("s3-datasets", "arn:aws:iam::111122223333:policy/s3-datasets");
        expect(await violationsOf(eksNodeRole, nodeRoleRecords(custom))).toEqual([
            mandatoryViolation(
                EKS_05,
                custom,
                `${ROLE}, is given arn:aws:iam::111122223333:policy/s3-datasets (through "kfstack-prod-node-s3-datasets"): ${MOVE_IT}`,
            ),
        ]);
    });

    it("rejects an inline policy on the node role", async () => {
        const inline = onRole("aws:iam/rolePolicy:RolePolicy", "kfstack-prod-node-route53", { policy: "{}" });
        expect(await violationsOf(eksNodeRole, nodeRoleRecords(inline))).toEqual([
            mandatoryViolation(EKS_05, inline, `${ROLE}, is given the inline policy "kfstack-prod-node-route53": ${MOVE_IT}`),
        ]);
    });

    it("rejects policies set on the node role itself, through managedPolicyArns or inlinePolicies", async () => {
        const role = changed(
            nodeRole,
            ["props", "managedPolicyArns"],
            ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonS3FullAccess"],
        );
        const withInline = changed(role, ["props", "inlinePolicies"], [{ name: "datasets", policy: "{}" }]);
        const records = nodeRoleRecords().map((candidate) => (candidate.urn === nodeRole.urn ? withInline : candidate));
        expect(await violationsOf(eksNodeRole, records)).toEqual([
            mandatoryViolation(EKS_05, withInline, `${ROLE}, is given arn:aws:iam::aws:policy/AmazonS3FullAccess: ${MOVE_IT}`),
            mandatoryViolation(EKS_05, withInline, `${ROLE}, is given the inline policy "datasets" (inlinePolicies): ${MOVE_IT}`),
        ]);
    });

    it("accepts the VPC CNI's role given through the add-on's own podIdentityAssociations", async () => {
        const cni = changed(vpcCniAddon(), ["props", "podIdentityAssociations"], [{ roleArn: Unknown.instance, serviceAccount: "aws-node" }]);
        const records = nodeRoleRecords().filter((candidate) => candidate !== awsNodeAssociation && candidate.name !== cni.name);
        await expectAcceptedOutright(eksNodeRole, [...records, cni]);
    });

    it("rejects a VPC CNI add-on whose aws-node has no Pod Identity association, since the node role lacks its policy", async () => {
        const records = nodeRoleRecords().filter((candidate) => candidate !== awsNodeAssociation);
        const cni = records.find((candidate) => candidate.name === "kfstack-prod-vpc-cni")!;
        expect(await violationsOf(eksNodeRole, records)).toEqual([
            mandatoryViolation(
                EKS_05,
                cni,
                'EKS add-on "kfstack-prod-vpc-cni" (the VPC CNI) has no EKS Pod Identity association for kube-system/aws-node, and the node role may not carry AmazonEKS_CNI_Policy: aws-node gets no AWS credentials, assigns no pod IPs, and nodes never turn Ready. Associate a role with AmazonEKS_CNI_Policy to kube-system/aws-node.',
            ),
        ]);
    });
});
