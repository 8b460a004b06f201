import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { tenantRoles } from "../../policies/tenancy/rbac-02-tenant-roles";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { at, clusterRole, kubeflowRoles, role, roleBinding, tenantNamespace, twoTenants } from "./fixtures-tenancy";

const tenants = twoTenants();
const PIPELINES_RULE = [at(tenants, "ClusterRole", "kubeflow-pipelines-edit"), "props", "rules", 0];
const VIA_EDIT = 'ClusterRole "kubeflow-pipelines-edit", a tenant role through kubeflow-admin and kubeflow-edit,';

describe("RBAC-02 tenant roles", () => {
    it("accepts tenant roles with explicit verbs and resources, and ignores platform ClusterRoles only controllers hold", async () => {
        expect(await violationsOf(tenantRoles, tenants)).toEqual([]);
    });

    it("rejects a wildcard verb in a ClusterRole aggregated into the profile roles, naming the roles it reaches tenants through", async () => {
        const bad = changed(tenants, [...PIPELINES_RULE, "verbs"], ["*"]);
        expect(await violationsOf(tenantRoles, bad)).toEqual([
            mandatoryViolation(
                { policy: "rbac-02-tenant-roles", id: "RBAC-02" },
                bad[at(bad, "ClusterRole", "kubeflow-pipelines-edit")]!,
                `${VIA_EDIT} grants every verb ("*") on workflows (API group argoproj.io); list the verbs tenants need.`,
            ),
        ]);
    });

    it("rejects a wildcard resource", async () => {
        const bad = changed(tenants, [...PIPELINES_RULE, "resources"], ["*"]);
        expect(await messagesOf(tenantRoles, bad)).toEqual([
            `${VIA_EDIT} grants "create", "delete", "get", "list", "patch", "update" and "watch" on every resource ("*") of API group argoproj.io; list the resources tenants need.`,
        ]);
    });

    it("rejects a wildcard subresource", async () => {
        const bad = changed(tenants, [...PIPELINES_RULE, "resources"], ["workflows", "*/scale"]);
        expect(await messagesOf(tenantRoles, bad)).toEqual([
            `${VIA_EDIT} grants "create", "delete", "get", "list", "patch", "update" and "watch" on every resource ("*/scale") of API group argoproj.io; list the resources tenants need.`,
        ]);
    });

    it.each(["escalate", "bind", "impersonate"])("rejects the verb %s", async (verb) => {
        const bad = changed(tenants, [at(tenants, "ClusterRole", "kubeflow-kubernetes-admin"), "props", "rules", 0, "verbs"], ["get", verb]);
        expect(await messagesOf(tenantRoles, bad)).toEqual([
            `ClusterRole "kubeflow-kubernetes-admin", a tenant role through kubeflow-admin, grants "${verb}" on rolebindings and roles (API group rbac.authorization.k8s.io); remove it: with escalate, bind or impersonate a tenant can take permissions it was not given.`,
        ]);
    });

    it("rejects what Kubeflow 1.8.1's kubeflow-kubernetes-edit grants: impersonating the namespace's service accounts", async () => {
        const bad = changed(tenants, [...PIPELINES_RULE], { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] });
        expect(await messagesOf(tenantRoles, bad)).toEqual([
            `${VIA_EDIT} grants "impersonate" on serviceaccounts (the core API group); remove it: with escalate, bind or impersonate a tenant can take permissions it was not given.`,
        ]);
    });

    it("checks the Roles in tenant namespaces", async () => {
        const bad = changed(tenants, [at(tenants, "Role", "team-a/notebook-reader"), "props", "rules", 0, "verbs"], ["*"]);
        expect(await messagesOf(tenantRoles, bad)).toEqual([
            'Role "team-a/notebook-reader", a tenant role, grants every verb ("*") on notebooks (API group kubeflow.org); list the verbs tenants need.',
        ]);
    });

    it("leaves Roles outside tenant namespaces alone", async () => {
        const platform = role("kubeflow", "ml-pipeline", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]);
        expect(await messagesOf(tenantRoles, [...tenants, platform])).toEqual([]);
    });

    it("checks a ClusterRole that a RoleBinding in a tenant namespace references, and the ClusterRoles aggregated into it", async () => {
        const wildcard = clusterRole("team-tools", [], {}, "example.com/aggregate-to-team-tools");
        const source = clusterRole("team-tools-source", [{ apiGroups: ["networking.istio.io"], resources: ["*"], verbs: ["get"] }], {
            "example.com/aggregate-to-team-tools": "true",
        });
        const binding = roleBinding("team-b", "tools", { kind: "ClusterRole", name: "team-tools" }, [{ kind: "User", name: "bob@example.com" }]);
        expect(await messagesOf(tenantRoles, [...tenants, wildcard, source])).toEqual([]);
        expect(await messagesOf(tenantRoles, [...tenants, wildcard, source, binding])).toEqual([
            'ClusterRole "team-tools-source", a tenant role through team-tools, grants "get" on every resource ("*") of API group networking.istio.io; list the resources tenants need.',
        ]);
    });

    it("knows what the built-in ClusterRoles grant when a tenant RoleBinding names them", async () => {
        const edit = roleBinding("team-a", "builtin-edit", { kind: "ClusterRole", name: "edit" }, [{ kind: "User", name: "alice@example.com" }]);
        expect(await messagesOf(tenantRoles, [...tenants, edit])).toEqual([
            'ClusterRole "system:aggregate-to-edit" (Kubernetes built-in), a tenant role through edit, grants "impersonate" on serviceaccounts (the core API group); remove it: with escalate, bind or impersonate a tenant can take permissions it was not given.',
        ]);
        const admin = roleBinding("team-a", "builtin-admin", { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "User", name: "alice@example.com" }]);
        expect(await messagesOf(tenantRoles, [...tenants, admin])).toEqual([
            'ClusterRole "cluster-admin" (Kubernetes built-in), a tenant role, grants every verb ("*") on "*" (every API group); list the verbs tenants need.',
            'ClusterRole "cluster-admin" (Kubernetes built-in), a tenant role, grants every verb on every resource ("*") of every API group; list the resources tenants need.',
        ]);
    });

    it("takes the profile controller's ClusterRoles from the config", async () => {
        const bad = changed(tenants, [...PIPELINES_RULE, "verbs"], ["*"]);
        // kubeflow-edit stays a tenant role through team-a's contributor binding; kubeflow-admin is no longer one.
        expect(await messagesOf(tenantRoles, bad, { "rbac-02-tenant-roles": { profileClusterRoles: ["kubeflow-view"] } })).toEqual([
            'ClusterRole "kubeflow-pipelines-edit", a tenant role through kubeflow-edit, grants every verb ("*") on workflows (API group argoproj.io); list the verbs tenants need.',
        ]);
    });

    it("checks the profile roles only when the stack has Profiles; labelled namespaces count through their RoleBindings", async () => {
        const wildcard = changed(kubeflowRoles(), [at(kubeflowRoles(), "ClusterRole", "kubeflow-pipelines-edit"), "props", "rules", 0, "verbs"], ["*"]);
        const namespaces = [tenantNamespace("team-a", "alice@example.com")];
        expect(await messagesOf(tenantRoles, wildcard)).toEqual([]);
        expect(await messagesOf(tenantRoles, [...wildcard, ...namespaces])).toEqual([]);
        const contributor = roleBinding("team-a", "contributor", { kind: "ClusterRole", name: "kubeflow-edit" }, [{ kind: "User", name: "carol@example.com" }]);
        expect(await messagesOf(tenantRoles, [...wildcard, ...namespaces, contributor])).toEqual([
            'ClusterRole "kubeflow-pipelines-edit", a tenant role through kubeflow-edit, grants every verb ("*") on workflows (API group argoproj.io); list the verbs tenants need.',
        ]);
    });

    it("is undecided while a tenant role's rules are unknown", async () => {
        expect((await undecidedOf(tenantRoles, changed(tenants, [...PIPELINES_RULE], Unknown.instance))).map((entry) => entry.policy)).toEqual([
            "rbac-02-tenant-roles",
        ]);
    });
});
