// The pod network as a cluster fact, and the tenancy audit reading it: where pods
// take their addresses decides whether a NetworkPolicy ipBlock admits them.
import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_FACTS_TYPE_PREFIX, clusterFacts } from "../../core/facts";
import { type AuditFinding, auditTenancy, unacknowledged } from "../../engine/audit/tenancy-audit";
import { type PolicyRecord, policyRecordsOf } from "../../engine/policy-check";
import { type SharedStack, plannedStack } from "../planned-stacks";

describe.each<[SharedStack, string[]]>([
    ["prod", ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"]],
    ["gke-dev", ["10.16.0.0/14"]],
    ["onprem", ["192.168.0.0/16"]],
    ["airgap", ["10.0.0.0/8"]],
    ["govcloud-airgap", ["10.50.0.0/19", "10.50.32.0/19", "10.50.64.0/19"]],
])("the cluster facts of stack %s", (stack, podCidrs) => {
    it("record the pod network: the node subnets of a VPC kfstack creates on EKS, the pods range on GKE, the declared blocks on an existing cluster", async () => {
        expect(clusterFacts(policyRecordsOf((await plannedStack(stack)).resources))?.podCidrs).toEqual(podCidrs);
    });
});

/** A NetworkPolicy of tenant vision admitting every address of the prod VPC, as a hand-applied manifest would. */
const ALLOW_FROM_VPC: PolicyRecord = {
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    name: "vision/allow-from-vpc",
    props: {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-from-vpc", namespace: "vision" },
        spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "10.40.0.0/16" } }] }] },
    },
};

describe("the tenancy audit of the prod plan, where the VPC CNI gives pods addresses of the node subnets", () => {
    let prod: PolicyRecord[];
    beforeAll(async () => {
        prod = policyRecordsOf((await plannedStack("prod")).resources);
    });
    const networkFindings = (resources: PolicyRecord[]): AuditFinding[] => unacknowledged(auditTenancy(resources)).filter(({ kind }) => kind === "network");

    it("finds no tenant reaching another as planned, though each tenant's egress to the API server's VPC reaches every pod", () => {
        expect(networkFindings(prod)).toEqual([]);
    });

    it("names in a platform service's path only the rule that opens its port, not the API server's ipBlock that reaches its pods too", () => {
        const cache = auditTenancy(prod).findings.find(
            ({ id, message }) => id === "unauthenticated-pipelines-cache" && message.startsWith("Pods of tenant vision "),
        )!;
        expect(cache.path.slice(0, 4)).toEqual([
            "a pod of vision with no labels → pods of Deployment kubeflow/ml-pipeline",
            "NetworkPolicy vision/default-deny selects every pod of vision for egress",
            "NetworkPolicy vision/allow-platform-services allows egress to pods matching app=ml-pipeline in namespaces matching kubernetes.io/metadata.name in (kubeflow) on TCP 8887",
            "no NetworkPolicy selects pods of Deployment kubeflow/ml-pipeline for ingress",
        ]);
    });

    it("finds tenant nlp reaching vision when vision admits an ipBlock of the VPC, through the pod network", () => {
        const findings = networkFindings([...prod, ALLOW_FROM_VPC]);
        const nlp = findings.find((finding) => finding.id === "network:nlp:vision")!;
        expect(nlp.message).toBe("Pods of tenant nlp can open connections to pods of tenant vision (TCP 443, TCP 6443)");
        expect(nlp.path).toEqual([
            "a pod of nlp with no labels → a pod of vision with no labels",
            "NetworkPolicy nlp/default-deny selects every pod of nlp for egress",
            "NetworkPolicy nlp/allow-platform-services allows egress to ipBlock 10.40.0.0/16 (overlapping the pod network 10.40.0.0/19, 10.40.32.0/19, 10.40.64.0/19) on TCP 443, TCP 6443",
            "NetworkPolicy vision/default-deny selects every pod of vision for ingress",
            "NetworkPolicy vision/allow-from-vpc allows ingress from ipBlock 10.40.0.0/16 (overlapping the pod network 10.40.0.0/19, 10.40.32.0/19, 10.40.64.0/19) on all ports",
        ]);
        // Every namespace without an egress policy reaches vision the same way; nlp stays closed.
        expect(findings.map((finding) => finding.id)).toContain("network:kube-system:vision");
        expect(findings.filter((finding) => !finding.id.endsWith(":vision"))).toEqual([]);
    });

    it("finds no such path when the plan does not say where pods take their addresses", () => {
        const withoutPodNetwork = prod.map((record) => {
            if (!record.type.startsWith(CLUSTER_FACTS_TYPE_PREFIX) || !("podCidrs" in record.props)) return record;
            const { podCidrs: _podCidrs, ...props } = record.props;
            return { ...record, props };
        });
        expect(networkFindings([...withoutPodNetwork, ALLOW_FROM_VPC])).toEqual([]);
    });
});
