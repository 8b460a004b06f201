// ISTIO-01: no tenant can speak as another user through the mesh. The kubeflow-userid header is the identity every
// Kubeflow backend and every member AuthorizationPolicy trusts from the ingress gateway; a route that sets it, or a
// tenant route on a gateway other namespaces' traffic passes, forges it.
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import type { PolicyRule } from "../../core/rbac/model";
import { KUBEFLOW_USER_HEADER, isIstioGroup } from "../../core/istio";
import { headerEdits } from "../../core/istio-routes";
import { arrayAt, asStrings, recordAt } from "../../core/records";
import { listOf } from "../../core/text";
import { type KubernetesObject, kubernetesObjects, tenantsOf } from "../lib/tenants";
import { TENANT_ROLES_CONFIG_SCHEMA, type TenantRolesConfig, rolesTenantsHold } from "./rbac";

const READ_VERBS = new Set(["get", "list", "watch"]);

/**
 * The gateways a tenant's VirtualService is bound to that serve other namespaces too: a Gateway in another namespace
 * (`ns/name`), or `mesh` (the default), whose routes every sidecar applies unless exportTo keeps them in the namespace.
 */
function sharedGateways(service: KubernetesObject): string[] {
    const spec = recordAt(service.props, "spec");
    const gateways = spec["gateways"] === undefined ? ["mesh"] : asStrings(spec["gateways"]);
    const exportTo = asStrings(spec["exportTo"]);
    const confined = exportTo.length > 0 && exportTo.every((entry) => entry === "." || entry === service.namespace);
    return gateways.filter((gateway) =>
        gateway === "mesh" ? !confined : gateway.includes("/") && gateway.slice(0, gateway.indexOf("/")) !== service.namespace,
    );
}

/** `headers.request.set`, `.add` or `.remove` where a route names kubeflow-userid. */
function userHeaderEdits(service: KubernetesObject): string[] {
    const routes = arrayAt(recordAt(service.props, "spec"), "http");
    return [...new Set(routes.flatMap((route) => headerEdits(route, KUBEFLOW_USER_HEADER).map((edit) => `headers.request.${edit.operation}`)))];
}

/** The write verbs a rule grants on an Istio API group, or none. */
function istioWrites(rule: PolicyRule): { groups: string[]; verbs: string[] } | undefined {
    const groups = rule.apiGroups.filter((group) => group === "*" || isIstioGroup(group));
    const verbs = rule.verbs.filter((verb) => !READ_VERBS.has(verb));
    return groups.length && verbs.length && rule.resources.length ? { groups, verbs } : undefined;
}

export const meshIdentity = stackPolicy({
    id: "ISTIO-01",
    slug: "mesh-identity",
    description:
        'No VirtualService in a tenant namespace is bound to a gateway of another namespace or to the mesh gateway (the default) unless exportTo keeps it in its namespace; no VirtualService sets, adds or removes the kubeflow-userid request header; no tenant role (the roles RBAC-02 checks) grants a verb other than get, list or watch on an Istio API group (networking.istio.io, security.istio.io, "*", …).',
    reason: "kubeflow-userid is the identity the dashboard, Pipelines, KFAM and every member AuthorizationPolicy trust from the ingress gateway: a tenant's route on the shared kubeflow-gateway or in every sidecar that sets it reaches other tenants' notebooks and pipelines as another user, and a tenant who writes Istio objects can create such a route.",
    remediation:
        'Bind tenant VirtualServices only to a Gateway in their own namespace, or to the mesh with exportTo ["."]; never touch kubeflow-userid in a route (the oidc-authservice sets it); drop write verbs on Istio groups from the role the message names (kfstack removes them from Kubeflow\'s tenant roles in components/kubeflow/mesh-isolation.ts).',
    configSchema: TENANT_ROLES_CONFIG_SCHEMA,
    validateStack: (args, reportViolation) => {
        const tenantList = tenantsOf(args.resources);
        const tenants = new Set(tenantList.map((tenant) => tenant.namespace));
        for (const service of kubernetesObjects(args.resources, ["VirtualService"])) {
            if (!service.group.endsWith("istio.io")) continue;
            const what = describeResource("VirtualService", service.props, service.resource.name);
            const shared = service.namespace !== undefined && tenants.has(service.namespace) ? sharedGateways(service) : [];
            if (shared.length)
                reportViolation(
                    `${what}, in tenant namespace ${service.namespace}, is bound to ${listOf(shared.map((gateway) => `"${gateway}"`))}, which serve${shared.length === 1 ? "s" : ""} other namespaces' traffic; bind it to a Gateway in ${service.namespace}, or to the mesh with exportTo ["."].`,
                    service.resource.urn,
                );
            const edits = userHeaderEdits(service);
            if (edits.length)
                reportViolation(
                    `${what} changes the ${KUBEFLOW_USER_HEADER} request header (${listOf(edits)}), the identity backends trust from the gateway; remove that header from its routes.`,
                    service.resource.urn,
                );
        }
        for (const role of rolesTenantsHold(args.resources, tenantList, args.getConfig<TenantRolesConfig>())) {
            for (const rule of role.rules) {
                const writes = istioWrites(rule);
                if (writes)
                    reportViolation(
                        `${role.what} grants ${listOf(writes.verbs.map((verb) => `"${verb}"`))} on ${listOf(rule.resources)} (${listOf(writes.groups)}); tenants may only read Istio objects: remove the write verbs.`,
                        role.urn,
                    );
            }
        }
    },
});
