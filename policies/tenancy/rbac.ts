// RBAC as the tenancy policies read it, through the evaluator the audit uses (core/rbac): the stack's ClusterRoles
// with their aggregation and the built-in ClusterRoles a binding can name without the stack defining them, read
// leniently (a policy judges any stack without crashing), and subjects as the policies' messages and config name them.
import { type Rbac, buildRbac } from "../../core/rbac/authorizer";
import { RBAC_GROUP, inBindingNamespace } from "../../core/rbac/model";
import { type RoleEntry, type RoleRef, readRoleRef, readSubjects } from "../../core/rbac/read";
import { type KubernetesObject, type StackResource, type Subject, coreObject, kubernetesObjects } from "../lib/tenants";

export interface StackClusterRoles {
    rbac: Rbac;
    /** `ClusterRole "kubeflow-edit"`, or `ClusterRole "edit" (Kubernetes built-in)`. */
    what(role: RoleEntry): string;
    /** Where violations about the role are reported; undefined for a built-in role. */
    urn(role: RoleEntry): string | undefined;
}

/** The ClusterRoles of a stack plus the built-in ones it does not redefine. */
export function stackClusterRoles(resources: readonly StackResource[]): StackClusterRoles {
    const resourceOf = new Map<object, StackResource>();
    const objects = kubernetesObjects(resources, ["ClusterRole"])
        .filter((object) => object.group === RBAC_GROUP)
        .map((object) => {
            const read = coreObject(object, ["rules", "aggregationRule"], true);
            resourceOf.set(read, object.resource);
            return read;
        });
    return {
        rbac: buildRbac(objects, { lenient: true, builtInClusterRoles: true }),
        what: (role) => `ClusterRole "${role.object.metadata.name}"${role.builtIn ? " (Kubernetes built-in)" : ""}`,
        urn: (role) => resourceOf.get(role.object)?.urn,
    };
}

/** The role a binding grants: `{kind: "ClusterRole", name: "cluster-admin"}`. */
export function roleRefOf(binding: KubernetesObject): RoleRef | undefined {
    return readRoleRef(coreObject(binding, ["roleRef"]), { lenient: true });
}

/** The subjects of a binding; a service account without a namespace is in the binding's. */
export function subjectsOf(binding: KubernetesObject): Subject[] {
    return readSubjects(coreObject(binding, ["subjects"]), { lenient: true }).map((subject) => inBindingNamespace(subject, binding.namespace));
}

/** `ServiceAccount:kubeflow/profiles-controller-service-account`, `User:alice@example.com`: a subject as config names it. */
export function subjectKey(subject: Subject): string {
    return subject.kind === "ServiceAccount" ? `${subject.kind}:${subject.namespace ?? ""}/${subject.name}` : `${subject.kind}:${subject.name}`;
}
