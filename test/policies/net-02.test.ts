import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { requiredEgress } from "../../policies/tenancy/net-02-required-egress";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { allowPlatformServices, at, namespace, twoTenants } from "./fixtures-tenancy";

const tenants = [...twoTenants(), allowPlatformServices("team-a"), allowPlatformServices("team-b")];
const SERVICES_RULES = [at(tenants, "NetworkPolicy", "team-a/allow-platform-services"), "props", "spec", "egress"];
const DNS = at(tenants, "NetworkPolicy", "team-a/allow-dns");
const DNS_RULE = [DNS, "props", "spec", "egress", 0];
const STORAGE = at(tenants, "NetworkPolicy", "team-a/allow-object-storage");
const STORAGE_RULE = [STORAGE, "props", "spec", "egress", 0];
const dnsMessage = (protocols: string) =>
    `Tenant namespace "team-a" allows its pods no DNS egress over ${protocols} port 53 to kube-system pods k8s-app=kube-dns; add an egress rule to it on ports 53/UDP and 53/TCP in a NetworkPolicy with podSelector {}.`;
const STORAGE_MESSAGE =
    'Tenant namespace "team-a" allows its pods no egress to object storage (kubeflow pods app=minio on port 9000/TCP); add an egress rule to it in a NetworkPolicy with podSelector {}.';

describe("NET-02 required egress", () => {
    it("accepts tenants that allow every pod DNS and object storage", async () => {
        expect(await violationsOf(requiredEgress, tenants)).toEqual([]);
    });

    it("rejects a tenant without a DNS allow rule, reported on its Profile", async () => {
        expect(
            await violationsOf(
                requiredEgress,
                tenants.filter((_, index) => index !== DNS),
            ),
        ).toEqual([
            mandatoryViolation({ policy: "net-02-required-egress", id: "NET-02" }, tenants[at(tenants, "Profile", "team-a")]!, dnsMessage("UDP and TCP")),
        ]);
    });

    it.each([
        ["UDP", [{ protocol: "TCP", port: 53 }]],
        ["TCP", [{ protocol: "UDP", port: 53 }]],
    ])("rejects DNS allowed without %s", async (missing, ports) => {
        expect(await messagesOf(requiredEgress, changed(tenants, [...DNS_RULE, "ports"], ports))).toEqual([dnsMessage(missing)]);
    });

    it("rejects DNS allowed to the tenant's own namespace instead of kube-system", async () => {
        expect(await messagesOf(requiredEgress, changed(tenants, [...DNS_RULE, "to", 0, "namespaceSelector"], undefined))).toEqual([dnsMessage("UDP and TCP")]);
    });

    it("rejects DNS allowed to other pods of kube-system", async () => {
        expect(
            await messagesOf(requiredEgress, changed(tenants, [...DNS_RULE, "to", 0, "podSelector"], { matchLabels: { "k8s-app": "metrics-server" } })),
        ).toEqual([dnsMessage("UDP and TCP")]);
    });

    it("rejects an allow rule in a policy that selects only some pods", async () => {
        expect(await messagesOf(requiredEgress, changed(tenants, [DNS, "props", "spec", "podSelector"], { matchLabels: { app: "notebook" } }))).toEqual([
            dnsMessage("UDP and TCP"),
        ]);
    });

    it("rejects egress rules of a policy whose policyTypes leave out Egress", async () => {
        expect(await messagesOf(requiredEgress, changed(tenants, [DNS, "props", "spec", "policyTypes"], ["Ingress"]))).toEqual([dnsMessage("UDP and TCP")]);
    });

    it("accepts the other ways of writing the DNS rule: all of kube-system, a matchExpression, port ranges, rules without ports or peers", async () => {
        const variants = [
            changed(tenants, [...DNS_RULE, "to", 0, "podSelector"], undefined),
            changed(tenants, [...DNS_RULE, "to", 0, "namespaceSelector"], {
                matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["kube-system", "kubeflow"] }],
            }),
            changed(tenants, [...DNS_RULE, "ports"], [{ protocol: "UDP", port: 50, endPort: 60 }, { port: 53 }]),
            changed(tenants, [...DNS_RULE, "ports"], undefined),
            changed(tenants, [...DNS_RULE, "to"], []),
            changed(tenants, [DNS, "props", "spec", "policyTypes"], undefined),
        ];
        for (const variant of variants) expect(await messagesOf(requiredEgress, variant)).toEqual([]);
    });

    it("matches namespace selectors against the labels of the stack's Namespace objects", async () => {
        const byLabel = changed(tenants, [...STORAGE_RULE, "to", 0, "namespaceSelector"], { matchLabels: { "control-plane": "kubeflow" } });
        expect(await messagesOf(requiredEgress, byLabel)).toEqual([STORAGE_MESSAGE]);
        expect(await messagesOf(requiredEgress, [...byLabel, namespace("kubeflow", { "control-plane": "kubeflow" })])).toEqual([]);
    });

    it("rejects a tenant without an object storage allow rule", async () => {
        expect(
            await messagesOf(
                requiredEgress,
                tenants.filter((_, index) => index !== STORAGE),
            ),
        ).toEqual([STORAGE_MESSAGE]);
    });

    it("rejects object storage allowed on the wrong port", async () => {
        expect(await messagesOf(requiredEgress, changed(tenants, [...STORAGE_RULE, "ports", 0, "port"], 9001))).toEqual([STORAGE_MESSAGE]);
    });

    it("rejects ML Metadata selected by an app label: its pods carry component=metadata-grpc-server and no app label", async () => {
        const byApp = changed(tenants, [...SERVICES_RULES, 2, "to", 0, "podSelector"], { matchLabels: { app: "metadata-grpc-server" } });
        expect(await messagesOf(requiredEgress, byApp)).toEqual([
            'Tenant namespace "team-a" allows its pods no egress to ml-metadata (kubeflow pods component=metadata-grpc-server) on 8080/TCP; add an egress rule to it in a NetworkPolicy with podSelector {}.',
        ]);
    });

    it("rejects a platform service allowed on only some of its ports, naming the closed ones", async () => {
        const withoutKatib = changed(tenants, [...SERVICES_RULES, 3, "ports"], [{ protocol: "TCP", port: 6790 }]);
        const apiHalf = changed(withoutKatib, [...SERVICES_RULES, 1, "ports"], [{ protocol: "TCP", port: 8888 }]);
        expect(await messagesOf(requiredEgress, apiHalf)).toEqual([
            'Tenant namespace "team-a" allows its pods no egress to pipelines-api (kubeflow pods app=ml-pipeline) on 8887/TCP; add an egress rule to it in a NetworkPolicy with podSelector {}.',
            'Tenant namespace "team-a" allows its pods no egress to katib-db-manager (kubeflow pods katib.kubeflow.org/component=db-manager) on 6789/TCP; add an egress rule to it in a NetworkPolicy with podSelector {}.',
        ]);
    });

    it("takes the platform services from the config", async () => {
        const config = {
            "net-02-required-egress": { platformServices: [{ name: "feature-store", namespace: "feast", podLabels: { app: "feast" }, ports: [6566] }] },
        };
        expect(await messagesOf(requiredEgress, tenants, config)).toEqual([
            'Tenant namespace "team-a" allows its pods no egress to feature-store (feast pods app=feast) on 6566/TCP; add an egress rule to it in a NetworkPolicy with podSelector {}.',
            'Tenant namespace "team-b" allows its pods no egress to feature-store (feast pods app=feast) on 6566/TCP; add an egress rule to it in a NetworkPolicy with podSelector {}.',
        ]);
    });

    it("takes the DNS server and the object stores from the config, an IPv4 range included", async () => {
        const config = {
            "net-02-required-egress": {
                dns: { cidr: "169.254.20.10/32" },
                objectStorage: [{ cidr: "52.216.0.0/15", port: 443 }],
            },
        };
        const teamA = tenants.filter((record) => !record.name.startsWith("team-b"));
        const dnsRule = [at(teamA, "NetworkPolicy", "team-a/allow-dns"), "props", "spec", "egress", 0];
        const storageRule = [at(teamA, "NetworkPolicy", "team-a/allow-object-storage"), "props", "spec", "egress", 0];
        const nodeLocal = changed(teamA, [...dnsRule, "to"], [{ ipBlock: { cidr: "169.254.20.10/32" } }]);
        const s3 = changed(nodeLocal, storageRule, {
            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }],
            ports: [{ protocol: "TCP", port: 443 }],
        });
        expect(await messagesOf(requiredEgress, s3, config)).toEqual([]);
        expect(await messagesOf(requiredEgress, teamA, config)).toHaveLength(2);
        const hole = changed(s3, [...storageRule, "to", 0, "ipBlock", "except"], ["52.217.0.0/16"]);
        expect(await messagesOf(requiredEgress, hole, config)).toEqual([
            'Tenant namespace "team-a" allows its pods no egress to object storage (52.216.0.0/15 on port 443/TCP); add an egress rule to it in a NetworkPolicy with podSelector {}.',
        ]);
    });

    it("is undecided while an egress rule is unknown", async () => {
        expect((await undecidedOf(requiredEgress, changed(tenants, DNS_RULE, Unknown.instance))).map((entry) => entry.policy)).toEqual([
            "net-02-required-egress",
        ]);
    });
});
