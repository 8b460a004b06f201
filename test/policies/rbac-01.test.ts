import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { clusterAdminBindings } from "../../policies/tenancy/rbac-01-cluster-admin";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { clusterRole, clusterRoleBinding, roleBinding } from "./fixtures-tenancy";

const controller = { kind: "ServiceAccount", name: "profiles-controller-service-account", namespace: "kubeflow" };
const editBinding = () => clusterRoleBinding("profiles-controller", "kubeflow-profiles-controller", [controller]);
const editRole = () =>
    clusterRole("kubeflow-profiles-controller", [{ apiGroups: ["kubeflow.org"], resources: ["profiles"], verbs: ["get", "list", "watch", "update"] }]);
const FIX_SA =
    'bind a ClusterRole with only the permissions it needs, or, for a break-glass account, list "ServiceAccount:kubeflow/profiles-controller-service-account" in breakGlassSubjects.';

describe("RBAC-01 cluster-admin bindings", () => {
    it("accepts bindings to ClusterRoles narrower than cluster-admin", async () => {
        expect(await violationsOf(clusterAdminBindings, [editRole(), editBinding()])).toEqual([]);
    });

    it("rejects a ClusterRoleBinding of a service account to cluster-admin, as upstream Kubeflow binds its profile controller", async () => {
        const bad = changed(editBinding(), ["props", "roleRef", "name"], "cluster-admin");
        expect(await violationsOf(clusterAdminBindings, [editRole(), bad])).toEqual([
            mandatoryViolation(
                { policy: "rbac-01-cluster-admin", id: "RBAC-01" },
                bad,
                `ClusterRoleBinding "profiles-controller" binds ServiceAccount "kubeflow/profiles-controller-service-account" to cluster-admin; ${FIX_SA}`,
            ),
        ]);
    });

    it("rejects a RoleBinding to the cluster-admin ClusterRole, once per subject, users and groups included", async () => {
        const bad = roleBinding("team-a", "owners", { kind: "ClusterRole", name: "cluster-admin" }, [
            { kind: "User", name: "alice@example.com" },
            { kind: "Group", name: "ml-platform" },
        ]);
        expect(await messagesOf(clusterAdminBindings, [bad])).toEqual([
            'RoleBinding "team-a/owners" binds User "alice@example.com" to cluster-admin; bind a ClusterRole with only the permissions it needs, or, for a break-glass account, list "User:alice@example.com" in breakGlassSubjects.',
            'RoleBinding "team-a/owners" binds Group "ml-platform" to cluster-admin; bind a ClusterRole with only the permissions it needs, or, for a break-glass account, list "Group:ml-platform" in breakGlassSubjects.',
        ]);
    });

    it("rejects a binding to a copy of cluster-admin under another name, direct or aggregated", async () => {
        const copy = changed(editRole(), ["props", "rules", 0], { apiGroups: ["*"], resources: ["*"], verbs: ["*"] });
        expect(await messagesOf(clusterAdminBindings, [copy, editBinding()])).toEqual([
            `ClusterRoleBinding "profiles-controller" binds ServiceAccount "kubeflow/profiles-controller-service-account" to ClusterRole "kubeflow-profiles-controller", which grants every verb on every resource as cluster-admin does; ${FIX_SA}`,
        ]);
        const aggregated = clusterRole("kubeflow-profiles-controller", [], {}, "example.com/aggregate-to-profiles");
        const source = clusterRole("everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], { "example.com/aggregate-to-profiles": "true" });
        expect(await messagesOf(clusterAdminBindings, [aggregated, source, editBinding()])).toHaveLength(1);
    });

    it("does not count wildcards short of every API group as cluster-admin", async () => {
        const broad = changed(editRole(), ["props", "rules", 0], { apiGroups: ["argoproj.io"], resources: ["*"], verbs: ["*"] });
        expect(await messagesOf(clusterAdminBindings, [broad, editBinding()])).toEqual([]);
    });

    it("accepts the subjects of the break-glass allowlist, and only those", async () => {
        const bad = clusterRoleBinding("break-glass", "cluster-admin", [controller, { kind: "User", name: "oncall@example.com" }]);
        const config = { "rbac-01-cluster-admin": { breakGlassSubjects: ["User:oncall@example.com"] } };
        expect(await messagesOf(clusterAdminBindings, [bad], config)).toEqual([
            `ClusterRoleBinding "break-glass" binds ServiceAccount "kubeflow/profiles-controller-service-account" to cluster-admin; ${FIX_SA}`,
        ]);
        const both = {
            "rbac-01-cluster-admin": { breakGlassSubjects: ["User:oncall@example.com", "ServiceAccount:kubeflow/profiles-controller-service-account"] },
        };
        expect(await messagesOf(clusterAdminBindings, [bad], both)).toEqual([]);
    });

    it("takes a service account subject without a namespace to be in the RoleBinding's namespace", async () => {
        const bad = roleBinding("kubeflow", "admin", { kind: "ClusterRole", name: "cluster-admin" }, [
            { kind: "ServiceAccount", name: "profiles-controller-service-account" },
        ]);
        const config = { "rbac-01-cluster-admin": { breakGlassSubjects: ["ServiceAccount:kubeflow/profiles-controller-service-account"] } };
        expect(await messagesOf(clusterAdminBindings, [bad], config)).toEqual([]);
    });

    it("leaves a binding without subjects and a Role named cluster-admin alone", async () => {
        const empty = changed(clusterRoleBinding("unused", "cluster-admin", []), ["props", "subjects"], undefined);
        const namespacedRole = roleBinding("team-a", "local", { kind: "Role", name: "cluster-admin" }, [{ kind: "User", name: "alice@example.com" }]);
        expect(await messagesOf(clusterAdminBindings, [empty, namespacedRole])).toEqual([]);
    });

    it("is undecided while a binding's role is unknown", async () => {
        expect(
            (await undecidedOf(clusterAdminBindings, [changed(editBinding(), ["props", "roleRef"], Unknown.instance)])).map((entry) => entry.policy),
        ).toEqual(["rbac-01-cluster-admin"]);
    });

    it("keeps the upstream controllers named in the exemption list on cluster-admin, and no other subject of their bindings", async () => {
        const upstream = clusterRoleBinding("profiles-cluster-rolebinding", "cluster-admin", [controller]);
        expect(await messagesOf(clusterAdminBindings, [upstream])).toEqual([]);
        const intruder = { kind: "ServiceAccount", name: "default", namespace: "kubeflow" };
        expect(await messagesOf(clusterAdminBindings, [clusterRoleBinding("profiles-cluster-rolebinding", "cluster-admin", [controller, intruder])])).toEqual([
            'ClusterRoleBinding "profiles-cluster-rolebinding" binds ServiceAccount "kubeflow/default" to cluster-admin; bind a ClusterRole with only the permissions it needs, or, for a break-glass account, list "ServiceAccount:kubeflow/default" in breakGlassSubjects.',
        ]);
        expect(await messagesOf(clusterAdminBindings, [clusterRoleBinding("another-binding", "cluster-admin", [controller])])).toHaveLength(1);
    });
});
