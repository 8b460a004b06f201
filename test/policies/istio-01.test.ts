// ISTIO-01 as an attack: a member of team-a, with the roles the stack grants, tries to reach another user's notebooks
// and pipelines as that user, by writing the kubeflow-userid header in a route the gateway or every sidecar applies.
import { describe, expect, it } from "vitest";
import { meshIdentity } from "../../policies/tenancy/istio-01-mesh-identity";
import type { PolicyRecord } from "../../engine/policy-check";
import { changed, mandatoryViolation, messagesOf, record, violationsOf } from "./fixtures";
import { at, clusterRole, twoTenants } from "./fixtures-tenancy";

const ISTIO_READ = { apiGroups: ["networking.istio.io"], resources: ["virtualservices", "gateways"], verbs: ["get", "list", "watch"] };

function virtualService(namespace: string, name: string, spec: Record<string, unknown>): PolicyRecord {
    return record("kubernetes:networking.istio.io/v1alpha3:VirtualService", {
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "VirtualService",
        metadata: { name, namespace },
        spec: { hosts: ["*"], ...spec, http: [{ match: [{ uri: { prefix: "/app/" } }], route: [{ destination: { host: "app", port: { number: 80 } } }] }] },
    });
}

/** Two tenants whose roles read Istio objects, a tenant route on the tenant's own Gateway, a platform route on kubeflow-gateway, and a mesh route kept in its namespace. */
function compliant(): PolicyRecord[] {
    return [
        ...twoTenants(),
        clusterRole("kubeflow-istio-edit", [ISTIO_READ], { "rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit": "true" }),
        virtualService("team-a", "own-gateway", { gateways: ["team-a-gateway"] }),
        virtualService("team-a", "own-gateway-by-namespace", { gateways: ["team-a/team-a-gateway"] }),
        virtualService("team-a", "in-namespace", { gateways: ["mesh"], exportTo: ["."] }),
        virtualService("kubeflow", "centraldashboard", { gateways: ["kubeflow-gateway"] }),
    ];
}

const records = compliant();
const ROUTE = [at(records, "VirtualService", "team-a/own-gateway"), "props", "spec"];
const HEADERS = [...ROUTE, "http", 0, "headers"];

describe("ISTIO-01 mesh identity", () => {
    it("accepts tenant routes on their own Gateway or kept in their namespace, platform routes on the shared gateway, and tenant roles that read Istio objects", async () => {
        expect(await violationsOf(meshIdentity, records)).toEqual([]);
    });

    it("rejects a tenant's route bound to the shared kubeflow-gateway, which the ingress gateway serves for every namespace", async () => {
        const bad = changed(records, [...ROUTE, "gateways"], ["kubeflow/kubeflow-gateway"]);
        expect(await violationsOf(meshIdentity, bad)).toEqual([
            mandatoryViolation(
                { policy: "istio-01-mesh-identity", id: "ISTIO-01" },
                bad[at(bad, "VirtualService", "team-a/own-gateway")]!,
                'VirtualService "team-a/own-gateway", in tenant namespace team-a, is bound to "kubeflow/kubeflow-gateway", which serves other namespaces\' traffic; bind it to a Gateway in team-a, or to the mesh with exportTo ["."].',
            ),
        ]);
    });

    it("rejects a tenant's mesh route (the default when gateways is unset) that every sidecar of the cluster applies", async () => {
        const bad = changed(records, [...ROUTE, "gateways"], undefined);
        expect(await messagesOf(meshIdentity, bad)).toEqual([
            'VirtualService "team-a/own-gateway", in tenant namespace team-a, is bound to "mesh", which serves other namespaces\' traffic; bind it to a Gateway in team-a, or to the mesh with exportTo ["."].',
        ]);
        const exported = changed(records, [at(records, "VirtualService", "team-a/in-namespace"), "props", "spec", "exportTo"], [".", "team-b"]);
        expect(await messagesOf(meshIdentity, exported)).toEqual([
            'VirtualService "team-a/in-namespace", in tenant namespace team-a, is bound to "mesh", which serves other namespaces\' traffic; bind it to a Gateway in team-a, or to the mesh with exportTo ["."].',
        ]);
    });

    it.each([
        ["set", { request: { set: { "kubeflow-userid": "bob@example.com" } } }],
        ["add", { request: { add: { "Kubeflow-UserId": "bob@example.com" } } }],
    ])("rejects a route that %ss kubeflow-userid, whatever its case", async (operation, headers) => {
        expect(await messagesOf(meshIdentity, changed(records, HEADERS, headers))).toEqual([
            `VirtualService "team-a/own-gateway" changes the kubeflow-userid request header (headers.request.${operation}), the identity backends trust from the gateway; remove that header from its routes.`,
        ]);
    });

    it("rejects a route that removes kubeflow-userid on one destination, in any namespace", async () => {
        const platform = [at(records, "VirtualService", "kubeflow/centraldashboard"), "props", "spec", "http", 0, "route", 0, "headers"];
        expect(await messagesOf(meshIdentity, changed(records, platform, { request: { remove: ["kubeflow-userid"] } }))).toEqual([
            'VirtualService "kubeflow/centraldashboard" changes the kubeflow-userid request header (headers.request.remove), the identity backends trust from the gateway; remove that header from its routes.',
        ]);
    });

    it("rejects what Kubeflow 1.8.1's kubeflow-istio-edit grants tenants: writing VirtualServices and Gateways", async () => {
        const role = at(records, "ClusterRole", "kubeflow-istio-edit");
        const bad = changed(records, [role, "props", "rules", 0, "verbs"], ["get", "list", "watch", "create", "patch"]);
        expect(await violationsOf(meshIdentity, bad)).toEqual([
            mandatoryViolation(
                { policy: "istio-01-mesh-identity", id: "ISTIO-01" },
                bad[role]!,
                'ClusterRole "kubeflow-istio-edit", a tenant role through kubeflow-admin and kubeflow-edit, grants "create" and "patch" on virtualservices and gateways (networking.istio.io); tenants may only read Istio objects: remove the write verbs.',
            ),
        ]);
    });

    it("rejects a Role in a tenant namespace that writes AuthorizationPolicies, and a wildcard group that covers Istio's", async () => {
        const bad = changed(
            compliant(),
            [at(records, "Role", "team-a/notebook-reader"), "props", "rules"],
            [
                { apiGroups: ["security.istio.io"], resources: ["authorizationpolicies"], verbs: ["delete"] },
                { apiGroups: ["*"], resources: ["virtualservices"], verbs: ["update"] },
            ],
        );
        expect(await messagesOf(meshIdentity, bad)).toEqual([
            'Role "team-a/notebook-reader", a tenant role, grants "delete" on authorizationpolicies (security.istio.io); tenants may only read Istio objects: remove the write verbs.',
            'Role "team-a/notebook-reader", a tenant role, grants "update" on virtualservices (*); tenants may only read Istio objects: remove the write verbs.',
        ]);
    });
});
