import { describe, expect, it } from "vitest";
import { registryMirror } from "../../policies/cloud/reg-01-registry-mirror";
import { messagesOf, violationsOf, mandatoryViolation, record } from "./fixtures";
import {
    artifactRegistryRepository,
    changed,
    clusterFactsRecord,
    ecrRepository,
    eksCluster,
    gkeCluster,
    expectAcceptedOutright,
    subnetwork,
    vpcEndpoint,
} from "./fixtures-cloud";

const AIR_GAPPED = { "reg-01-registry-mirror": { airGapped: true } };
/** Every endpoint an EKS cluster without a way out needs (components/cluster/aws/endpoints.ts), S3 as a gateway. */
const SERVICES = ["ecr.api", "ecr.dkr", "sts", "eks", "eks-auth", "ec2", "elasticloadbalancing", "autoscaling", "logs", "kms", "s3"];
const awsStack = () => [clusterFactsRecord(), eksCluster(), ...SERVICES.map((service) => vpcEndpoint(service)), ecrRepository()];
const ECR_MIRROR = "111122223333.dkr.ecr.us-east-1.amazonaws.com/kubeflow-mirror";
const withMirror = (mirrorPrefix: string) => ({ "reg-01-registry-mirror": { airGapped: true, mirrorPrefix } });
const gcpStack = () => [clusterFactsRecord({ cloud: "gcp" }, "kfstack-gke-prod"), gkeCluster(), subnetwork(), artifactRegistryRepository()];
const without = (records: ReturnType<typeof awsStack>, name: string) => records.filter((record) => record.name !== name);

describe("REG-01 registry mirror", () => {
    it("accepts an air-gapped AWS stack with ECR and S3 endpoints and an immutable, scanned mirror", async () => {
        await expectAcceptedOutright(registryMirror, awsStack(), AIR_GAPPED);
    });

    it("accepts an air-gapped GKE stack with Private Google Access and an immutable mirror", async () => {
        expect(await messagesOf(registryMirror, gcpStack(), AIR_GAPPED)).toEqual([]);
    });

    it("asks nothing of a stack that is not air-gapped and has no mirror, the default", async () => {
        expect(await messagesOf(registryMirror, [clusterFactsRecord(), eksCluster(), vpcEndpoint("s3")])).toEqual([]);
    });

    it("rejects a mutable ECR mirror repository, air-gapped or not", async () => {
        const mutable = changed(ecrRepository(), ["props", "imageTagMutability"], "MUTABLE");
        expect(await violationsOf(registryMirror, [mutable])).toEqual([
            mandatoryViolation(
                { policy: "reg-01-registry-mirror", id: "REG-01" },
                mutable,
                'ECR repository "kfstack-prod-mirror-kubeflow-training-operator" lets a pushed tag be overwritten (imageTagMutability is "MUTABLE"); set imageTagMutability to "IMMUTABLE".',
            ),
        ]);
        expect(await messagesOf(registryMirror, [changed(ecrRepository(), ["props", "imageTagMutability"], undefined)])).toEqual([
            'ECR repository "kfstack-prod-mirror-kubeflow-training-operator" lets a pushed tag be overwritten (imageTagMutability is not set, and ECR defaults to MUTABLE); set imageTagMutability to "IMMUTABLE".',
        ]);
    });

    it("rejects tag mutability with exclusions", async () => {
        expect(await messagesOf(registryMirror, [changed(ecrRepository(), ["props", "imageTagMutability"], "IMMUTABLE_WITH_EXCLUSION")])).toEqual([
            'ECR repository "kfstack-prod-mirror-kubeflow-training-operator" lets a pushed tag be overwritten (imageTagMutability is "IMMUTABLE_WITH_EXCLUSION"); set imageTagMutability to "IMMUTABLE".',
        ]);
    });

    it("rejects an ECR mirror repository that does not scan on push", async () => {
        expect(await messagesOf(registryMirror, [changed(ecrRepository(), ["props", "imageScanningConfiguration"], undefined)])).toEqual([
            'ECR repository "kfstack-prod-mirror-kubeflow-training-operator" does not scan images on push; set imageScanningConfiguration.scanOnPush to true.',
        ]);
    });

    it("rejects a mutable Artifact Registry Docker repository and leaves remote repositories alone", async () => {
        expect(await messagesOf(registryMirror, [changed(artifactRegistryRepository(), ["props", "dockerConfig"], undefined)])).toEqual([
            'Artifact Registry repository "kfstack-gke-prod-mirror" lets a pushed tag be overwritten; set dockerConfig.immutableTags to true.',
        ]);
        const remote = changed(changed(artifactRegistryRepository(), ["props", "dockerConfig"], undefined), ["props", "mode"], "REMOTE_REPOSITORY");
        expect(await messagesOf(registryMirror, [remote])).toEqual([]);
    });

    it.each(SERVICES)("rejects an air-gapped AWS stack without the %s endpoint", async (service) => {
        expect(await messagesOf(registryMirror, without(awsStack(), vpcEndpoint(service).name), AIR_GAPPED)).toEqual([
            `The air-gapped stack has no VPC endpoint for ${service}, so its nodes cannot reach it without the internet; create com.amazonaws.<region>.${service} in the cluster's VPC (interface endpoints with private DNS; S3 as a gateway endpoint on the private route tables).`,
        ]);
    });

    it("reads endpoints of the GovCloud partition", async () => {
        const govcloud = [clusterFactsRecord(), eksCluster(), ...SERVICES.map((service) => vpcEndpoint(service, "us-gov-west-1")), ecrRepository()];
        expect(await messagesOf(registryMirror, govcloud, AIR_GAPPED)).toEqual([]);
    });

    it("rejects an ECR endpoint without private DNS, or not an interface endpoint", async () => {
        const index = awsStack().findIndex((record) => record.name === "kfstack-prod-net-ecr-dkr");
        const noDns = awsStack();
        noDns[index] = changed(noDns[index]!, ["props", "privateDnsEnabled"], false);
        expect(await messagesOf(registryMirror, noDns, AIR_GAPPED)).toEqual([
            'VPC endpoint "kfstack-prod-net-ecr-dkr" for ecr.dkr has no private DNS, so nodes still resolve ecr.dkr to the public service; set privateDnsEnabled to true.',
        ]);
        const gateway = awsStack();
        gateway[index] = changed(gateway[index]!, ["props", "vpcEndpointType"], "Gateway");
        expect(await messagesOf(registryMirror, gateway, AIR_GAPPED)).toEqual([
            'VPC endpoint "kfstack-prod-net-ecr-dkr" for ecr.dkr is not an interface endpoint (vpcEndpointType is "Gateway"); set vpcEndpointType to "Interface".',
        ]);
    });

    it("takes the endpoints an air-gapped AWS stack needs from the pack config", async () => {
        const config = { "reg-01-registry-mirror": { airGapped: true, awsEndpoints: [...SERVICES, "ssm"] } };
        expect(await messagesOf(registryMirror, awsStack(), config)).toEqual([
            "The air-gapped stack has no VPC endpoint for ssm, so its nodes cannot reach it without the internet; create com.amazonaws.<region>.ssm in the cluster's VPC (interface endpoints with private DNS; S3 as a gateway endpoint on the private route tables).",
        ]);
    });

    it("rejects an air-gapped AWS stack whose only S3 endpoint is an interface endpoint", async () => {
        const s3Interface = changed(vpcEndpoint("s3"), ["props", "vpcEndpointType"], "Interface");
        expect(await messagesOf(registryMirror, [...without(awsStack(), s3Interface.name), s3Interface], AIR_GAPPED)).toEqual([
            "The air-gapped stack reaches S3 only through an interface endpoint, which resolves only where its private DNS answers; ECR's image layers come from S3, so add an S3 gateway endpoint (vpcEndpointType \"Gateway\") on the private subnets' route tables.",
        ]);
    });

    it.each([
        [
            "an internet gateway",
            record("aws:ec2/internetGateway:InternetGateway", { vpcId: "vpc-1" }, "kfstack-prod-net-igw"),
            'internet gateway "kfstack-prod-net-igw"',
        ],
        [
            "an egress-only internet gateway",
            record("aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", { vpcId: "vpc-1" }, "kfstack-prod-net-eigw"),
            'egress-only internet gateway "kfstack-prod-net-eigw"',
        ],
    ])("rejects an air-gapped AWS stack with %s", async (_what, gateway, described) => {
        expect(await violationsOf(registryMirror, [...awsStack(), gateway], AIR_GAPPED)).toEqual([
            mandatoryViolation(
                { policy: "reg-01-registry-mirror", id: "REG-01" },
                gateway,
                `The air-gapped stack creates ${described}, a route to the internet; remove it (and the public subnets and routes that use it).`,
            ),
        ]);
    });

    it("rejects an air-gapped AWS stack with a NAT gateway", async () => {
        const nat = record("aws:ec2/natGateway:NatGateway", { subnetId: "subnet-1", allocationId: "eipalloc-1" }, "kfstack-prod-net-nat-us-east-1a");
        expect(await messagesOf(registryMirror, [...awsStack(), nat], AIR_GAPPED)).toEqual([
            'The air-gapped stack creates NAT gateway "kfstack-prod-net-nat-us-east-1a", a route to the internet; remove it and reach AWS through VPC endpoints.',
        ]);
    });

    it("accepts the ECR mirror of the mirror stack, in the region of the stack's ECR endpoints, for repositories of its own", async () => {
        await expectAcceptedOutright(registryMirror, without(awsStack(), ecrRepository().name), withMirror(ECR_MIRROR));
    });

    it("rejects an ECR mirror in a region the stack has no ECR endpoint in", async () => {
        const mirror = "111122223333.dkr.ecr.us-west-2.amazonaws.com/kubeflow-mirror";
        expect(await messagesOf(registryMirror, without(awsStack(), ecrRepository().name), withMirror(mirror))).toEqual([
            `The air-gapped stack's mirror "${mirror}" is ECR in us-west-2, but the stack has no ecr.dkr endpoint in us-west-2, so its nodes cannot reach the mirror; create the mirror in the cluster's region.`,
        ]);
    });

    it("rejects a mirror outside ECR when the stack creates no repository", async () => {
        expect(await messagesOf(registryMirror, without(awsStack(), ecrRepository().name), withMirror("registry.enclave.example:5000/kubeflow"))).toEqual([
            'The air-gapped stack creates no ECR mirror repository and its mirror "registry.enclave.example:5000/kubeflow" is not an ECR registry, so its images have nowhere to come from; create the mirror repositories (aws:ecr/repository:Repository) in the stack, or point it at the ECR mirror stack\'s registryPrefix (registry/).',
        ]);
    });

    it("rejects an air-gapped AWS stack without a mirror repository", async () => {
        expect(await messagesOf(registryMirror, without(awsStack(), ecrRepository().name), AIR_GAPPED)).toEqual([
            "The air-gapped stack creates no ECR mirror repository, so its images have nowhere to come from; create the mirror repositories (aws:ecr/repository:Repository) in the stack, or point it at the ECR mirror stack's registryPrefix (registry/).",
        ]);
    });

    it("rejects an air-gapped GKE stack whose subnetwork has no Private Google Access", async () => {
        const [facts, cluster, nodes, mirror] = gcpStack();
        expect(await messagesOf(registryMirror, [facts!, cluster!, changed(nodes!, ["props", "privateIpGoogleAccess"], false), mirror!], AIR_GAPPED)).toEqual([
            'Subnetwork "kfstack-gke-prod-net-nodes" has no Private Google Access, so nodes without public addresses cannot reach Artifact Registry or Cloud Storage in an air-gapped stack; set privateIpGoogleAccess to true.',
        ]);
    });

    it("rejects an air-gapped GKE stack without a mirror repository", async () => {
        expect(await messagesOf(registryMirror, gcpStack().slice(0, 3), AIR_GAPPED)).toEqual([
            "The air-gapped stack creates no Artifact Registry mirror repository, so its images have nowhere to come from; create a Docker repository (gcp:artifactregistry/repository:Repository) in the stack.",
        ]);
    });

    it("tells the cloud from the cluster resource when the stack records no facts", async () => {
        expect(await messagesOf(registryMirror, [eksCluster(), ...SERVICES.map((service) => vpcEndpoint(service))], AIR_GAPPED)).toEqual([
            "The air-gapped stack creates no ECR mirror repository, so its images have nowhere to come from; create the mirror repositories (aws:ecr/repository:Repository) in the stack, or point it at the ECR mirror stack's registryPrefix (registry/).",
        ]);
    });

    it("checks only the mirror repositories of an air-gapped existing cluster", async () => {
        expect(await messagesOf(registryMirror, [clusterFactsRecord({ cloud: "existing" }, "kfstack-onprem")], AIR_GAPPED)).toEqual([]);
    });
});
