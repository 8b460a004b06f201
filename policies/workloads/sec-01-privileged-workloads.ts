// SEC-01: no privileged containers, host namespaces, hostPath volumes or
// privilege escalation, except what policies/lib/exemptions.ts grants by name.
//
// Privilege escalation: Kubernetes lets a container escalate (no_new_privs
// unset) unless allowPrivilegeEscalation is false, and always when it is
// privileged or has CAP_SYS_ADMIN. The mandatory rule flags every container
// that asks for escalation: allowPrivilegeEscalation: true, privileged, or an
// added capability beyond the Pod Security "baseline" set (SYS_ADMIN first of
// all). Leaving the field unset is what Pod Security "baseline" accepts and
// what most upstream Kubeflow containers do; it is flagged only with
// requireNoEscalation (the "restricted" profile), which a stack turns on once
// kfstack sets allowPrivilegeEscalation: false on the upstream containers.
import { exemptionsOf } from "../lib/exemptions";
import { resourcePolicy } from "../lib/policy";
import { containersOf } from "../../core/kubernetes-resources";
import { containerNoun, reportingOnce, workloadOf } from "./pods";
import { isRecord } from "../../core/records";

interface Config {
    requireNoEscalation: boolean;
}

/** Capabilities Pod Security "baseline" lets a container add (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

const HOST_NAMESPACES = [
    { field: "hostNetwork", what: "the node's network namespace" },
    { field: "hostPID", what: "the node's process namespace" },
    { field: "hostIPC", what: "the node's IPC namespace" },
] as const;

const normalizeCapability = (capability: string) => capability.toUpperCase().replace(/^CAP_/, "");

export const privilegedWorkloads = resourcePolicy({
    id: "SEC-01",
    slug: "privileged-workloads",
    description:
        "No privileged container, no container that asks for privilege escalation (allowPrivilegeEscalation: true, or a capability beyond the Pod Security baseline such as SYS_ADMIN), no hostPath volume and no hostNetwork, hostPID or hostIPC, except what the exemption list in policies/lib/exemptions.ts grants a named node agent.",
    reason: "Any of these gives a pod the node: a privileged or SYS_ADMIN container, a hostPath mount or a host namespace lets one compromised notebook or pipeline step read every other tenant's data and credentials on that node (Pod Security Standards, baseline profile).",
    remediation:
        "Remove privileged, allowPrivilegeEscalation: true, the added capability, the hostPath volume or the host namespace; use a PersistentVolumeClaim, ConfigMap or emptyDir for files. A node agent that truly needs one is added, with its reason, to policies/lib/exemptions.ts.",
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

        for (const { spec } of templates) {
            for (const { field, what: namespace } of HOST_NAMESPACES) {
                if (spec[field] === true && !grants.some((grant) => grant.clause === field))
                    report(`${what} sets ${field}: true, sharing ${namespace}; remove it.`);
            }
            const volumes = Array.isArray(spec["volumes"]) ? (spec["volumes"] as unknown[]).filter(isRecord) : [];
            for (const volume of volumes) {
                const hostPath = volume["hostPath"];
                if (!isRecord(hostPath)) continue;
                const path = typeof hostPath["path"] === "string" ? hostPath["path"] : "";
                if (grants.some((grant) => grant.clause === "hostPath" && grant.paths.includes(path))) continue;
                report(
                    `${what} mounts the host path "${path}" (volume "${String(volume["name"])}"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.`,
                );
            }
        }

        for (const { container, role } of containersOf(kind, args.props)) {
            const subject = `${containerNoun(role)} "${container.name}" in ${what}`;
            const context = isRecord(container["securityContext"]) ? container["securityContext"] : {};
            if (context["privileged"] === true)
                report(`${subject} runs privileged (securityContext.privileged: true); remove it and add only the capabilities the container needs.`);
            const escalation = context["allowPrivilegeEscalation"];
            if (escalation === true) report(`${subject} sets securityContext.allowPrivilegeEscalation: true; set it to false.`);
            else if (escalation === undefined && requireNoEscalation === true && context["privileged"] !== true) {
                report(`${subject} leaves securityContext.allowPrivilegeEscalation unset, which Kubernetes treats as allowed; set it to false.`);
            }
            const capabilities =
                isRecord(context["capabilities"]) && Array.isArray(context["capabilities"]["add"]) ? (context["capabilities"]["add"] as unknown[]) : [];
            for (const capability of capabilities.filter((added): added is string => typeof added === "string").map(normalizeCapability)) {
                if (BASELINE_CAPABILITIES.has(capability)) continue;
                if (grants.some((grant) => grant.clause === "capability" && grant.container === container.name && grant.capabilities.includes(capability)))
                    continue;
                report(`${subject} adds capability ${capability}, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.`);
            }
        }
    },
});
