// Tenant egress to a managed data plane: on prod (S3) a tenant's pods reach the STS and S3 interface endpoints in the
// VPC's endpoint subnets on 443, on gke-prod (GCS) the GKE metadata server and private.googleapis.com; no ipBlock of it
// overlaps the pod network, so the tenancy audit finds no new path between tenants, and nothing else opens.
import { beforeAll, describe, expect, it } from "vitest";
import { ipv4Blocks, overlaps, parseCidr, subtract } from "../../core/cidr";
import { clusterFactsOf } from "../../components/facts";
import { stackConfigOf } from "../../components/stack";
import { plannableStackSettings } from "../../engine/unset-secrets";
import { clusterFacts } from "../../core/facts";
import { type Network, buildNetwork } from "../../core/network-policy/network";
import type { KubernetesObject } from "../../core/objects";
import { auditTenancy, unacknowledged } from "../../engine/audit/tenancy-audit";
import { policyRecordsOf } from "../../engine/policy-check";
import type { Plan } from "../../engine/plan";
import { resource, stackFixture } from "../helpers";
import { type SharedStack, plannedStack } from "../planned-stacks";
import { tenantNamespace } from "./network-fixtures";

const TENANTS = ["vision", "nlp"];
const ENDPOINT_SUBNETS = ["10.40.240.0/24", "10.40.241.0/24", "10.40.242.0/24"];

interface Planned {
    plan: Plan;
    objects: KubernetesObject[];
    podCidrs: string[];
}

async function planned(stack: SharedStack): Promise<Planned> {
    const plan = await plannedStack(stack);
    const objects = plan.resources.filter((entry) => typeof entry.inputs.apiVersion === "string").map((entry) => entry.inputs as unknown as KubernetesObject);
    return { plan, objects, podCidrs: clusterFacts(policyRecordsOf(plan.resources))!.podCidrs };
}

const network = ({ objects, podCidrs }: Planned, without?: string): Network =>
    buildNetwork(
        objects.filter((object) => object.metadata.name !== without),
        TENANTS.map(tenantNamespace),
        { podCidrs },
    );

const dataPlanePolicy = ({ objects }: Planned, tenant: string) =>
    objects.find((object) => object.kind === "NetworkPolicy" && object.metadata.namespace === tenant && object.metadata.name === "allow-data-plane");

/** Each tenant's allow-data-plane holds exactly these rules, and the evaluator lets the tenant's pods reach each block on its port through it. */
function expectDataPlaneEgress(stack: Planned, expected: { cidrs: string[]; port: number }[]): void {
    for (const tenant of TENANTS) {
        const rules = expected.map(({ cidrs, port }) => ({ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port }] }));
        expect((dataPlanePolicy(stack, tenant)!.spec as { egress: unknown }).egress).toEqual(rules);
        for (const { cidrs, port } of expected) {
            for (const cidr of cidrs) {
                const verdict = network(stack).egressToCidr(tenant, cidr);
                expect(verdict.allowed).toBe(true);
                expect(verdict.ports.split(", ")).toContain(`TCP ${port}`);
                expect(verdict.because).toContain(`NetworkPolicy ${tenant}/allow-data-plane allows egress to ipBlock ${cidr} (all of ${cidr}) on TCP ${port}`);
            }
        }
    }
}

/** No block a tenant may reach overlaps the pod network: an ipBlock over it would match every pod. */
function expectOutsidePodNetwork(stack: Planned): void {
    const pods = stack.podCidrs.map((cidr) => parseCidr(cidr)!);
    const spec = dataPlanePolicy(stack, TENANTS[0]!)!.spec as { egress: { to: { ipBlock: { cidr: string } }[] }[] };
    for (const cidr of spec.egress.flatMap((rule) => rule.to.map((peer) => peer.ipBlock.cidr))) expect(overlaps(pods, parseCidr(cidr)!)).toBe(false);
}

/** What tenants reach of each other and of the platform is what it was without allow-data-plane, and the audit stays clean. */
function expectNothingElseNew(stack: Planned, closed: string[]): void {
    for (const tenant of TENANTS) {
        for (const cidr of closed) expect(network(stack).egressToCidr(tenant, cidr).allowed).toBe(false);
        for (const other of network(stack).namespaces())
            expect(network(stack).canReach(tenant, other)).toEqual(network(stack, "allow-data-plane").canReach(tenant, other));
    }
    expect(unacknowledged(auditTenancy(policyRecordsOf(stack.plan.resources)))).toEqual([]);
}

describe("tenant egress to the S3 data plane of prod", () => {
    let prod: Planned;
    beforeAll(async () => {
        prod = await planned("prod");
    });

    it("lets every tenant's pods reach the endpoint subnets on TCP 443, outside the pod network", () => {
        expectDataPlaneEgress(prod, [{ cidrs: ENDPOINT_SUBNETS, port: 443 }]);
        expectOutsidePodNetwork(prod);
        // Without it, only the API server's rule (the whole VPC on 443 and 6443, the default of tenancy.apiServerCidrs on aws) would.
        const without = network(prod, "allow-data-plane").egressToCidr("vision", ENDPOINT_SUBNETS[0]!);
        expect(without.because.filter((line) => line.startsWith("NetworkPolicy vision/allow-"))).toEqual([
            `NetworkPolicy vision/allow-platform-services allows egress to ipBlock 10.40.0.0/16 (all of ${ENDPOINT_SUBNETS[0]}) on TCP 443, TCP 6443`,
        ]);
    });

    it("plans the STS and S3 interface endpoints with private DNS in the endpoint subnets, apart from the node subnets pods take addresses from", () => {
        expect(prod.podCidrs).toEqual(["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"]);
        const pods = prod.podCidrs.map((cidr) => parseCidr(cidr)!);
        for (const cidr of ENDPOINT_SUBNETS) expect(overlaps(pods, parseCidr(cidr)!)).toBe(false);
        for (const zone of ["us-east-1a", "us-east-1b", "us-east-1c"])
            expect(resource(prod.plan, "aws:ec2/subnet:Subnet", `kfstack-prod-net-endpoints-${zone}`).inputs.cidrBlock).toBe(
                ENDPOINT_SUBNETS[["us-east-1a", "us-east-1b", "us-east-1c"].indexOf(zone)],
            );
        const sts = resource(prod.plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "kfstack-prod-data-sts").inputs;
        expect(sts).toMatchObject({ serviceName: "com.amazonaws.us-east-1.sts", vpcEndpointType: "Interface", privateDnsEnabled: true });
        expect(sts.subnetIds).toHaveLength(3);
        const s3 = resource(prod.plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "kfstack-prod-data-s3").inputs;
        expect(s3).toMatchObject({
            serviceName: "com.amazonaws.us-east-1.s3",
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            dnsOptions: { privateDnsOnlyForInboundResolverEndpoint: false },
        });
        expect(resource(prod.plan, "aws:ec2/securityGroup:SecurityGroup", "kfstack-prod-data-endpoints").inputs.ingress).toEqual([
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.40.0.0/16"] },
        ]);
    });

    it("opens nothing else: the internet, the instance metadata service and S3's public addresses stay closed, and the audit finds no path between tenants", () => {
        expectNothingElseNew(prod, ["8.8.8.8/32", "169.254.169.254/32", "3.5.0.0/19"]);
    });
});

describe("tenant egress to the GCS data plane of gke-prod", () => {
    let gke: Planned;
    beforeAll(async () => {
        gke = await planned("gke-prod");
    });

    it("lets every tenant's pods reach the GKE metadata server (988, and 80 on Dataplane V2) and private.googleapis.com on 443, outside the pod network", () => {
        expectDataPlaneEgress(gke, [
            { cidrs: ["169.254.169.254/32"], port: 80 },
            { cidrs: ["169.254.169.252/32"], port: 988 },
            { cidrs: ["199.36.153.8/30"], port: 443 },
        ]);
        expectOutsidePodNetwork(gke);
        for (const cidr of ["169.254.169.254/32", "169.254.169.252/32", "199.36.153.8/30"])
            expect(network(gke, "allow-data-plane").egressToCidr("vision", cidr).allowed).toBe(false);
    });

    it("plans the private zone googleapis.com on the cluster's VPC: private.googleapis.com's four addresses and a CNAME to it for every other name", () => {
        const zone = resource(gke.plan, "gcp:dns/managedZone:ManagedZone", "kfstack-gke-prod-net-googleapis").inputs;
        expect(zone).toMatchObject({ dnsName: "googleapis.com.", visibility: "private" });
        expect(resource(gke.plan, "gcp:dns/recordSet:RecordSet", "kfstack-gke-prod-net-googleapis-private").inputs).toMatchObject({
            name: "private.googleapis.com.",
            type: "A",
            rrdatas: ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"],
        });
        expect(resource(gke.plan, "gcp:dns/recordSet:RecordSet", "kfstack-gke-prod-net-googleapis-wildcard").inputs).toMatchObject({
            name: "*.googleapis.com.",
            type: "CNAME",
            rrdatas: ["private.googleapis.com."],
        });
    });

    it("opens nothing else: the internet and Google's public API addresses stay closed, and the audit finds no path between tenants", () => {
        expectNothingElseNew(gke, ["8.8.8.8/32", "142.250.0.0/15", "199.36.153.4/30"]);
    });
});

describe("the pod network of an s3 stack in an existing VPC", () => {
    it("leaves the endpoint subnets an s3 stack names out of the pod network, so allow-data-plane's ipBlocks name no pod", () => {
        const settings = plannableStackSettings("existing-vpc", { configFile: stackFixture("existing-vpc") }).config;
        const network = JSON.parse(settings["kfstack:network"]!) as { existingVpc: Record<string, unknown> };
        const endpointSubnets = [
            { id: "subnet-2a1b2c3d4e5f60718", cidr: "10.50.240.0/28" },
            { id: "subnet-3a1b2c3d4e5f60718", cidr: "10.50.240.16/28" },
        ];
        const { config } = stackConfigOf({
            stack: "existing-vpc",
            config: {
                ...settings,
                "kfstack:dataPlane": JSON.stringify({ objectStore: "s3" }),
                "kfstack:network": JSON.stringify({ existingVpc: { ...network.existingVpc, endpointSubnets } }),
            },
        });
        const podCidrs = clusterFactsOf(config, []).podCidrs;
        expect(podCidrs).toContain("100.64.0.0/16");
        const pods = podCidrs.map((cidr) => parseCidr(cidr)!);
        for (const { cidr } of endpointSubnets) expect(overlaps(pods, parseCidr(cidr)!)).toBe(false);
        // The VPC's primary block holds the pods everywhere but in the two endpoint subnets.
        expect(subtract([parseCidr("10.50.0.0/16")!], pods).flatMap(ipv4Blocks)).toEqual(["10.50.240.0/27"]);
    });
});
