// The mesh as a member of one tenant attacks it on the prod plan: with every role the stack grants, write a route that
// forges kubeflow-userid, call the Pipelines API or the visualization server without an identity, or open a notebook
// of a tenant one only reads. Each test names what stops the attack.
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubernetesObject } from "../core/objects";
import { buildRbac } from "../core/rbac/authorizer";
import { isIstioGroup } from "../core/istio";
import { profileControllerObjects } from "../components/tenancy/profile-controller";
import type { Plan } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { resource, resourcesOfType } from "./helpers";

const AUTHORIZATION_POLICY = "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy";
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

const specOf = (plan: Plan, name: string) => resource(plan, AUTHORIZATION_POLICY, name).inputs.spec;

describe("the prod plan's mesh against a member of another tenant", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it("gives no tenant role a write on any Istio group once aggregated (kubeflow-istio-edit only reads)", () => {
        const clusterRoles = plan.resources.filter((planned) => planned.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
        const rbac = buildRbac(clusterRoles.map((planned) => planned.inputs as unknown as KubernetesObject));
        for (const role of ["kubeflow-admin", "kubeflow-edit", "kubeflow-view"]) {
            const istio = rbac.rulesOf("ClusterRole", role)!.filter(({ rule }) => rule.apiGroups.some(isIstioGroup));
            expect(istio.length, role).toBeGreaterThan(0);
            expect(istio.flatMap(({ rule }) => rule.verbs.filter((verb) => WRITE_VERBS.includes(verb) || verb === "*"))).toEqual([]);
        }
        expect(resource(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubeflow-istio-edit").inputs.rules).toEqual([
            {
                apiGroups: ["networking.istio.io"],
                resources: [
                    "destinationrules",
                    "envoyfilters",
                    "gateways",
                    "proxyconfigs",
                    "serviceentries",
                    "sidecars",
                    "virtualservices",
                    "workloadentries",
                    "workloadgroups",
                ],
                verbs: ["get", "list", "watch"],
            },
        ]);
    });

    it("denies the owner, an editor and the tenant's service accounts every VirtualService write, so none can forge kubeflow-userid on kubeflow-gateway", () => {
        const planned = plan.resources
            .filter((candidate) => candidate.type.startsWith("kubernetes:rbac.authorization.k8s.io/v1:"))
            .map((candidate) => candidate.inputs as unknown as KubernetesObject);
        const tenant = { name: "vision", owner: "ana@example.com", members: [], readsFrom: [], sharedEditors: [] };
        const rbac = buildRbac([...planned, ...profileControllerObjects(tenant)]);
        const attackers = [
            { kind: "User" as const, name: "ana@example.com" },
            { kind: "User" as const, name: "ben@example.com" },
            { kind: "ServiceAccount" as const, name: "default-editor", namespace: "vision" },
        ];
        for (const attacker of attackers) {
            for (const namespace of ["vision", "nlp", "kubeflow"]) {
                for (const resourceName of ["virtualservices", "gateways", "envoyfilters", "serviceentries", "sidecars", "destinationrules"]) {
                    const request = { verb: "create", apiGroup: "networking.istio.io", resource: resourceName, namespace };
                    expect(rbac.can(attacker, request), `${attacker.name} ${resourceName} ${namespace}`).toEqual([]);
                }
                const policy = { verb: "delete", apiGroup: "security.istio.io", resource: "authorizationpolicies", namespace };
                expect(rbac.can(attacker, policy), `${attacker.name} authorizationpolicies ${namespace}`).toEqual([]);
            }
        }
        // The editor still reads them, as upstream's kubeflow-istio-view lets every member.
        expect(rbac.can(attackers[1]!, { verb: "list", apiGroup: "networking.istio.io", resource: "virtualservices", namespace: "vision" })).not.toEqual([]);
    });

    it("keeps DestinationRules in their namespace unless they say otherwise, and the platform's with their upstream reach", () => {
        const mesh = parse((resource(plan, "kubernetes:core/v1:ConfigMap", "istio-system/istio").inputs.data as { mesh: string }).mesh) as Record<
            string,
            unknown
        >;
        expect(mesh["defaultDestinationRuleExportTo"]).toEqual(["."]);
        // Both would hide the notebooks', Tensorboards' and KServe's VirtualServices from the ingress gateway, or every Service from other namespaces.
        expect(mesh["defaultVirtualServiceExportTo"]).toBeUndefined();
        expect(mesh["defaultServiceExportTo"]).toBeUndefined();
        expect(mesh["rootNamespace"]).toBe("istio-system");
        const rules = resourcesOfType(plan, "kubernetes:networking.istio.io/v1alpha3:DestinationRule");
        // Upstream's 10 but MinIO's and MySQL's, which prod's managed data plane leaves out.
        expect(rules.length).toBe(8);
        for (const rule of rules) expect((rule.inputs.spec as { exportTo?: string[] }).exportTo, rule.name).toEqual(["*"]);
    });

    it("answers a tenant pod without a user header only for the v2 driver's and launcher's cache calls, not for shared pipelines", () => {
        expect(specOf(plan, "kubeflow/ml-pipeline")).toEqual({
            rules: [
                {
                    from: [
                        {
                            source: {
                                principals: [
                                    "cluster.local/ns/kubeflow/sa/ml-pipeline",
                                    "cluster.local/ns/kubeflow/sa/ml-pipeline-ui",
                                    "cluster.local/ns/kubeflow/sa/ml-pipeline-persistenceagent",
                                    "cluster.local/ns/kubeflow/sa/ml-pipeline-scheduledworkflow",
                                    "cluster.local/ns/kubeflow/sa/ml-pipeline-viewer-crd-service-account",
                                    "cluster.local/ns/kubeflow/sa/kubeflow-pipelines-cache",
                                ],
                            },
                        },
                    ],
                },
                {
                    to: [{ operation: { ports: ["8887"], paths: ["/api.TaskService/CreateTaskV1", "/api.TaskService/ListTasksV1"] } }],
                    when: [{ key: "request.headers[kubeflow-userid]", notValues: ["*"] }],
                },
            ],
            selector: { matchLabels: { app: "ml-pipeline" } },
        });
    });

    it("lets nobody reach the kubeflow namespace's visualization server, where an empty namespace's Python would run", () => {
        expect(specOf(plan, "kubeflow/ml-pipeline-visualizationserver")).toEqual({
            selector: { matchLabels: { app: "ml-pipeline-visualizationserver" } },
            action: "DENY",
            rules: [{}],
        });
    });

    it("passes no identity header through the in-cluster gateway", () => {
        expect(specOf(plan, "istio-system/cluster-local-gateway")).toEqual({
            action: "ALLOW",
            rules: [{ when: [{ key: "request.headers[kubeflow-userid]", notValues: ["*"] }] }],
            selector: { matchLabels: { app: "cluster-local-gateway", istio: "cluster-local-gateway" } },
        });
    });

    it("lets a reader reach a tenant through the gateway but not its notebooks, and an editor everything", () => {
        const from = [
            {
                source: {
                    principals: ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account", "cluster.local/ns/kubeflow/sa/ml-pipeline-ui"],
                },
            },
        ];
        const when = (email: string) => [{ key: "request.headers[kubeflow-userid]", values: [email] }];
        const notebooks = [{ operation: { notPorts: ["8888"], notPaths: ["/notebook/*"] } }];
        // chen reads vision as a member; eli reads it through nlp's readsFrom.
        expect(specOf(plan, "vision/user-chen-example-com-clusterrole-kubeflow-view")).toEqual({
            action: "ALLOW",
            rules: [{ from, when: when("chen@example.com"), to: notebooks }],
        });
        expect(specOf(plan, "vision/user-eli-example-com-clusterrole-kubeflow-view")).toEqual({
            action: "ALLOW",
            rules: [{ from, when: when("eli@example.com"), to: notebooks }],
        });
        expect(specOf(plan, "vision/user-ben-example-com-clusterrole-kubeflow-edit")).toEqual({
            action: "ALLOW",
            rules: [{ from, when: when("ben@example.com") }],
        });
    });
});
