import { describe, expect, it } from "vitest";
import type { ClusterCapabilities } from "../../core/facts";
import { scaleFromZero } from "../../policies/cloud/plat-03-scale-from-zero";
import { mandatoryViolation, messagesOf, violationsOf } from "./fixtures";
import {
    changed,
    clusterFactsRecord,
    eksCluster,
    eksGpuNodeGroup,
    eksNodeGroup,
    expectAcceptedOutright,
    generalPoolFacts,
    gkeGpuNodePool,
    gkeNodePool,
    gpuPoolFacts,
} from "./fixtures-cloud";
import {
    AUTOSCALER_IMAGE,
    DISCOVERY,
    asgTag,
    autoscalerAssociation,
    autoscalerDeployment,
    gpuTemplateTags,
    scaleFromZeroRecords,
} from "./fixtures-scale-from-zero";

const PLAT_03 = { policy: "plat-03-scale-from-zero", id: "PLAT-03" };
const GPU_GROUP = 'EKS node group "kfstack-prod-gpu" can be at 0 nodes (scalingConfig.minSize 0)';
const TAG_FIX =
    "; without them it cannot tell that a pending pod fits, and never scales the group up. Add each as an aws.autoscaling.Tag on the group's ASG (resources[0].autoscalingGroups[0].name), propagateAtLaunch false.";

const NO_TAGS = `${GPU_GROUP}, but its ASG lacks node-template tags the cluster-autoscaler needs to build a node of an empty group: k8s.io/cluster-autoscaler/node-template/label/kfstack.io/pool = "gpu", k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.product = "NVIDIA-A100-SXM4-40GB", k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu = "present:NoSchedule", k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu = "<GPUs per node>"${TAG_FIX}`;

/** The prod records without those `drop` matches, with `add` appended. */
function prodWith(change: { drop?: (record: { type: string; name: string }) => boolean; add?: ReturnType<typeof autoscalerDeployment>[] }) {
    return [...scaleFromZeroRecords().filter((record) => !change.drop?.(record)), ...(change.add ?? [])];
}

const isType = (type: string) => (record: { type: string }) => record.type === type;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const TAG = "aws:autoscaling/tag:Tag";

const CAPABILITIES: ClusterCapabilities = {
    storageClasses: [{ name: "local-nvme", default: true }],
    networkPolicy: { enforced: true, by: "calico" },
    autoscaling: true,
};

describe("PLAT-03 Scale from zero", () => {
    it("accepts the prod GPU node group at 0 with the autoscaler discovering it, its Pod Identity association and the node-template tags", async () => {
        await expectAcceptedOutright(scaleFromZero, scaleFromZeroRecords());
    });

    it("accepts the autoscaler pulled from an air-gapped stack's mirror, pinned by digest", async () => {
        const mirrored = autoscalerDeployment(`registry.enclave.example:5000/kubeflow/autoscaling/cluster-autoscaler@sha256:${"a".repeat(64)}`);
        await expectAcceptedOutright(scaleFromZero, prodWith({ drop: isType(DEPLOYMENT), add: [mirrored] }));
    });

    it("accepts node groups that never go below one node without any autoscaler", async () => {
        const gpuAtOne = changed(eksGpuNodeGroup(), ["props", "scalingConfig", "minSize"], 1);
        await expectAcceptedOutright(scaleFromZero, [eksCluster(), eksNodeGroup(), gpuAtOne]);
    });

    it("rejects a node group at 0 when the plan runs no cluster-autoscaler", async () => {
        const records = prodWith({ drop: isType(DEPLOYMENT) });
        expect(await violationsOf(scaleFromZero, records)).toEqual([
            mandatoryViolation(
                PLAT_03,
                records[2]!,
                `${GPU_GROUP}, but the plan runs no cluster-autoscaler: nothing scales it up, and pods that need it stay Pending. Run the cluster-autoscaler (image registry.k8s.io/autoscaling/cluster-autoscaler) with ${DISCOVERY}.`,
            ),
        ]);
    });

    it("does not take a Deployment of another image with the autoscaler's flags for the autoscaler", async () => {
        const impostor = autoscalerDeployment("registry.k8s.io/autoscaling/vpa-recommender:1.4.1");
        expect(await messagesOf(scaleFromZero, prodWith({ drop: isType(DEPLOYMENT), add: [impostor] }))).toEqual([
            `${GPU_GROUP}, but the plan runs no cluster-autoscaler: nothing scales it up, and pods that need it stay Pending. Run the cluster-autoscaler (image registry.k8s.io/autoscaling/cluster-autoscaler) with ${DISCOVERY}.`,
        ]);
    });

    it("rejects an autoscaler whose auto-discovery does not name this cluster's tag", async () => {
        for (const flags of [
            ["--cloud-provider=aws", "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled"],
            ["--cloud-provider=aws", "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/kfstack-dev"],
            ["--cloud-provider=aws", "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/kfstack-prod=shared"],
        ]) {
            const elsewhere = autoscalerDeployment(AUTOSCALER_IMAGE, flags);
            expect(await messagesOf(scaleFromZero, prodWith({ drop: isType(DEPLOYMENT), add: [elsewhere] }))).toEqual([
                `${GPU_GROUP}, but the cluster-autoscaler in Deployment "kube-system/cluster-autoscaler" does not discover it: nothing scales it up, and pods that need it stay Pending. Run the cluster-autoscaler (image registry.k8s.io/autoscaling/cluster-autoscaler) with ${DISCOVERY}.`,
            ]);
        }
    });

    it("rejects an autoscaler without a Pod Identity association for its ServiceAccount", async () => {
        const records = prodWith({
            drop: isType("aws:eks/podIdentityAssociation:PodIdentityAssociation"),
            add: [autoscalerAssociation("ebs-csi-controller-sa")],
        });
        expect(await violationsOf(scaleFromZero, records)).toEqual([
            mandatoryViolation(
                PLAT_03,
                records[2]!,
                `${GPU_GROUP}, but the cluster-autoscaler in Deployment "kube-system/cluster-autoscaler" has no AWS access: no EKS Pod Identity association for ServiceAccount kube-system/cluster-autoscaler, so it cannot set the group's desired size. Add a PodIdentityAssociation for kube-system/cluster-autoscaler with a role that may call autoscaling:SetDesiredCapacity on the cluster's node groups.`,
            ),
        ]);
    });

    it("rejects a GPU node group at 0 whose ASG has no node-template tags", async () => {
        const records = prodWith({ drop: isType(TAG) });
        expect(await violationsOf(scaleFromZero, records)).toEqual([mandatoryViolation(PLAT_03, records[2]!, NO_TAGS)]);
    });

    it("rejects a taint tag whose effect is not the node group's", async () => {
        const gpu = eksGpuNodeGroup();
        const tags = gpuTemplateTags(gpu).map((tag) =>
            tag.name.endsWith("taint/nvidia.com/gpu") ? asgTag(gpu, "taint/nvidia.com/gpu", "present:NoExecute") : tag,
        );
        expect(await messagesOf(scaleFromZero, [...prodWith({ drop: isType(TAG) }), ...tags])).toEqual([
            `${GPU_GROUP}, but its ASG lacks node-template tags the cluster-autoscaler needs to build a node of an empty group: k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu = "present:NoSchedule"${TAG_FIX}`,
        ]);
    });

    it("rejects a GPU resource tag that is not a whole number of GPUs", async () => {
        const gpu = eksGpuNodeGroup();
        const tags = gpuTemplateTags(gpu).map((tag) => (tag.name.endsWith("resources/nvidia.com/gpu") ? asgTag(gpu, "resources/nvidia.com/gpu", "0") : tag));
        expect(await messagesOf(scaleFromZero, [...prodWith({ drop: isType(TAG) }), ...tags])).toEqual([
            `${GPU_GROUP}, but its ASG lacks node-template tags the cluster-autoscaler needs to build a node of an empty group: k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu = "<GPUs per node>"${TAG_FIX}`,
        ]);
    });

    it("does not count another group's tags as this group's", async () => {
        const tagsOfGeneral = gpuTemplateTags(eksNodeGroup());
        expect(await messagesOf(scaleFromZero, [...prodWith({ drop: isType(TAG) }), ...tagsOfGeneral])).toEqual([NO_TAGS]);
    });

    it("accepts a GKE node pool at 0 with autoscaling, as GKE's autoscaler reads the pool's template", async () => {
        await expectAcceptedOutright(scaleFromZero, [gkeNodePool(), gkeGpuNodePool()]);
    });

    it("rejects a GKE node pool with 0 nodes and no autoscaling", async () => {
        let pool = changed(gkeGpuNodePool(), ["props", "autoscaling"], undefined);
        pool = changed(pool, ["props", "initialNodeCount"], 0);
        expect(await violationsOf(scaleFromZero, [gkeNodePool(), pool])).toEqual([
            mandatoryViolation(
                PLAT_03,
                pool,
                "GKE node pool \"kfstack-gke-prod-gpu\" has 0 nodes and no autoscaling, so nothing adds a node for a pending pod; set autoscaling.totalMinNodeCount 0 and totalMaxNodeCount above 0 (GKE's autoscaler builds the node from the pool's template, GPUs, labels and taints included).",
            ),
        ]);
    });

    it("rejects a GKE node pool whose autoscaling allows no node", async () => {
        const pool = changed(gkeGpuNodePool(), ["props", "autoscaling", "totalMaxNodeCount"], 0);
        expect(await messagesOf(scaleFromZero, [pool])).toEqual([
            'GKE node pool "kfstack-gke-prod-gpu" can be at 0 nodes (autoscaling minimum 0), but its autoscaling allows no node (maximum 0), so it never scales up; set autoscaling.totalMaxNodeCount above 0.',
        ]);
    });

    it("accepts an existing cluster's pool at 0 when the stack declares the cluster autoscales", async () => {
        await expectAcceptedOutright(scaleFromZero, [clusterFactsRecord({ cloud: "existing", provides: CAPABILITIES }, "kfstack-onprem")]);
    });

    it("accepts an existing cluster whose pools never go below one node, declaring nothing", async () => {
        const fixed = { ...gpuPoolFacts(), minNodes: 2, desiredNodes: 2, maxNodes: 2 };
        await expectAcceptedOutright(scaleFromZero, [clusterFactsRecord({ cloud: "existing", nodePools: [generalPoolFacts(), fixed] }, "kfstack-onprem")]);
    });

    it("rejects an existing cluster's pool at 0 when the stack does not declare what the cluster provides", async () => {
        const facts = clusterFactsRecord({ cloud: "existing" }, "kfstack-onprem");
        expect(await violationsOf(scaleFromZero, [facts])).toEqual([
            mandatoryViolation(
                PLAT_03,
                facts,
                'Node pool "gpu" of the existing cluster can be at 0 nodes (minNodes 0), but the stack does not declare that the cluster scales it up (provides.autoscaling is not declared): nothing in the plan adds nodes, so pods that need the pool stay Pending. Declare provides.autoscaling: true if the cluster runs an autoscaler for it, or set the pool\'s minNodes above 0.',
            ),
        ]);
    });

    it("rejects an existing cluster's pool at 0 when the stack declares no autoscaling", async () => {
        const facts = clusterFactsRecord({ cloud: "existing", provides: { ...CAPABILITIES, autoscaling: false } }, "kfstack-onprem");
        expect(await messagesOf(scaleFromZero, [facts])).toEqual([
            'Node pool "gpu" of the existing cluster can be at 0 nodes (minNodes 0), but the stack does not declare that the cluster scales it up (provides.autoscaling is false): nothing in the plan adds nodes, so pods that need the pool stay Pending. Declare provides.autoscaling: true if the cluster runs an autoscaler for it, or set the pool\'s minNodes above 0.',
        ]);
    });
});
