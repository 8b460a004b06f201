// The cluster-autoscaler on EKS: what the shipped AWS stacks plan for it (its
// role, association, RBAC, Deployment and the GPU group's node-template tags),
// the rule for installing it, and its pin from the bill of materials.
import { describe, expect, it } from "vitest";
import { loadBom } from "../components/bom/load";
import { autoscalerPin, wantsAutoscaler } from "../components/cluster/aws/autoscaler";
import { discoversCluster } from "../core/cluster-autoscaler";
import { plannedStack } from "./planned-stacks";
import { resource, resourcesOfType } from "./helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const TAG = "aws:autoscaling/tag:Tag";
const bom = loadBom("kubeflow-1.8.1");

describe.each(["dev", "prod"] as const)("the cluster-autoscaler of stack %s", (stack) => {
    const name = `kfstack-${stack}-cluster-autoscaler`;

    it("runs the BOM's 1.33 autoscaler in kube-system on the general pool, discovering only this cluster's node groups", async () => {
        const plan = await plannedStack(stack);
        const deployment = resource(plan, DEPLOYMENT, name);
        const pod = (deployment.inputs as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
        expect(deployment.inputs).toMatchObject({ metadata: { name: "cluster-autoscaler", namespace: "kube-system" }, spec: { replicas: 1 } });
        expect(pod).toMatchObject({
            serviceAccountName: "cluster-autoscaler",
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kfstack.io/pool": "general" },
            securityContext: { runAsNonRoot: true, runAsUser: 65534 },
            containers: [
                {
                    image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6",
                    command: ["./cluster-autoscaler"],
                    args: [
                        "--cloud-provider=aws",
                        `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/kfstack-${stack}`,
                        "--balance-similar-node-groups",
                        "--expander=least-waste",
                        "--skip-nodes-with-system-pods=false",
                        "--skip-nodes-with-local-storage=false",
                        "--stderrthreshold=info",
                        "--v=4",
                    ],
                    env: [{ name: "AWS_REGION", value: stack === "prod" ? "us-east-1" : "us-west-2" }],
                    resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "600Mi" } },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
            ],
        });
        expect(deployment.provider).toBe(resource(plan, "pulumi:providers:kubernetes", `kfstack-${stack}-k8s`).urn);
    });

    it("starts it only after its Pod Identity association, the Pod Identity agent and the node groups exist", async () => {
        const plan = await plannedStack(stack);
        const association = resource(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation", name);
        expect(association.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "cluster-autoscaler" });
        expect(resource(plan, DEPLOYMENT, name).dependsOn).toEqual(
            expect.arrayContaining([
                association.urn,
                resource(plan, "aws:eks/addon:Addon", `kfstack-${stack}-eks-pod-identity-agent`).urn,
                ...resourcesOfType(plan, "aws:eks/nodeGroup:NodeGroup").map((group) => group.urn),
            ]),
        );
    });

    it("lets its role change the size only of ASGs tagged as this cluster's, describing everything else", async () => {
        const plan = await plannedStack(stack);
        expect(JSON.parse(resource(plan, "aws:iam/role:Role", name).inputs.assumeRolePolicy as string)).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        });
        const statements = (JSON.parse(resource(plan, "aws:iam/rolePolicy:RolePolicy", `${name}-scaling`).inputs.policy as string) as { Statement: unknown[] })
            .Statement;
        expect(statements.slice(1)).toEqual([
            { Sid: "ReadNodeGroups", Effect: "Allow", Action: "eks:DescribeNodegroup", Resource: `arn:aws:eks:*:*:nodegroup/kfstack-${stack}/*` },
            {
                Sid: "ScaleOwnNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/kfstack-${stack}`]: "owned" } },
            },
        ]);
    });

    it("binds its ServiceAccount to its own ClusterRole and Role only", async () => {
        const plan = await plannedStack(stack);
        const subjects = [{ kind: "ServiceAccount", name: "cluster-autoscaler", namespace: "kube-system" }];
        expect(resource(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", name).inputs).toMatchObject({
            roleRef: { kind: "ClusterRole", name: "cluster-autoscaler" },
            subjects,
        });
        expect(resource(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", name).inputs).toMatchObject({
            metadata: { namespace: "kube-system" },
            roleRef: { kind: "Role", name: "cluster-autoscaler" },
            subjects,
        });
    });
});

describe("node-template tags of the prod stack", () => {
    it("tags the ASG of the GPU group, which starts at 0, with its labels, its taint and its 8 GPUs, and leaves the general group's alone", async () => {
        const plan = await plannedStack("prod");
        const gpuGroup = resource(plan, "aws:eks/nodeGroup:NodeGroup", "kfstack-prod-gpu");
        const tags = resourcesOfType(plan, TAG);
        expect(Object.fromEntries(tags.map((tag) => [(tag.inputs.tag as { key: string }).key, tag.inputs.tag]))).toEqual({
            "k8s.io/cluster-autoscaler/node-template/label/kfstack.io/pool": {
                key: "k8s.io/cluster-autoscaler/node-template/label/kfstack.io/pool",
                value: "gpu",
                propagateAtLaunch: false,
            },
            "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.product": {
                key: "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.product",
                value: "NVIDIA-A100-SXM4-40GB",
                propagateAtLaunch: false,
            },
            "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator": {
                key: "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator",
                value: "a100-40gb",
                propagateAtLaunch: false,
            },
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": {
                key: "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
                value: "present:NoSchedule",
                propagateAtLaunch: false,
            },
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": {
                key: "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
                value: "8",
                propagateAtLaunch: false,
            },
        });
        for (const tag of tags) expect(tag.dependsOn).toContain(gpuGroup.urn);
        expect(gpuGroup.inputs.labels).toEqual({
            "kfstack.io/pool": "gpu",
            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
            "k8s.amazonaws.com/accelerator": "a100-40gb",
        });
    });
});

describe("wantsAutoscaler", () => {
    it("installs the autoscaler when some pool can change size, and not when every pool is fixed", () => {
        expect(wantsAutoscaler([{ minNodes: 3, maxNodes: 6 }])).toBe(true);
        expect(
            wantsAutoscaler([
                { minNodes: 6, maxNodes: 6 },
                { minNodes: 0, maxNodes: 4 },
            ]),
        ).toBe(true);
        expect(wantsAutoscaler([{ minNodes: 3, maxNodes: 3 }])).toBe(false);
    });
});

describe("autoscalerPin", () => {
    it("takes the image of the cluster's minor, from the mirror on an air-gapped stack", () => {
        const digest = `sha256:${"b".repeat(64)}`;
        const mirror = {
            prefix: "registry.enclave.example:5000/kubeflow",
            digests: new Map([["registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6", digest]]),
        };
        expect(autoscalerPin(bom, "1.33", undefined).image).toBe("registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6");
        expect(autoscalerPin(bom, "1.33.2", mirror).image).toBe(`registry.enclave.example:5000/kubeflow/autoscaling/cluster-autoscaler@${digest}`);
    });

    it("refuses a Kubernetes minor the BOM pins no autoscaler for, naming the key to add", () => {
        expect(() => autoscalerPin(bom, "1.32", undefined)).toThrow(
            'The kubeflow-1.8.1 bill of materials pins no cluster-autoscaler for Kubernetes 1.32 (kfstack:kubernetesVersion is "1.32"); pinned: 1.33. Add clusterAutoscaler.releases["1.32"] to components/bom/kubeflow-1.8.1.yaml with the latest cluster-autoscaler 1.32 release.',
        );
    });
});

describe("discoversCluster", () => {
    it("accepts this cluster's tag with the enabled tag, their values as EKS sets them or none", () => {
        expect(discoversCluster(["--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/c1"], "c1")).toBe(true);
        expect(discoversCluster(["--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled=true,k8s.io/cluster-autoscaler/c1=owned"], "c1")).toBe(
            true,
        );
    });

    it("refuses a spec without this cluster's tag, with a tag EKS does not set, or a value EKS does not give", () => {
        expect(discoversCluster(["--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled"], "c1")).toBe(false);
        expect(discoversCluster(["--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/c1,team=ml"], "c1")).toBe(false);
        expect(discoversCluster(["--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/c1=shared"], "c1")).toBe(false);
        expect(discoversCluster(["--nodes=0:4:eks-gpu"], "c1")).toBe(false);
    });
});
