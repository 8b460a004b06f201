// The Istio paths of the tenancy audit, as the attacker walks them on the prod
// plan with one thing changed: a route that sets the identity header, a backend
// whose AuthorizationPolicy lets tenant pods in with a header of their choosing,
// a gateway that passes a tenant pod's header on, a member policy that trusts the
// header from anywhere. The prod plan itself has none of them.
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditFinding, auditTenancy, unacknowledged } from "../../engine/audit/tenancy-audit";
import { type PolicyRecord, policyRecordsOf } from "../../engine/policy-check";
import { plannedStack } from "../planned-stacks";

const istio = (group: string, kind: string, namespace: string, name: string, spec: Record<string, unknown>): PolicyRecord => ({
    type: `kubernetes:${group}/v1beta1:${kind}`,
    name: `${namespace}/${name}`,
    props: { apiVersion: `${group}/v1beta1`, kind, metadata: { name, namespace }, spec },
});
const virtualService = (namespace: string, name: string, spec: Record<string, unknown>) =>
    istio("networking.istio.io", "VirtualService", namespace, name, spec);

const isObject = (record: PolicyRecord, kind: string, namespace: string, name: string) => {
    const metadata = record.props["metadata"] as { name?: string; namespace?: string } | undefined;
    return record.props["kind"] === kind && metadata?.namespace === namespace && metadata.name === name;
};

describe("the tenancy audit's Istio paths on the prod plan with one change", () => {
    let prod: PolicyRecord[];
    beforeAll(async () => {
        prod = policyRecordsOf((await plannedStack("prod")).resources);
    });
    /** The prod plan with one AuthorizationPolicy's spec replaced and objects added; its mesh findings. */
    const meshFindings = (replaced: Record<string, Record<string, unknown>>, ...added: PolicyRecord[]): AuditFinding[] =>
        meshFindingsOf(prod, replaced, ...added);
    const meshFindingsOf = (base: PolicyRecord[], replaced: Record<string, Record<string, unknown>>, ...added: PolicyRecord[]): AuditFinding[] => {
        const records = base.map((record) => {
            const key = Object.keys(replaced).find((name) => isObject(record, "AuthorizationPolicy", name.split("/")[0]!, name.split("/")[1]!));
            return key ? { ...record, props: { ...record.props, spec: replaced[key] } } : record;
        });
        return unacknowledged(auditTenancy([...records, ...added])).filter((finding) => finding.kind === "mesh");
    };

    it("finds no Istio path on the prod plan", () => {
        expect(meshFindings({})).toEqual([]);
    });

    it("finds a VirtualService bound to the shared gateway that sets kubeflow-userid, with gateway → route → destination policy", () => {
        const findings = meshFindings(
            {},
            virtualService("vision", "impersonate", {
                gateways: ["kubeflow/kubeflow-gateway"],
                hosts: ["*"],
                http: [
                    {
                        match: [{ uri: { prefix: "/as-dara/" } }],
                        headers: { request: { set: { "kubeflow-userid": "dara@example.com" } } },
                        route: [{ destination: { host: "centraldashboard.kubeflow.svc.cluster.local", port: { number: 80 } } }],
                    },
                ],
            }),
        );
        expect(findings.map((finding) => [finding.id, finding.message])).toEqual([
            [
                "route-sets-identity:vision/impersonate",
                "VirtualService vision/impersonate sets kubeflow-userid: dara@example.com on requests through gateway kubeflow/kubeflow-gateway, so whoever takes the route acts as dara@example.com at Deployment kubeflow/centraldashboard",
            ],
        ]);
        expect(findings[0]!.path).toEqual([
            "gateway kubeflow/kubeflow-gateway",
            "VirtualService vision/impersonate route /as-dara/ sets kubeflow-userid: dara@example.com",
            "Deployment kubeflow/centraldashboard port 8082",
            'AuthorizationPolicy kubeflow/central-dashboard admits it by rule 1: {"from":[{"source":{"principals":["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]}}]}',
        ]);
    });

    it("finds tenant pods calling the Pipelines API as any user when its AuthorizationPolicy admits every source, as upstream's header-less rule invites", () => {
        const findings = meshFindings({ "kubeflow/ml-pipeline": { selector: { matchLabels: { app: "ml-pipeline" } }, rules: [{}] } });
        expect(findings.map((finding) => [finding.id, finding.message])).toEqual([
            [
                "forged-identity:vision:kubeflow/ml-pipeline",
                "Pods of tenant vision can call Deployment kubeflow/ml-pipeline as any user it names (kubeflow-userid), the header it takes the user from",
            ],
            [
                "forged-identity:nlp:kubeflow/ml-pipeline",
                "Pods of tenant nlp can call Deployment kubeflow/ml-pipeline as any user it names (kubeflow-userid), the header it takes the user from",
            ],
        ]);
        expect(findings[0]!.path[0]).toBe("a pod of vision running as default");
        expect(findings[0]!.path).toContain(
            "NetworkPolicy vision/allow-platform-services allows egress to pods matching app=ml-pipeline in namespaces matching kubernetes.io/metadata.name in (kubeflow) on TCP 8888",
        );
        expect(findings[0]!.path.at(-1)).toBe("AuthorizationPolicy kubeflow/ml-pipeline admits it by rule 1: {}");
    });

    describe("a tenant pod that reaches cluster-local-gateway, and a route through it to the Pipelines UI", () => {
        const reachGateways = {
            type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            name: "vision/allow-gateways",
            props: {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "allow-gateways", namespace: "vision" },
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } } }] }],
                },
            },
        };
        const localRoute = virtualService("kubeflow", "pipelines-local", {
            gateways: ["istio-system/cluster-local-gateway"],
            hosts: ["*"],
            http: [{ match: [{ uri: { prefix: "/pipeline" } }], route: [{ destination: { host: "ml-pipeline-ui", port: { number: 80 } } }] }],
        });
        const upstreamGatewayPolicy = {
            "istio-system/cluster-local-gateway": { action: "ALLOW", selector: { matchLabels: { app: "cluster-local-gateway" } }, rules: [{}] },
        };

        it("is a forged identity at ml-pipeline-ui under upstream's allow-all gateway policy, with the chain", () => {
            const findings = meshFindings(upstreamGatewayPolicy, reachGateways, localRoute);
            expect(findings.map((finding) => finding.id)).toEqual(["forged-identity:vision:kubeflow/ml-pipeline-ui"]);
            expect(findings[0]!.message).toBe(
                "Pods of tenant vision can call Deployment kubeflow/ml-pipeline-ui as any user it names (kubeflow-userid), the header it takes the user from",
            );
            expect(findings[0]!.path.slice(-4)).toEqual([
                "AuthorizationPolicy istio-system/cluster-local-gateway admits it by rule 1: {}",
                "Deployment istio-system/cluster-local-gateway does not authenticate callers, so the caller's header passes",
                "VirtualService kubeflow/pipelines-local routes /pipeline through gateway istio-system/cluster-local-gateway to Deployment kubeflow/ml-pipeline-ui port 3000",
                'AuthorizationPolicy kubeflow/ml-pipeline-ui admits it by rule 1: {"from":[{"source":{"namespaces":["istio-system"]}}]}',
            ]);
        });

        it("is no path under kfstack's gateway policy, which refuses any request carrying kubeflow-userid", () => {
            expect(meshFindings({}, reachGateways, localRoute)).toEqual([]);
        });
    });

    it("finds another tenant's pods answering a member's header from any source where the network does not stop the caller", () => {
        const noAgent = (record: PolicyRecord) =>
            record.type === "aws:eks/addon:Addon" && record.props["addonName"] === "vpc-cni"
                ? { ...record, props: { ...record.props, configurationValues: "{}" } }
                : record;
        const headerOnly = { action: "ALLOW", rules: [{ when: [{ key: "request.headers[kubeflow-userid]", values: ["eli@example.com"] }] }] };
        const unenforced = prod.map(noAgent);
        expect(meshFindingsOf(unenforced, {})).toEqual([]);
        const findings = meshFindingsOf(unenforced, { "nlp/user-eli-example-com-clusterrole-kubeflow-edit": headerOnly });
        expect(findings.map((finding) => [finding.id, finding.message])).toEqual([
            [
                "forged-identity:vision:nlp/*",
                "Pods of tenant vision can call a pod of tenant nlp as eli@example.com (kubeflow-userid), the header it takes the user from",
            ],
        ]);
        expect(findings[0]!.path.at(-1)).toBe(
            'AuthorizationPolicy nlp/user-eli-example-com-clusterrole-kubeflow-edit admits it by rule 1: {"when":[{"key":"request.headers[kubeflow-userid]","values":["eli@example.com"]}]}',
        );
    });
});
