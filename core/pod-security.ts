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
