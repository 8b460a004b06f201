// The offline RBAC evaluator: hand-worked cases for the subjects of the Kubernetes RBAC authorizer —
// the groups a ServiceAccount or User is in, namespace-less subjects, and the grants a subject holds.
import { describe, expect, it } from "vitest";
import { buildRbac } from "../../core/rbac/authorizer";
import { type Subject, describeSubject } from "../../core/rbac/model";
import { alice, clusterRole, clusterRoleBinding, group, readPods, roleBinding, serviceAccount, user } from "./rbac-fixtures";

describe("Rbac subjects", () => {
    const podsRule = readPods;
    const bindTo = (name: string, subject: Subject, namespace = "team-a") =>
        roleBinding(namespace, name, { kind: "ClusterRole", name: "pod-reader" }, [subject]);
    const rbac = buildRbac([
        clusterRole("pod-reader", [podsRule]),
        bindTo("all-service-accounts", group("system:serviceaccounts")),
        bindTo("team-a-service-accounts", group("system:serviceaccounts:team-a")),
        bindTo("team-b-service-accounts", group("system:serviceaccounts:team-b")),
        bindTo("authenticated", group("system:authenticated")),
        bindTo("unauthenticated", group("system:unauthenticated")),
        bindTo("editor-implicit-namespace", { kind: "ServiceAccount", name: "default-editor" }),
        bindTo("editor-as-user", user("system:serviceaccount:team-a:default-editor")),
        bindTo("data-team", group("data-team")),
        clusterRoleBinding("editor-without-namespace", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "ServiceAccount", name: "default-editor" }]),
    ]);
    const bindingsOf = (subject: Subject, groups?: string[]) =>
        rbac.grantsOf(subject, groups).map((grant) => `${grant.path.binding} (${describeSubject(grant.path.subject)})`);

    it("puts a ServiceAccount in system:serviceaccounts, system:serviceaccounts:<namespace> and system:authenticated, and defaults a RoleBinding's ServiceAccount subject to the binding's namespace", () => {
        expect(bindingsOf(serviceAccount("team-a", "default-editor"))).toEqual([
            "RoleBinding team-a/all-service-accounts (Group system:serviceaccounts)",
            "RoleBinding team-a/authenticated (Group system:authenticated)",
            "RoleBinding team-a/editor-as-user (User system:serviceaccount:team-a:default-editor)",
            "RoleBinding team-a/editor-implicit-namespace (ServiceAccount team-a/default-editor)",
            "RoleBinding team-a/team-a-service-accounts (Group system:serviceaccounts:team-a)",
        ]);
    });

    it("does not match a ServiceAccount of another namespace by a namespace-less subject, nor by a ClusterRoleBinding's namespace-less subject", () => {
        expect(bindingsOf(serviceAccount("team-b", "default-editor"))).toEqual([
            "RoleBinding team-a/all-service-accounts (Group system:serviceaccounts)",
            "RoleBinding team-a/authenticated (Group system:authenticated)",
            "RoleBinding team-a/team-b-service-accounts (Group system:serviceaccounts:team-b)",
        ]);
    });

    it("puts a User in system:authenticated and the groups given, not in the service account groups", () => {
        expect([bindingsOf(alice), bindingsOf(alice, ["data-team"])]).toEqual([
            ["RoleBinding team-a/authenticated (Group system:authenticated)"],
            ["RoleBinding team-a/authenticated (Group system:authenticated)", "RoleBinding team-a/data-team (Group data-team)"],
        ]);
    });

    it("puts system:anonymous in system:unauthenticated instead of system:authenticated", () => {
        expect(bindingsOf(user("system:anonymous"))).toEqual(["RoleBinding team-a/unauthenticated (Group system:unauthenticated)"]);
    });

    it("answers for a Group as for any member of only that group", () => {
        expect(bindingsOf(group("data-team"))).toEqual(["RoleBinding team-a/data-team (Group data-team)"]);
    });

    it("returns each grant with where it applies and the rule's fields", () => {
        expect(rbac.grantsOf(alice, ["data-team"])).toEqual([
            {
                namespace: "team-a",
                ...podsRule,
                path: {
                    subject: group("system:authenticated"),
                    binding: "RoleBinding team-a/authenticated",
                    role: "ClusterRole pod-reader",
                    rule: podsRule,
                    scope: "team-a",
                },
            },
            {
                namespace: "team-a",
                ...podsRule,
                path: { subject: group("data-team"), binding: "RoleBinding team-a/data-team", role: "ClusterRole pod-reader", rule: podsRule, scope: "team-a" },
            },
        ]);
    });

    it("rejects a ServiceAccount without a namespace", () => {
        expect(() => rbac.grantsOf({ kind: "ServiceAccount", name: "default-editor" })).toThrow(
            new Error('ServiceAccount "default-editor" has no namespace; a service account is always named <namespace>/<name>, give its namespace.'),
        );
    });
});
