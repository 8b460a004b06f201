// The shipped air-gapped EKS stack in AWS GovCloud (US-West): a VPC with no way
// out, every AWS API behind a VPC endpoint with private DNS, a private API
// endpoint, and every image from the ECR mirror in the same account and region,
// pulled with the node role (no pull secret).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AIR_GAP_ENDPOINT_SERVICES } from "../components/cluster/aws/endpoints";
import type { Plan } from "../engine/plan";
import { projectDirectory } from "../engine/stack-file";
import { type PodCarrier, podTemplates } from "../core/pod-templates";
import { allInputStrings, resource, resourcesOfType } from "./helpers";
import { plannedStack } from "./planned-stacks";

const STACK = "kfstack-govcloud-airgap";
const MIRROR = "111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/kubeflow-mirror";

/**
 * The images kubelet's ECR credential provider answers for with the node's credentials on the EKS AL2023 AMIs
 * (awslabs/amazon-eks-ami nodeadm/internal/kubelet/image-credential-provider.template.json).
 */
const ECR_CREDENTIAL_PROVIDER_MATCH_IMAGES = [
    "*.dkr.ecr.*.amazonaws.com",
    "*.dkr-ecr.*.on.aws",
    "*.dkr.ecr.*.amazonaws.com.cn",
    "*.dkr-ecr.*.on.amazonwebservices.com.cn",
    "*.dkr.ecr-fips.*.amazonaws.com",
    "*.dkr-ecr-fips.*.on.aws",
    "*.dkr.ecr.*.c2s.ic.gov",
    "*.dkr.ecr.*.sc2s.sgov.gov",
    "*.dkr.ecr.*.cloud.adc-e.uk",
    "*.dkr.ecr.*.amazonaws.eu",
];

/** Kubelet's matchImages rule for a host: as many dot-separated parts as the pattern, each matching its glob ("*" within one part). */
function matchesImagePattern(host: string, pattern: string): boolean {
    const parts = host.split(".");
    const globs = pattern.split(".");
    return (
        parts.length === globs.length &&
        globs.every((glob, index) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\-]/g, "\\$&").replace(/\*/g, ".*")}$`).test(parts[index]!))
    );
}

const inputsOf = (plan: Plan, type: string) => resourcesOfType(plan, type).map((planned) => planned.inputs as Record<string, unknown>);

describe("stack govcloud-airgap (EKS in us-gov-west-1 with no way out)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("govcloud-airgap");
    });

    it("creates no internet gateway, NAT gateway, Elastic IP or public subnet, and no route out of the private subnets", () => {
        const wayOut = [
            "aws:ec2/internetGateway:InternetGateway",
            "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
            "aws:ec2/natGateway:NatGateway",
            "aws:ec2/eip:Eip",
        ];
        expect(plan.resources.filter((planned) => wayOut.includes(planned.type)).map((planned) => planned.name)).toEqual([]);
        expect(
            resourcesOfType(plan, "aws:ec2/subnet:Subnet")
                .map((subnet) => subnet.name)
                .filter((name) => name.includes("-public-")),
        ).toEqual([]);
        const tables = resourcesOfType(plan, "aws:ec2/routeTable:RouteTable");
        expect(tables.map((table) => table.name).sort()).toEqual(
            ["us-gov-west-1a", "us-gov-west-1b", "us-gov-west-1c"].map((zone) => `${STACK}-net-private-${zone}`),
        );
        expect(tables.map((table) => table.inputs["routes"])).toEqual([undefined, undefined, undefined]);
    });

    it("reaches every AWS API its nodes, add-ons and autoscaler call through an interface endpoint with private DNS in the endpoint subnets, HTTPS from the VPC only", () => {
        const interfaces = inputsOf(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((endpoint) => endpoint["vpcEndpointType"] === "Interface");
        expect(interfaces.map((endpoint) => endpoint["serviceName"]).sort()).toEqual(
            [...AIR_GAP_ENDPOINT_SERVICES, "s3"].map((service) => `com.amazonaws.us-gov-west-1.${service}`).sort(),
        );
        expect(interfaces.every((endpoint) => endpoint["privateDnsEnabled"] === true && (endpoint["subnetIds"] as unknown[]).length === 3)).toBe(true);
        for (const group of [`${STACK}-net-endpoints`, `${STACK}-data-endpoints`]) {
            expect(resource(plan, "aws:ec2/securityGroup:SecurityGroup", group).inputs["ingress"]).toEqual([
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.50.0.0/16"] },
            ]);
        }
    });

    it("keeps S3 a gateway endpoint on the private route tables, where ECR's image layers come from", () => {
        const gateway = resource(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", `${STACK}-net-s3`).inputs;
        expect(gateway).toMatchObject({ serviceName: "com.amazonaws.us-gov-west-1.s3", vpcEndpointType: "Gateway" });
        expect(gateway["routeTableIds"]).toHaveLength(3);
    });

    it("serves the Kubernetes API on its private endpoint only", () => {
        expect(resource(plan, "aws:eks/cluster:Cluster", STACK).inputs["vpcConfig"]).toMatchObject({
            endpointPrivateAccess: true,
            endpointPublicAccess: false,
        });
    });

    it("builds every ARN in the aws-us-gov partition and lets the node role pull from ECR", () => {
        expect(allInputStrings(plan).filter((value) => value.startsWith("arn:") && !value.startsWith("arn:aws-us-gov:"))).toEqual([]);
        const nodePolicies = inputsOf(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((attachment) => attachment["policyArn"]);
        expect(nodePolicies).toContain("arn:aws-us-gov:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
    });

    it("pulls from the mirror stack's GovCloud ECR with the node role: same region and repository prefix, a host kubelet's ECR credential provider answers for, and no pull secret", () => {
        const mirrorStack = (parse(readFileSync(join(projectDirectory(), "registry", "Pulumi.govcloud.yaml"), "utf8")) as { config: Record<string, string> })
            .config;
        const [host, ...path] = MIRROR.split("/");
        expect(host).toBe(`111122223333.dkr.ecr.${mirrorStack["kfstack-mirror:region"]}.amazonaws.com`);
        expect(path.join("/")).toBe(mirrorStack["kfstack-mirror:repositoryPrefix"]);
        expect(ECR_CREDENTIAL_PROVIDER_MATCH_IMAGES.filter((pattern) => matchesImagePattern(host!, pattern))).toEqual(["*.dkr.ecr.*.amazonaws.com"]);
        expect(plan.images.images.filter((entry) => !entry.image.startsWith(`${MIRROR}/`)).map((entry) => entry.image)).toEqual([]);
        const pullSecrets = plan.resources.flatMap((planned) => {
            const inputs = planned.inputs as unknown as PodCarrier & { imagePullSecrets?: unknown; type?: unknown };
            const named = [inputs.imagePullSecrets, ...podTemplates(inputs).map((template) => template.spec["imagePullSecrets"])].filter(
                (value) => value !== undefined,
            );
            return named.length > 0 || inputs.type === "kubernetes.io/dockerconfigjson" ? [planned.name] : [];
        });
        expect(pullSecrets).toEqual([]);
    });

    it("runs the cluster autoscaler from the mirror, and the managed add-ons from EKS's own registry (no image set)", () => {
        const autoscaler = resource(plan, "kubernetes:apps/v1:Deployment", `${STACK}-cluster-autoscaler`).inputs as {
            spec: { template: { spec: { containers: { image: string }[] } } };
        };
        expect(autoscaler.spec.template.spec.containers.map((container) => container.image)).toEqual([
            expect.stringMatching(new RegExp(`^${MIRROR.replace(/\./g, "\\.")}/autoscaling/cluster-autoscaler[:@]`)),
        ]);
        expect(inputsOf(plan, "aws:eks/addon:Addon").filter((addon) => JSON.stringify(addon["configurationValues"] ?? "").includes("image"))).toEqual([]);
    });

    it("exposes the gateway on an internal load balancer only", () => {
        const balancers = inputsOf(plan, "kubernetes:core/v1:Service").filter((service) => (service["spec"] as { type?: string }).type === "LoadBalancer");
        expect(balancers.map((service) => (service["metadata"] as { annotations?: Record<string, string> }).annotations)).toEqual([
            expect.objectContaining({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }),
        ]);
    });

    it("says the cost estimate is at us-east-1's prices, not GovCloud's", () => {
        expect(plan.summary.warnings).toContain("The cost estimate uses us-east-1 list prices, not us-gov-west-1's, which may differ.");
    });
});
