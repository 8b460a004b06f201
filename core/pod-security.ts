// The Pod Security "baseline" rules kfstack holds tenant pods to, in one place:
// SEC-01 applies them to planned pod templates, and the tenant namespaces'
// ValidatingAdmissionPolicy (components/tenancy/pod-security.ts) is written
// from the same lists, since Pod Security Admission's own baseline would
// reject Istio's init container (Kubeflow 1.8.1 runs Istio without its CNI
// plugin: values.istio_cni.enabled is false in istio-sidecar-injector).
import type { Container } from "./pod-templates";
import { isRecord } from "./records";

/** Capabilities Pod Security "baseline" lets a container add (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
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

/** The pod fields that put a pod in one of the node's namespaces. */
export const HOST_NAMESPACES = [
    { field: "hostNetwork", what: "the node's network namespace" },
    { field: "hostPID", what: "the node's process namespace" },
    { field: "hostIPC", what: "the node's IPC namespace" },
] as const;

// Each allowed value below is Pod Security Admission's own at Kubernetes 1.30, the lowest kfstack supports for tenants
// (k8s.io/pod-security-admission v0.30.0, policy/check_*.go); later releases only widen the lists.

/** Where a rule applies: the pod's securityContext (spec.securityContext) and every container's, or containers' only. */
export type ContextScope = "pod and containers" | "containers";

/** A securityContext field baseline restricts: unset, or one of `allowed`. */
export interface ContextRule {
    /** The field's path under securityContext. */
    readonly path: readonly string[];
    readonly allowed: readonly (string | boolean)[];
    readonly scope: ContextScope;
}

/** The securityContext fields baseline restricts, beyond privileged and capabilities (check_windowsHostProcess, check_seLinuxOptions, check_procMount, check_seccompProfile_baseline, check_appArmorProfile). */
export const BASELINE_CONTEXT_RULES: readonly ContextRule[] = [
    { path: ["windowsOptions", "hostProcess"], allowed: [false], scope: "pod and containers" },
    // 1.31 adds container_engine_t.
    { path: ["seLinuxOptions", "type"], allowed: ["", "container_t", "container_init_t", "container_kvm_t"], scope: "pod and containers" },
    { path: ["seLinuxOptions", "user"], allowed: [""], scope: "pod and containers" },
    { path: ["seLinuxOptions", "role"], allowed: [""], scope: "pod and containers" },
    // 1.35 allows any value in a user namespace (hostUsers: false).
    { path: ["procMount"], allowed: ["Default"], scope: "containers" },
    { path: ["seccompProfile", "type"], allowed: ["RuntimeDefault", "Localhost"], scope: "pod and containers" },
    { path: ["appArmorProfile", "type"], allowed: ["RuntimeDefault", "Localhost"], scope: "pod and containers" },
];

/** The only hostPort baseline allows on a container's ports besides unset (check_hostPorts). */
export const BASELINE_HOST_PORTS: readonly number[] = [0];

/** The "safe" sysctls baseline allows in spec.securityContext.sysctls at 1.30 (check_sysctls: 1.27 added ip_local_reserved_ports, 1.29 the tcp_* four; 1.32 adds tcp_rmem and tcp_wmem). */
export const BASELINE_SYSCTLS: ReadonlySet<string> = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);

/** The AppArmor annotations of a pod, deprecated by the appArmorProfile field but still honoured: empty, runtime/default or localhost/<profile> (check_appArmorProfile). */
export const APPARMOR_ANNOTATION = {
    keyPrefix: "container.apparmor.security.beta.kubernetes.io/",
    values: ["", "runtime/default"],
    valuePrefix: "localhost/",
} as const;

/** "securityContext.seccompProfile.type" */
export const contextField = (rule: ContextRule) => `securityContext.${rule.path.join(".")}`;

/** The values a rule allows, as a user sets them ("RuntimeDefault or Localhost"); empty when only the field's zero value is allowed. */
export function allowedText(rule: ContextRule): string {
    const values = rule.allowed.filter((value) => value !== "" && value !== false).map(String);
    return values.length <= 1 ? values.join("") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)!}`;
}

/** The value at `path` of nested records, undefined where any step is absent. */
function valueAt(object: unknown, path: readonly string[]): unknown {
    return path.reduce<unknown>((value, key) => (isRecord(value) ? value[key] : undefined), object);
}

/** The rules a securityContext (the pod's, or a container's) breaks, each with the value it sets. */
export function contextViolations(context: unknown, level: "pod" | "container"): { rule: ContextRule; value: unknown }[] {
    return BASELINE_CONTEXT_RULES.filter((rule) => level === "container" || rule.scope === "pod and containers")
        .map((rule) => ({ rule, value: valueAt(context, rule.path) }))
        .filter(({ rule, value }) => value !== undefined && !rule.allowed.includes(value as string | boolean));
}

/** The host ports a container's ports ask for, outside baseline's. */
export function hostPortsOf(container: Container): unknown[] {
    const ports = Array.isArray(container["ports"]) ? (container["ports"] as unknown[]) : [];
    return ports.map((port) => valueAt(port, ["hostPort"])).filter((hostPort) => hostPort !== undefined && !BASELINE_HOST_PORTS.includes(hostPort as number));
}

/** The sysctls a pod sets outside baseline's safe set. */
export function unsafeSysctls(spec: Record<string, unknown>): string[] {
    const sysctls = valueAt(spec, ["securityContext", "sysctls"]);
    return (Array.isArray(sysctls) ? (sysctls as unknown[]) : [])
        .map((sysctl) => String(valueAt(sysctl, ["name"])))
        .filter((name) => !BASELINE_SYSCTLS.has(name));
}

/** The AppArmor annotations of a pod that name a profile baseline forbids (unconfined, or anything but runtime/default and localhost/*). */
export function forbiddenAppArmorAnnotations(annotations: unknown): [string, string][] {
    const allowed = (value: string) => (APPARMOR_ANNOTATION.values as readonly string[]).includes(value) || value.startsWith(APPARMOR_ANNOTATION.valuePrefix);
    const all = isRecord(annotations) ? annotations : {};
    // Only these values are read: another annotation may be unknown until deployment (an IAM role's ARN), and reading it would leave the check undecided.
    return Object.keys(all)
        .filter((key) => key.startsWith(APPARMOR_ANNOTATION.keyPrefix))
        .map((key): [string, string] => [key, String(all[key])])
        .filter(([, value]) => !allowed(value));
}

/**
 * The one exemption: the init container Istio's sidecar injector adds when the CNI plugin is off. It programs the
 * pod's own iptables, for which it adds NET_ADMIN and NET_RAW (manifests 05-istio-install.yaml, the injector's
 * "sidecar" template). Only the injector's exact shape passes: an init container of this name, the mesh's proxy
 * image, no command (the image's pilot-agent runs), "istio-iptables" as first argument, nothing privileged, and no
 * capability beyond these two and baseline's. A tenant who names its own container istio-init gets no more.
 */
export const ISTIO_INIT = {
    name: "istio-init",
    repository: "istio/proxyv2",
    firstArg: "istio-iptables",
    capabilities: ["NET_ADMIN", "NET_RAW"],
} as const;

export const normalizeCapability = (capability: string) => capability.toUpperCase().replace(/^CAP_/, "");

/** The capabilities a container adds, as written. */
export function addedCapabilities(container: Container): string[] {
    const context = isRecord(container["securityContext"]) ? container["securityContext"] : {};
    const capabilities =
        isRecord(context["capabilities"]) && Array.isArray(context["capabilities"]["add"]) ? (context["capabilities"]["add"] as unknown[]) : [];
    return capabilities.filter((added): added is string => typeof added === "string");
}

/** Whether the container is Istio's init container exactly as the injector writes it, given what the mesh's proxy image is. */
export function isIstioInit(container: Container, role: "container" | "init container", isProxyImage: (image: string) => boolean): boolean {
    const context = isRecord(container["securityContext"]) ? container["securityContext"] : {};
    const args = Array.isArray(container["args"]) ? (container["args"] as unknown[]) : [];
    return (
        role === "init container" &&
        container.name === ISTIO_INIT.name &&
        typeof container.image === "string" &&
        isProxyImage(container.image) &&
        container["command"] === undefined &&
        args[0] === ISTIO_INIT.firstArg &&
        context["privileged"] !== true
    );
}

/** The capabilities a container adds beyond baseline, normalized ("CAP_SYS_ADMIN" → "SYS_ADMIN"), less what Istio's init container may add. */
export function capabilitiesBeyondBaseline(container: Container, istioInit: boolean): string[] {
    const allowed = (capability: string) =>
        BASELINE_CAPABILITIES.has(capability) || (istioInit && (ISTIO_INIT.capabilities as readonly string[]).includes(capability));
    return addedCapabilities(container)
        .map(normalizeCapability)
        .filter((capability) => !allowed(capability));
}
