// Istio AuthorizationPolicy semantics as core/istio-authorization.ts reads them
// (Istio 1.17): which policies apply, DENY before ALLOW, no ALLOW policy admits
// all, an ALLOW policy without rules admits nothing, plaintext callers match no
// principal, and the attacker's candidate requests find every rule's opening.
import { describe, expect, it } from "vitest";
import {
    ANY_IDENTITY,
    type AuthorizationPolicy,
    type MeshRequest,
    admittedIdentities,
    authorize,
    istioMatch,
    policiesFor,
} from "../../core/istio-authorization";

const policy = (
    namespace: string,
    name: string,
    action: string,
    rules: AuthorizationPolicy["rules"],
    selector?: Record<string, string>,
): AuthorizationPolicy => ({
    namespace,
    name,
    action,
    rules,
    ...(selector ? { selector } : {}),
});
const tenantPod = { principal: "cluster.local/ns/team-a/sa/default-editor", namespace: "team-a" };
const gateway = { principal: "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account", namespace: "istio-system" };
const request = (overrides: Partial<MeshRequest> = {}): MeshRequest => ({ source: tenantPod, port: 8888, path: "/", method: "GET", headers: {}, ...overrides });

describe("istioMatch", () => {
    it("matches exact, prefix, suffix and presence, and nothing for an absent value", () => {
        expect([
            istioMatch("/a", "/a"),
            istioMatch("/a", "/ab"),
            istioMatch("/a*", "/ab"),
            istioMatch("*/kernels", "/x/kernels"),
            istioMatch("*", "x"),
        ]).toEqual([true, false, true, true, true]);
        expect([istioMatch("*", ""), istioMatch("*", undefined), istioMatch("/a*", undefined)]).toEqual([false, false, false]);
    });
});

describe("authorize", () => {
    it("applies the workload namespace's and the root namespace's policies whose selector matches", () => {
        const policies = [
            policy("istio-system", "global", "ALLOW", []),
            policy("team-b", "web", "ALLOW", [{}], { app: "web" }),
            policy("team-c", "elsewhere", "ALLOW", [{}]),
        ];
        expect(policiesFor(policies, { namespace: "team-b", labels: { app: "web" } }).map((p) => p.name)).toEqual(["global", "web"]);
        expect(policiesFor(policies, { namespace: "team-b", labels: { app: "db" } }).map((p) => p.name)).toEqual(["global"]);
    });

    it("admits everything with no ALLOW policy, nothing with an ALLOW policy without rules, and lets any matching DENY win", () => {
        expect(authorize([], request()).allowed).toBe(true);
        expect(authorize([policy("team-b", "none", "ALLOW", [])], request())).toEqual({
            allowed: false,
            because: "no rule of AuthorizationPolicy team-b/none matches it",
        });
        const verdict = authorize([policy("team-b", "all", "ALLOW", [{}]), policy("team-b", "deny", "DENY", [{}])], request());
        expect(verdict).toEqual({ allowed: false, because: "AuthorizationPolicy team-b/deny denies it (rule 1)" });
    });

    it("matches no principal or namespace for a plaintext caller, but its notPrincipals and notValues", () => {
        const fromGateway = [policy("team-b", "p", "ALLOW", [{ from: [{ source: { principals: ["*"] } }] }])];
        expect(authorize(fromGateway, request()).allowed).toBe(true);
        expect(authorize(fromGateway, request({ source: undefined })).allowed).toBe(false);
        const notFromMesh = [policy("team-b", "p", "ALLOW", [{ from: [{ source: { notPrincipals: ["*"] } }] }])];
        expect(authorize(notFromMesh, request({ source: undefined })).allowed).toBe(true);
        const headerless = [policy("team-b", "p", "ALLOW", [{ when: [{ key: "request.headers[kubeflow-userid]", notValues: ["*"] }] }])];
        expect(authorize(headerless, request({ headers: { "kubeflow-userid": undefined } })).allowed).toBe(true);
        expect(authorize(headerless, request({ headers: { "kubeflow-userid": "ana@example.com" } })).allowed).toBe(false);
    });

    it("matches ports, methods and paths of a rule's operation, with their negations", () => {
        const reader = [policy("team-b", "reader", "ALLOW", [{ to: [{ operation: { notPorts: ["8888"], notPaths: ["/notebook/*"] } }] }])];
        expect(authorize(reader, request({ port: 8888 })).allowed).toBe(false);
        expect(authorize(reader, request({ port: 3000, path: "/notebook/team-b/nb/" })).allowed).toBe(false);
        expect(authorize(reader, request({ port: 3000, path: "/artifacts/get" })).allowed).toBe(true);
    });

    it("lets the attacker choose what it controls: an unknown condition holds for ALLOW and fails for DENY", () => {
        const byIp = [policy("team-b", "ip", "ALLOW", [{ when: [{ key: "source.ip", values: ["10.0.0.1"] }] }])];
        expect(authorize(byIp, request()).allowed).toBe(true);
        const denyByIp = [policy("team-b", "all", "ALLOW", [{}]), policy("team-b", "ip", "DENY", [{ when: [{ key: "source.ip", values: ["10.0.0.1"] }] }])];
        expect(authorize(denyByIp, request()).allowed).toBe(true);
    });
});

describe("admittedIdentities", () => {
    const member = policy("team-b", "member", "ALLOW", [
        { from: [{ source: { principals: [gateway.principal] } }], when: [{ key: "request.headers[kubeflow-userid]", values: ["eli@example.com"] }] },
    ]);
    const owner = policy("team-b", "ns-owner-access-istio", "ALLOW", [{ to: [{ operation: { paths: ["/healthz", "/metrics"] } }] }]);

    it("admits the member's identity only from the gateway, and a tenant pod only on the probe paths, without caring for its header", () => {
        expect(admittedIdentities([member, owner], gateway, 8888, "kubeflow-userid").map((admitted) => admitted.identity)).toEqual([
            undefined,
            ANY_IDENTITY,
            "eli@example.com",
        ]);
        const fromTenant = admittedIdentities([member, owner], tenantPod, 8888, "kubeflow-userid");
        expect(fromTenant.map((admitted) => admitted.request.path)).toEqual(["/healthz", "/healthz", "/healthz"]);
        expect(admittedIdentities([member], tenantPod, 8888, "kubeflow-userid")).toEqual([]);
    });

    it("keeps to the path prefix and identities a hop fixes", () => {
        expect(admittedIdentities([owner], tenantPod, 8888, "kubeflow-userid", { pathPrefix: "/pipeline" })).toEqual([]);
        const fixed = admittedIdentities([member], gateway, 8888, "kubeflow-userid", { identities: ["dara@example.com", "eli@example.com"] });
        expect(fixed.map((admitted) => admitted.identity)).toEqual(["eli@example.com"]);
    });
});
