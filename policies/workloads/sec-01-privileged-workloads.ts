// SEC-01: no privileged containers, host namespaces, hostPath volumes or
// privilege escalation, and nothing else Pod Security "baseline" forbids,
// except what policies/lib/exemptions.ts grants by name.
//
// Privilege escalation: Kubernetes lets a container escalate (no_new_privs
// unset) unless allowPrivilegeEscalation is false, and always when it is
// privileged or has CAP_SYS_ADMIN. The mandatory rule flags every container
// that asks for escalation: allowPrivilegeEscalation: true, privileged, or an
// added capability beyond the Pod Security "baseline" set (SYS_ADMIN first of
// all). The rules and their one exemption, Istio's init container, are
// core/pod-security.ts's, which tenant namespaces' admission policy is
// written from too. Leaving the field unset is what Pod Security "baseline" accepts and
// what most upstream Kubeflow containers do; it is flagged only with
// requireNoEscalation (the "restricted" profile), which a stack turns on once
// kfstack sets allowPrivilegeEscalation: false on the upstream containers.
import type { Grant } from "../lib/exemptions";
import { exemptionsOf } from "../lib/exemptions";
import { resourcePolicy } from "../lib/policy";
import { containersOf } from "../../core/kubernetes-resources";
import { containerNoun, reportingOnce, workloadOf } from "./pods";
import { isRecord } from "../../core/records";
import { isOfRepository } from "../../core/image-references";
import type { ReportViolation } from "@pulumi/policy";
import type { Container, PodTemplate } from "../../core/pod-templates";
import type { ContextRule } from "../../core/pod-security";
import {
    HOST_NAMESPACES,
    ISTIO_INIT,
    allowedText,
    capabilitiesBeyondBaseline,
    contextField,
    contextViolations,
    forbiddenAppArmorAnnotations,
    hostPortsOf,
    isIstioInit,
    unsafeSysctls,
} from "../../core/pod-security";

/** Istio's init container is recognised by the proxy image's repository here: any registry (the stack's mirror) and tag. */
const isProxyImage = (image: string) => isOfRepository(image, ISTIO_INIT.repository);

interface Config {
    requireNoEscalation: boolean;
}

type Sec01Grant = Extract<Grant, { policy: "SEC-01" }>;

/** What breaking a securityContext rule reads as: `sets securityContext.seccompProfile.type: "Unconfined", beyond the Pod Security baseline; set it to …`. */
function contextMessage(subject: string, rule: ContextRule, value: unknown): string {
    const allowed = allowedText(rule);
    const fix = allowed === "" ? "remove it" : `set it to ${allowed}, or remove it`;
    return `${subject} sets ${contextField(rule)}: ${JSON.stringify(value)}, beyond the Pod Security baseline; ${fix}.`;
}

/** The pod-level rules: host namespaces, hostPath volumes, the pod's securityContext, sysctls and AppArmor annotations. */
function checkPod({ metadata, spec }: PodTemplate, what: string, grants: Sec01Grant[], report: ReportViolation): void {
    for (const { field, what: namespace } of HOST_NAMESPACES) {
        if (spec[field] === true && !grants.some((grant) => grant.clause === field)) report(`${what} sets ${field}: true, sharing ${namespace}; remove it.`);
    }
    const volumes = Array.isArray(spec["volumes"]) ? (spec["volumes"] as unknown[]).filter(isRecord) : [];
    for (const volume of volumes) {
        const hostPath = volume["hostPath"];
        if (!isRecord(hostPath)) continue;
        const path = typeof hostPath["path"] === "string" ? hostPath["path"] : "";
        if (grants.some((grant) => grant.clause === "hostPath" && grant.paths.includes(path))) continue;
        report(`${what} mounts the host path "${path}" (volume "${String(volume["name"])}"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.`);
    }
    for (const { rule, value } of contextViolations(spec["securityContext"], "pod")) report(contextMessage(what, rule, value));
    for (const sysctl of unsafeSysctls(spec)) {
        report(`${what} sets the sysctl "${sysctl}" (securityContext.sysctls), beyond the Pod Security baseline's safe set; remove it.`);
    }
    for (const [key, value] of forbiddenAppArmorAnnotations(metadata?.annotations)) {
        report(
            `${what} sets the annotation ${key}: ${JSON.stringify(value)}, beyond the Pod Security baseline; use runtime/default or localhost/<profile>, or remove it.`,
        );
    }
}

/** The container-level rules: privilege, escalation, capabilities, the container's securityContext and host ports. */
function checkContainer(
    container: Container,
    role: "container" | "init container",
    subject: string,
    grants: Sec01Grant[],
    requireNoEscalation: boolean,
    report: ReportViolation,
): void {
    const context = isRecord(container["securityContext"]) ? container["securityContext"] : {};
    if (context["privileged"] === true)
        report(`${subject} runs privileged (securityContext.privileged: true); remove it and add only the capabilities the container needs.`);
    const escalation = context["allowPrivilegeEscalation"];
    if (escalation === true) report(`${subject} sets securityContext.allowPrivilegeEscalation: true; set it to false.`);
    else if (escalation === undefined && requireNoEscalation && context["privileged"] !== true) {
        report(`${subject} leaves securityContext.allowPrivilegeEscalation unset, which Kubernetes treats as allowed; set it to false.`);
    }
    for (const capability of capabilitiesBeyondBaseline(container, isIstioInit(container, role, isProxyImage))) {
        if (grants.some((grant) => grant.clause === "capability" && grant.container === container.name && grant.capabilities.includes(capability))) continue;
        report(`${subject} adds capability ${capability}, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.`);
    }
    for (const { rule, value } of contextViolations(context, "container")) report(contextMessage(subject, rule, value));
    for (const port of hostPortsOf(container)) {
        if (grants.some((grant) => grant.clause === "hostPort" && grant.container === container.name && grant.ports.includes(port as number))) continue;
        report(
            `${subject} uses the host port ${String(port)} (ports[].hostPort), beyond the Pod Security baseline; remove hostPort and reach the container through a Service.`,
        );
    }
}

export const privilegedWorkloads = resourcePolicy({
    id: "SEC-01",
    slug: "privileged-workloads",
    description:
        "No privileged container, no container that asks for privilege escalation (allowPrivilegeEscalation: true, or a capability beyond the Pod Security baseline such as SYS_ADMIN), no hostPath volume, no hostNetwork, hostPID or hostIPC, and nothing else Pod Security baseline forbids at Kubernetes 1.30 (host ports, Windows host processes, Unconfined seccomp or AppArmor profiles, unconfined AppArmor annotations, SELinux types other than container_t, container_init_t and container_kvm_t or any SELinux user or role, an unmasked /proc, sysctls outside the safe set), except what the exemption list in policies/lib/exemptions.ts grants a named node agent, and NET_ADMIN and NET_RAW for Istio's init container exactly as its sidecar injector writes it (core/pod-security.ts).",
    reason: "Any of these gives a pod the node or weakens its confinement: a privileged or SYS_ADMIN container, a hostPath mount or a host namespace lets one compromised notebook or pipeline step read every other tenant's data and credentials on that node; a host port, an unconfined seccomp, AppArmor or SELinux profile, an unmasked /proc or an unsafe sysctl removes a layer that keeps a container escape off the node (Pod Security Standards, baseline profile).",
    remediation:
        "Remove privileged, allowPrivilegeEscalation: true, the added capability, the hostPath volume, the host namespace, the hostPort or the offending securityContext field, sysctl or annotation; use a PersistentVolumeClaim, ConfigMap or emptyDir for files, a Service for ports, RuntimeDefault or Localhost profiles. A node agent that truly needs one is added, with its reason, to policies/lib/exemptions.ts.",
    configSchema: {
        properties: {
            requireNoEscalation: {
                type: "boolean",
                default: false,
                description:
                    "Also flag containers that leave securityContext.allowPrivilegeEscalation unset (Pod Security restricted), not only those that set it true.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const workload = workloadOf(args);
        if (!workload) return;
        const { kind, templates, what } = workload;
        const { requireNoEscalation } = args.getConfig<Config>();
        const grants = exemptionsOf("SEC-01", kind, args.props);
        const report = reportingOnce(reportViolation);
        for (const template of templates) checkPod(template, what, grants, report);
        for (const { container, role } of containersOf(kind, args.props)) {
            checkContainer(container, role, `${containerNoun(role)} "${container.name}" in ${what}`, grants, requireNoEscalation, report);
        }
    },
});
