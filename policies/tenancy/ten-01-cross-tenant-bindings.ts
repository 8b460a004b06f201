// TEN-01: a RoleBinding in one tenant's namespace never names another tenant's owner or service account.
import type { TenantFacts } from "../../core/facts";
import { tenancyFactsOf } from "../lib/facts";
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { type Subject, type Tenant, kubernetesObjects, tenantsOf } from "../lib/tenants";
import { RBAC_GROUP } from "../../core/rbac/model";
import { roleRefOf, subjectsOf } from "./rbac";
import { describeSubject } from "../../core/rbac/model";
import { listOf } from "../../core/text";

/** Users and groups compare like the e-mail addresses they are: an identity provider may change the case. */
function sameOwner(owner: Subject | undefined, subject: Subject): boolean {
    return owner !== undefined && owner.kind === subject.kind && owner.name.toLowerCase() === subject.name.toLowerCase();
}

/**
 * Sharing the stack declares (kfstack:tenants): a member listed with this role
 * in the tenant (edit also needs sharedEditors), or view for the people of a
 * tenant that reads from this one (readsFrom).
 */
function declared(facts: TenantFacts[], home: string, subject: Subject, clusterRole: string | undefined): boolean {
    if (subject.kind !== "User") return false;
    const email = subject.name.toLowerCase();
    const tenant = facts.find((candidate) => candidate.name === home);
    const member = tenant?.members.find((candidate) => candidate.email.toLowerCase() === email);
    if (
        member &&
        clusterRole === `kubeflow-${member.role}` &&
        (member.role === "view" || tenant!.sharedEditors.some((editor) => editor.toLowerCase() === email))
    )
        return true;
    const people = (candidate: TenantFacts) => [candidate.owner, ...candidate.members.map((other) => other.email)].map((address) => address.toLowerCase());
    return clusterRole === "kubeflow-view" && facts.some((reader) => reader.readsFrom.includes(home) && people(reader).includes(email));
}

/** The tenants a subject belongs to: the Profiles a user or group owns, the namespace of a service account. */
function tenantsOfSubject(tenants: Tenant[], subject: Subject): Tenant[] {
    if (subject.kind === "ServiceAccount") return tenants.filter((tenant) => tenant.namespace === subject.namespace);
    return tenants.filter((tenant) => sameOwner(tenant.owner, subject));
}

export const crossTenantBindings = stackPolicy({
    id: "TEN-01",
    slug: "cross-tenant-bindings",
    description:
        "No RoleBinding in a tenant's namespace has a subject of another tenant (the owner of another tenant's Profile, or a ServiceAccount of another tenant's namespace) unless the stack declares that sharing.",
    reason: "A binding across tenants lets one team read another's data, Secrets and models, and lets one tenant's compromised workload act in another's namespace: it breaks multi-tenant isolation.",
    remediation:
        "Remove the other tenant's subject from the RoleBinding, or declare the sharing in the stack (a member with that role, readsFrom for view access, sharedEditors for edit).",
    validateStack: (args, reportViolation) => {
        const tenants = tenantsOf(args.resources);
        if (tenants.length < 2) return;
        const facts = tenancyFactsOf(args)?.facts.tenants ?? [];
        for (const binding of kubernetesObjects(args.resources, ["RoleBinding"])) {
            const home = tenants.find((tenant) => tenant.namespace === binding.namespace);
            if (binding.group !== RBAC_GROUP || !home) continue;
            for (const subject of subjectsOf(binding)) {
                const others = tenantsOfSubject(tenants, subject);
                if (others.length === 0 || others.includes(home)) continue;
                const roleRef = roleRefOf(binding);
                if (declared(facts, home.namespace, subject, roleRef?.kind === "ClusterRole" ? roleRef.name : undefined)) continue;
                const role = subject.kind === "ServiceAccount" ? "a service account" : "the owner";
                reportViolation(
                    `${describeResource("RoleBinding", binding.props, binding.resource.name)} gives ${describeSubject(subject, { quoted: true })}, ${role} of ${others.length > 1 ? "tenants" : "tenant"} ${listOf(others.map((tenant) => `"${tenant.namespace}"`))}, a role in tenant namespace "${home.namespace}" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).`,
                    binding.resource.urn,
                );
            }
        }
    },
});
