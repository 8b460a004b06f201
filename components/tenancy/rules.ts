// Cross-field rules of a stack's tenants: unique names and people, tenants that
// exist, a known API server, GPU quotas that can be met, and no person editing
// two tenants undeclared. They run inside the config parse.
import type { StackConfig } from "../config/schema";
import type { ConfigProblem } from "../config/topology";
import { apiServerCidrs } from "./settings";
import { compareKubernetesVersions } from "../../core/kubernetes-version";

/** Tenant pod security is a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1), served from Kubernetes 1.30. */
const ADMISSION_POLICY_SINCE = "1.30";

export function tenantProblems(config: StackConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const names = config.tenants.map((tenant) => tenant.name);
    config.tenants.forEach((tenant, index) => {
        const path = ["tenants", index];
        if (names.indexOf(tenant.name) !== index)
            problems.push({ path: [...path, "name"], message: `${tenant.name} is already a tenant; tenant names must be unique` });
        const emails = tenant.members.map((member) => member.email);
        tenant.members.forEach((member, position) => {
            if (member.email === tenant.owner)
                problems.push({
                    path: [...path, "members", position, "email"],
                    message: `${member.email} owns ${tenant.name} already; do not list the owner as a member`,
                });
            else if (emails.indexOf(member.email) !== position)
                problems.push({ path: [...path, "members", position, "email"], message: `${member.email} is listed twice; give each person one role` });
        });
        tenant.readsFrom.forEach((other, position) => {
            if (!names.includes(other))
                problems.push({ path: [...path, "readsFrom", position], message: `${other} is not a tenant of this stack; name one of ${names.join(", ")}` });
            else if (other === tenant.name) problems.push({ path: [...path, "readsFrom", position], message: "names the tenant itself" });
        });
        if (index === 0 && compareKubernetesVersions(config.kubernetesVersion, ADMISSION_POLICY_SINCE) < 0) {
            problems.push({
                path: ["kubernetesVersion"],
                message: `is ${config.kubernetesVersion}, but tenants' pod security is a ValidatingAdmissionPolicy, served from Kubernetes ${ADMISSION_POLICY_SINCE}; run ${ADMISSION_POLICY_SINCE} or later`,
            });
        }
        if (index === 0 && apiServerCidrs(config).length === 0) {
            problems.push({
                path: ["tenancy", "apiServerCidrs"],
                message: "is needed: kfstack cannot tell where this cluster's API server is, and tenant pods must reach it; list its CIDRs",
            });
        }
        if (tenant.quotas.gpus > 0 && !config.cluster.gpuPool && config.topology === "testing") {
            problems.push({
                path: [...path, "quotas", "gpus"],
                message: `is ${tenant.quotas.gpus}, but the stack has no GPU pool; set it to 0 or add cluster.gpuPool`,
            });
        }
    });
    // A person with edit (or ownership) in two tenants can carry data from one to the other.
    const editors = new Map<string, number[]>();
    config.tenants.forEach((tenant, index) => {
        for (const email of [tenant.owner, ...tenant.members.filter((member) => member.role === "edit").map((member) => member.email)]) {
            editors.set(email, [...(editors.get(email) ?? []), index]);
        }
    });
    for (const [email, tenants] of editors) {
        if (tenants.length < 2) continue;
        for (const index of tenants) {
            const tenant = config.tenants[index]!;
            if (!tenant.sharedEditors.includes(email)) {
                const others = tenants.filter((other) => other !== index).map((other) => config.tenants[other]!.name);
                problems.push({
                    path: ["tenants", index, "sharedEditors"],
                    message: `does not declare ${email}, who holds edit in ${tenant.name} and in ${others.join(", ")}; declare them on every such tenant or give them view`,
                });
            }
        }
    }
    return problems;
}
