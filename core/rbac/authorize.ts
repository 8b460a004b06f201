// The RBAC authorizer's matching of one request against one rule, and of one requester against one binding subject.
import { type PolicyRule, type ResourceRequest, type Subject, inBindingNamespace } from "./model";

/** The requester as the authenticator hands it over: a user name (none for a bare group) and its groups. */
export interface UserInfo {
    name?: string;
    groups: Set<string>;
}

/** RuleAllows of the RBAC authorizer, for resource requests. */
export function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
    const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
    return (
        rule.verbs.some((verb) => verb === "*" || verb === request.verb) &&
        rule.apiGroups.some((group) => group === "*" || group === request.apiGroup) &&
        rule.resources.some((resource) => resource === "*" || resource === combined || (!!request.subresource && resource === `*/${request.subresource}`)) &&
        (!rule.resourceNames || rule.resourceNames.includes(authorizedName(request)))
    );
}

/** The name the API server authorizes with: none for create and deletecollection of a collection, whose request URL has no name. */
function authorizedName(request: ResourceRequest): string {
    if (!request.subresource && (request.verb === "create" || request.verb === "deletecollection")) return "";
    return request.name ?? "";
}

export function userInfo(subject: Subject, extraGroups: readonly string[]): UserInfo {
    switch (subject.kind) {
        case "ServiceAccount": {
            if (!subject.namespace)
                throw new Error(`ServiceAccount "${subject.name}" has no namespace; a service account is always named <namespace>/<name>, give its namespace.`);
            const groups = ["system:serviceaccounts", `system:serviceaccounts:${subject.namespace}`, "system:authenticated", ...extraGroups];
            return { name: `system:serviceaccount:${subject.namespace}:${subject.name}`, groups: new Set(groups) };
        }
        case "User":
            return {
                name: subject.name,
                groups: new Set([subject.name === "system:anonymous" ? "system:unauthenticated" : "system:authenticated", ...extraGroups]),
            };
        case "Group":
            return { groups: new Set([subject.name, ...extraGroups]) };
    }
}

/** appliesToUser of the RBAC authorizer; `bindingNamespace` is undefined for a ClusterRoleBinding. */
export function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string | undefined): boolean {
    switch (subject.kind) {
        case "User":
            return user.name === subject.name;
        case "Group":
            return user.groups.has(subject.name);
        case "ServiceAccount": {
            const { namespace } = inBindingNamespace(subject, bindingNamespace);
            return !!namespace && user.name === `system:serviceaccount:${namespace}:${subject.name}`;
        }
        default:
            return false;
    }
}
