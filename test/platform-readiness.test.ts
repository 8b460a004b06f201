// What a real cluster needs before a claim binds, a NetworkPolicy is enforced
// or a GPU pool at 0 scales up: the EKS add-ons and the default StorageClass in the shipped AWS
// stacks, and a planned stack that gets it wrong seen by the policy pack: through
// its config where the config can get it wrong, through an altered plan where
// only a change to the program could.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EKS_ADDON_VERSIONS, addonVersionsFor } from "../components/cluster/aws/addon-versions";
import { planStack } from "../engine/plan";
import { type PolicyRecord, evaluatePolicies, policyRecordOf } from "../engine/policy-check";
import { plannedStack } from "./planned-stacks";
import { resource, resourcesOfType } from "./helpers";

const ADDON = "aws:eks/addon:Addon";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";

describe.each(["dev", "prod"] as const)("EKS add-ons of stack %s", (stack) => {
    it("installs the five managed add-ons at the versions pinned for Kubernetes 1.33, the VPC CNI enforcing NetworkPolicy", async () => {
        const plan = await plannedStack(stack);
        const addons = resourcesOfType(plan, ADDON).map((addon) => [addon.name, addon.inputs.addonVersion, addon.inputs.configurationValues]);
        expect(addons.sort()).toEqual([
            [`kfstack-${stack}-aws-ebs-csi-driver`, "v1.44.0-eksbuild.1", undefined],
            [`kfstack-${stack}-coredns`, "v1.12.1-eksbuild.2", undefined],
            [`kfstack-${stack}-eks-pod-identity-agent`, "v1.3.7-eksbuild.2", undefined],
            [`kfstack-${stack}-kube-proxy`, "v1.33.0-eksbuild.2", undefined],
            [`kfstack-${stack}-vpc-cni`, "v1.19.5-eksbuild.1", '{"enableNetworkPolicy":"true"}'],
        ]);
    });

    it("installs the add-ons a node needs before any node group, and CoreDNS and the EBS CSI driver once there are nodes", async () => {
        const plan = await plannedStack(stack);
        const groups = resourcesOfType(plan, NODE_GROUP);
        const beforeNodes = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"].map((name) => resource(plan, ADDON, `kfstack-${stack}-${name}`).urn);
        for (const group of groups) expect(group.dependsOn).toEqual(expect.arrayContaining(beforeNodes));
        for (const name of ["coredns", "aws-ebs-csi-driver"])
            expect(resource(plan, ADDON, `kfstack-${stack}-${name}`).dependsOn).toEqual(expect.arrayContaining(groups.map((group) => group.urn)));
    });

    it("gives every pod that calls AWS a Pod Identity role of its own, and the node role only what the node needs", async () => {
        const plan = await plannedStack(stack);
        const associations = resourcesOfType(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        expect(associations.map((association) => `${association.inputs.namespace as string}/${association.inputs.serviceAccount as string}`).sort()).toEqual([
            "kube-system/aws-node",
            "kube-system/cluster-autoscaler",
            "kube-system/ebs-csi-controller-sa",
        ]);
        const cni = resource(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation", `kfstack-${stack}-vpc-cni`);
        expect(resource(plan, ADDON, `kfstack-${stack}-vpc-cni`).dependsOn).toContain(cni.urn);
        expect(resource(plan, ATTACHMENT, `kfstack-${stack}-vpc-cni`).inputs.policyArn).toBe("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
        const nodeRole = resource(plan, "aws:iam/role:Role", `kfstack-${stack}-node`);
        const nodeRolePolicies = resourcesOfType(plan, ATTACHMENT).filter((attachment) => attachment.dependsOn.includes(nodeRole.urn));
        expect(nodeRolePolicies.map((attachment) => attachment.inputs.policyArn).sort()).toEqual([
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ]);
        expect(resourcesOfType(plan, "aws:iam/rolePolicy:RolePolicy").filter((policy) => policy.dependsOn.includes(nodeRole.urn))).toEqual([]);
    });

    it("gives the EBS CSI controller its own role through Pod Identity, once nodes and so the agent exist", async () => {
        const plan = await plannedStack(stack);
        const role = resource(plan, "aws:iam/role:Role", `kfstack-${stack}-ebs-csi`);
        expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        });
        expect(resource(plan, ATTACHMENT, `kfstack-${stack}-ebs-csi`).inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
        const association = resource(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation", `kfstack-${stack}-ebs-csi`);
        expect(association.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" });
        expect(association.dependsOn).toContain(role.urn);
        const driver = resource(plan, ADDON, `kfstack-${stack}-aws-ebs-csi-driver`);
        expect(driver.dependsOn).toEqual(expect.arrayContaining([association.urn, resource(plan, NODE_GROUP, `kfstack-${stack}-general`).urn]));
    });

    it("makes encrypted gp3 the default StorageClass, through the cluster's provider, once the CSI driver exists", async () => {
        const plan = await plannedStack(stack);
        const storageClass = resource(plan, STORAGE_CLASS, `kfstack-${stack}-gp3`);
        expect(storageClass.inputs).toMatchObject({
            metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true" },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        });
        expect(storageClass.provider).toBe(resource(plan, "pulumi:providers:kubernetes", `kfstack-${stack}-k8s`).urn);
        expect(storageClass.dependsOn).toEqual(
            expect.arrayContaining([
                resource(plan, ADDON, `kfstack-${stack}-aws-ebs-csi-driver`).urn,
                resource(plan, "aws:kms/key:Key", `kfstack-${stack}-secrets`).urn,
            ]),
        );
    });
});

describe("addonVersionsFor", () => {
    it("reads the row of a patch version's minor", () => {
        expect(addonVersionsFor("1.33.2")).toBe(EKS_ADDON_VERSIONS["1.33"]);
    });

    it("rejects a Kubernetes minor with no pinned add-on versions, naming the table to extend", () => {
        expect(() => addonVersionsFor("1.29")).toThrow(
            'No EKS add-on versions are pinned for Kubernetes 1.29 (kfstack:kubernetesVersion is "1.29"); pinned: 1.33. Add a row to components/cluster/aws/addon-versions.ts from `aws eks describe-addon-versions --kubernetes-version 1.29`.',
        );
    });
});

describe("a dev stack whose Prometheus names a StorageClass nothing provides", () => {
    it("plans, and PLAT-01 names the Prometheus storage that would stay Pending", async () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-plat-01-"));
        try {
            const configFile = join(directory, "Pulumi.dev.yaml");
            writeFileSync(configFile, `${readFileSync("Pulumi.dev.yaml", "utf8")}  kfstack:monitoring:\n    storageClass: io2\n`);
            const plan = await planStack("dev", { configFile });
            expect(plan.policy.violations.map((violation) => [violation.id, violation.message])).toEqual([
                [
                    "PLAT-01",
                    'Prometheus "monitoring/k8s" names StorageClass "io2", which neither the plan nor EKS cluster "kfstack-dev" provides (classes: gp3); it stays Pending. Set storageClassName to one of them, or create the class.',
                ],
            ]);
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });
});

/** The prod plan's records with one resource changed, the way an edit to the program would change what it registers. */
async function prodRecordsWith(change: (record: PolicyRecord) => PolicyRecord): Promise<PolicyRecord[]> {
    return (await plannedStack("prod")).resources.map(policyRecordOf).map(change);
}

async function platformViolations(records: PolicyRecord[]): Promise<string[][]> {
    const report = await evaluatePolicies(records);
    return report.violations.filter((violation) => violation.id.startsWith("PLAT-")).map((violation) => [violation.id, violation.message]);
}

describe("the prod plan with a change that breaks a real cluster", () => {
    it("passes every PLAT policy as planned", async () => {
        expect(await platformViolations(await prodRecordsWith((record) => record))).toEqual([]);
    });

    it("fails PLAT-02 when the VPC CNI's network policy agent is left off, naming the add-on and the setting", async () => {
        const records = await prodRecordsWith((record) =>
            record.type === ADDON && record.props.addonName === "vpc-cni" ? { ...record, props: { ...record.props, configurationValues: "{}" } } : record,
        );
        expect(await platformViolations(records)).toEqual([
            [
                "PLAT-02",
                expect.stringMatching(
                    /^EKS cluster "kfstack-prod" gets \d+ NetworkPolicies but enforces none: it plans the vpc-cni add-on "kfstack-prod-vpc-cni" with enableNetworkPolicy not set, so its network policy agent stays off; set its configurationValues to \{"enableNetworkPolicy":"true"\}\.$/,
                ),
            ],
        ]);
    });

    it("fails PLAT-04 when the Kubernetes provider does not wait for the access policy associations", async () => {
        const plan = await plannedStack("prod");
        const associations = new Set(resourcesOfType(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((association) => association.urn));
        const records = await prodRecordsWith((record) =>
            record.type === "pulumi:providers:kubernetes" ? { ...record, dependsOn: record.dependsOn!.filter((urn) => !associations.has(urn)) } : record,
        );
        expect(await platformViolations(records)).toEqual([
            [
                "PLAT-04",
                'Kubernetes provider "kfstack-prod-k8s" does not depend on an EKS access policy association granting AmazonEKSClusterAdminPolicy at cluster scope, and EKS cluster "kfstack-prod" gives its creator no access (bootstrapClusterCreatorAdminPermissions false): its objects can be applied before the deployer has access and fail with Unauthorized; add the deployer\'s AccessPolicyAssociation to the provider\'s dependsOn.',
            ],
        ]);
    });

    it("fails PLAT-03 on the GPU node group at 0 when the cluster-autoscaler is taken out", async () => {
        const plan = await plannedStack("prod");
        const records = plan.resources
            .filter((planned) => !(planned.type === "kubernetes:apps/v1:Deployment" && planned.name === "kfstack-prod-cluster-autoscaler"))
            .map(policyRecordOf);
        const report = await evaluatePolicies(records);
        expect(report.violations.map((violation) => [violation.id, violation.resource, violation.message])).toEqual([
            [
                "PLAT-03",
                resource(plan, "aws:eks/nodeGroup:NodeGroup", "kfstack-prod-gpu").urn,
                'EKS node group "kfstack-prod-gpu" can be at 0 nodes (scalingConfig.minSize 0), but the plan runs no cluster-autoscaler: nothing scales it up, and pods that need it stay Pending. Run the cluster-autoscaler (image registry.k8s.io/autoscaling/cluster-autoscaler) with --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/kfstack-prod.',
            ],
        ]);
    });
});
