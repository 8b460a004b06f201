import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { crossTenantBindings } from "../../policies/tenancy/ten-01-cross-tenant-bindings";
import { changed, messagesOf, record, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { at, profile, roleBinding, tenantNamespace, twoTenants } from "./fixtures-tenancy";

const tenants = twoTenants();
const CONTRIBUTOR = [at(tenants, "RoleBinding", "team-a/user-carol-example-com-clusterrole-edit"), "props", "subjects", 0];
const SERVICE_ACCOUNT = [at(tenants, "RoleBinding", "team-a/notebook-reader"), "props", "subjects", 0];

describe("TEN-01 cross-tenant bindings", () => {
    it("accepts RoleBindings of a tenant's own service accounts and of contributors who own no tenant", async () => {
        expect(await violationsOf(crossTenantBindings, tenants)).toEqual([]);
    });

    it("rejects the owner of another tenant's Profile as a subject", async () => {
        const bad = changed(tenants, [...CONTRIBUTOR, "name"], "bob@example.com");
        expect(await violationsOf(crossTenantBindings, bad)).toEqual([
            mandatoryViolation(
                { policy: "ten-01-cross-tenant-bindings", id: "TEN-01" },
                bad[CONTRIBUTOR[0] as number]!,
                'RoleBinding "team-a/user-carol-example-com-clusterrole-edit" gives User "bob@example.com", the owner of tenant "team-b", a role in tenant namespace "team-a" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
            ),
        ]);
    });

    it("compares user names case-insensitively, as e-mail addresses", async () => {
        expect(await messagesOf(crossTenantBindings, changed(tenants, [...CONTRIBUTOR, "name"], "Bob@Example.com"))).toHaveLength(1);
    });

    it("rejects a service account of another tenant's namespace", async () => {
        const bad = changed(tenants, [...SERVICE_ACCOUNT, "namespace"], "team-b");
        expect(await messagesOf(crossTenantBindings, bad)).toEqual([
            'RoleBinding "team-a/notebook-reader" gives ServiceAccount "team-b/default-editor", a service account of tenant "team-b", a role in tenant namespace "team-a" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
        ]);
    });

    it("rejects a group that owns another tenant's Profile", async () => {
        const groupOwned = changed(tenants, [at(tenants, "Profile", "team-b"), "props", "spec", "owner"], { kind: "Group", name: "team-b-admins" });
        const bad = changed(groupOwned, CONTRIBUTOR, { kind: "Group", name: "team-b-admins" });
        expect(await messagesOf(crossTenantBindings, bad)).toEqual([
            'RoleBinding "team-a/user-carol-example-com-clusterrole-edit" gives Group "team-b-admins", the owner of tenant "team-b", a role in tenant namespace "team-a" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
        ]);
    });

    it("accepts a user who owns this tenant as well as another", async () => {
        const third = profile("team-a-scratch", "alice@example.com");
        const binding = roleBinding("team-a-scratch", "alice", { kind: "ClusterRole", name: "kubeflow-edit" }, [{ kind: "User", name: "alice@example.com" }]);
        expect(await messagesOf(crossTenantBindings, [...tenants, third, binding])).toEqual([]);
    });

    it("names every tenant the subject owns", async () => {
        const third = profile("team-c", "bob@example.com");
        expect(await messagesOf(crossTenantBindings, [...changed(tenants, [...CONTRIBUTOR, "name"], "bob@example.com"), third])).toEqual([
            'RoleBinding "team-a/user-carol-example-com-clusterrole-edit" gives User "bob@example.com", the owner of tenants "team-b" and "team-c", a role in tenant namespace "team-a" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
        ]);
    });

    it("finds tenants declared by a labelled Namespace, its owner in the owner annotation", async () => {
        const namespaces = [tenantNamespace("team-a", "alice@example.com"), tenantNamespace("team-b", "bob@example.com")];
        const binding = roleBinding("team-a", "bob", { kind: "ClusterRole", name: "kubeflow-view" }, [{ kind: "User", name: "bob@example.com" }]);
        expect(await messagesOf(crossTenantBindings, [...namespaces, binding])).toEqual([
            'RoleBinding "team-a/bob" gives User "bob@example.com", the owner of tenant "team-b", a role in tenant namespace "team-a" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
        ]);
    });

    it("leaves RoleBindings outside tenant namespaces alone", async () => {
        const platform = roleBinding("kubeflow", "bob", { kind: "ClusterRole", name: "kubeflow-view" }, [{ kind: "User", name: "bob@example.com" }]);
        expect(await messagesOf(crossTenantBindings, [...tenants, platform])).toEqual([]);
    });

    it("is undecided while a subject is unknown", async () => {
        expect((await undecidedOf(crossTenantBindings, changed(tenants, CONTRIBUTOR, Unknown.instance))).map((entry) => entry.policy)).toEqual([
            "ten-01-cross-tenant-bindings",
        ]);
    });

    describe("with sharing the stack declares", () => {
        const facts = (tenantA: Record<string, unknown>, tenantB: Record<string, unknown> = {}) =>
            record("kfstack:tenancy:Tenancy", {
                tenants: [
                    { name: "team-a", owner: "alice@example.com", members: [], readsFrom: [], sharedEditors: [], ...tenantA },
                    { name: "team-b", owner: "bob@example.com", members: [], readsFrom: [], sharedEditors: [], ...tenantB },
                ],
            });
        const bobIn = (clusterRole: string) =>
            roleBinding("team-a", `user-bob-example-com-clusterrole-${clusterRole}`, { kind: "ClusterRole", name: clusterRole }, [
                { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "bob@example.com" },
            ]);

        it("accepts another tenant's owner listed as a view member", async () => {
            expect(
                await messagesOf(crossTenantBindings, [...tenants, facts({ members: [{ email: "bob@example.com", role: "view" }] }), bobIn("kubeflow-view")]),
            ).toEqual([]);
        });

        it("accepts view access for the people of a tenant that reads from this one", async () => {
            expect(await messagesOf(crossTenantBindings, [...tenants, facts({}, { readsFrom: ["team-a"] }), bobIn("kubeflow-view")])).toEqual([]);
        });

        it("rejects edit access that only readsFrom declares", async () => {
            expect(await messagesOf(crossTenantBindings, [...tenants, facts({}, { readsFrom: ["team-a"] }), bobIn("kubeflow-edit")])).toEqual([
                'RoleBinding "team-a/user-bob-example-com-clusterrole-kubeflow-edit" gives User "bob@example.com", the owner of tenant "team-b", a role in tenant namespace "team-a" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
            ]);
        });

        it("accepts an edit member only when the tenant also lists them in sharedEditors", async () => {
            const member = { members: [{ email: "bob@example.com", role: "edit" }] };
            expect(await messagesOf(crossTenantBindings, [...tenants, facts(member), bobIn("kubeflow-edit")])).toHaveLength(1);
            expect(
                await messagesOf(crossTenantBindings, [...tenants, facts({ ...member, sharedEditors: ["bob@example.com"] }), bobIn("kubeflow-edit")]),
            ).toEqual([]);
        });
    });
});
