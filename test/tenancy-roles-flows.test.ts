// Tenant roles and required flows on the planned prod stack (issue 13, findings 3, 5 and 8), written as attacks by
// the members of one tenant with every role kfstack grants, and as the flows Kubeflow needs that must stay open.
import { beforeAll, describe, expect, it } from "vitest";
import { profileControllerObjects } from "../components/tenancy/profile-controller";
import { tenancyFacts } from "../core/facts";
import { EGRESS_FLOWS, INGRESS_FLOWS } from "../core/kubeflow-flows";
import { type Network, buildNetwork } from "../core/network-policy/network";
import type { KubernetesObject } from "../core/objects";
import { type Rbac, buildRbac } from "../core/rbac/authorizer";
import type { Subject } from "../core/rbac/model";
import { plannedStack } from "./planned-stacks";

const WRITES = ["create", "update", "patch", "delete", "deletecollection"];
const user = (name: string): Subject => ({ kind: "User", name });
const TENANTS = ["vision", "nlp"];

/** Everyone kfstack grants a role in vision: its owner (kubeflow-admin), an editor, a viewer, and the profile's service accounts. */
const VISION: Record<string, Subject> = {
    owner: user("ana@example.com"),
    editor: user("ben@example.com"),
    viewer: user("chen@example.com"),
    "default-editor": { kind: "ServiceAccount", name: "default-editor", namespace: "vision" },
    "default-viewer": { kind: "ServiceAccount", name: "default-viewer", namespace: "vision" },
};

describe("tenant roles and flows of the prod stack", () => {
    let rbac: Rbac;
    let network: Network;
    const can = (subject: Subject, verb: string, apiGroup: string, resource: string) =>
        rbac.can(subject, { verb, apiGroup, resource, namespace: "vision" }, subject.kind === "User" ? ["system:authenticated"] : []);

    beforeAll(async () => {
        const plan = await plannedStack("prod");
        const planned = plan.resources
            .filter((resource) => typeof resource.inputs.apiVersion === "string")
            .map((resource) => resource.inputs as unknown as KubernetesObject);
        // What the profile controller adds at run time: the namespaces with their labels, the owner's and the service accounts' bindings.
        const objects = [
            ...planned,
            ...tenancyFacts(plan.resources.map(({ type, inputs }) => ({ type, props: inputs }))).flatMap((tenant) => profileControllerObjects(tenant)),
        ];
        rbac = buildRbac(objects);
        network = buildNetwork(objects);
    });

    describe("a viewer", () => {
        it("cannot start a TensorBoard Viewer or a visualization, which run code of its choosing as default-editor (finding 3)", () => {
            for (const subject of [VISION.viewer!, VISION["default-viewer"]!]) {
                for (const verb of WRITES) expect(can(subject, verb, "kubeflow.org", "viewers"), `${verb} viewers`).toEqual([]);
                expect(can(subject, "create", "pipelines.kubeflow.org", "visualizations")).toEqual([]);
            }
            expect(can(VISION.viewer!, "get", "kubeflow.org", "viewers").map((path) => path.aggregatedFrom)).toEqual([
                "ClusterRole aggregate-to-kubeflow-pipelines-view",
            ]);
        });

        it("holds no verb in kubeflow-view beyond reading", () => {
            const verbs = new Set(rbac.rulesOf("ClusterRole", "kubeflow-view")!.flatMap(({ rule }) => rule.verbs));
            expect([...verbs].filter((verb) => !["get", "list", "watch"].includes(verb))).toEqual(["readArtifact"]);
        });
    });

    it("leaves editors the Viewers and visualizations of the Pipelines UI, through kubeflow-pipelines-edit", () => {
        for (const subject of [VISION.editor!, VISION.owner!, VISION["default-editor"]!]) {
            expect(can(subject, "create", "kubeflow.org", "viewers").map((path) => path.aggregatedFrom)).toEqual([
                "ClusterRole aggregate-to-kubeflow-pipelines-edit",
            ]);
            expect(can(subject, "delete", "kubeflow.org", "viewers")).not.toEqual([]);
            expect(can(subject, "create", "pipelines.kubeflow.org", "visualizations")).not.toEqual([]);
        }
    });

    it("lets no one of a tenant change the NetworkPolicies or Istio AuthorizationPolicies that isolate it (finding 5)", () => {
        for (const [who, subject] of Object.entries(VISION)) {
            for (const verb of WRITES) {
                for (const apiGroup of ["networking.k8s.io", "extensions"])
                    expect(can(subject, verb, apiGroup, "networkpolicies"), `${who} ${verb} ${apiGroup}`).toEqual([]);
                expect(can(subject, verb, "security.istio.io", "authorizationpolicies"), `${who} ${verb} authorizationpolicies`).toEqual([]);
            }
            // They still read them, through kubeflow-kubernetes-view.
            expect(can(subject, "list", "networking.k8s.io", "networkpolicies"), `${who} lists`).not.toEqual([]);
        }
    });

    describe("required flows (finding 8)", () => {
        it.each(EGRESS_FLOWS.flatMap((flow) => TENANTS.flatMap((tenant) => flow.to.ports.map((port) => [flow.name, tenant, port] as const))))(
            "opens %s to the pods of %s on TCP %i",
            (name, tenant, port) => {
                const flow = EGRESS_FLOWS.find((candidate) => candidate.name === name)!;
                const verdict = network.canConnect({ namespace: tenant }, flow.to, port);
                expect(verdict.allowed, verdict.because.join("\n")).toBe(true);
            },
        );

        it.each(INGRESS_FLOWS.flatMap((flow) => TENANTS.map((tenant) => [flow.name, tenant] as const)))("opens %s into the pods of %s", (name, tenant) => {
            const flow = INGRESS_FLOWS.find((candidate) => candidate.name === name)!;
            for (const port of flow.ports) {
                const verdict = network.canConnect(flow.from, { namespace: tenant }, port);
                expect(verdict.allowed, verdict.because.join("\n")).toBe(true);
            }
        });

        it("lets KServe's storage initializer reach the object store the tenant declares, S3 through the VPC endpoint", () => {
            expect(network.egressToCidr("vision", "52.216.0.0/15")).toMatchObject({ allowed: true, ports: "TCP 443" });
        });

        it("keeps each tenant's pods from the other's, in both directions", () => {
            expect(network.canReach("vision", "nlp").allowed).toBe(false);
            expect(network.canReach("nlp", "vision").allowed).toBe(false);
        });
    });
});
