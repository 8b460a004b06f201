// Pod security in every tenant namespace: a ValidatingAdmissionPolicy that
// enforces every control of Pod Security "baseline" (core/pod-security.ts's
// rules and allowed values) on pods, bound to the
// namespaces the Kubeflow profile controller labels as profiles. Pod Security
// Admission's baseline label cannot be used: it rejects the NET_ADMIN and
// NET_RAW of Istio's init container, which Kubeflow 1.8.1 injects into every
// tenant pod (no Istio CNI plugin). The exemption is the injector's exact
// container: the mesh's proxy image as its ConfigMap composes it, no command,
// istio-iptables first, and nothing else beyond baseline.
import type { KubernetesObject } from "../../core/objects";
import { objectKey } from "../../core/objects";
import type { ContextRule } from "../../core/pod-security";
import {
    APPARMOR_ANNOTATION,
    BASELINE_CAPABILITIES,
    BASELINE_CONTEXT_RULES,
    BASELINE_HOST_PORTS,
    BASELINE_SYSCTLS,
    HOST_NAMESPACES,
    ISTIO_INIT,
    allowedText,
    contextField,
} from "../../core/pod-security";
import { isRecord } from "../../core/records";
import { CustomizeError } from "../manifests/customize";

import { type Validation, quoted, tenantAdmissionPolicy, unsetOr } from "./admission";

export const POD_SECURITY_POLICY = "kfstack-tenant-pod-security";

const INJECTOR_CONFIG = "/ConfigMap/istio-system/istio-sidecar-injector";

/** The image the injector gives istio-init: global.hub/proxy_init.image:global.tag of its values, as the "sidecar" template composes it. */
export function istioInitImage(platform: readonly KubernetesObject[]): string {
    const config = platform.find((object) => objectKey(object) === INJECTOR_CONFIG);
    const data = config?.["data"];
    const values: unknown = isRecord(data) && typeof data["values"] === "string" ? JSON.parse(data["values"]) : undefined;
    const global = isRecord(values) && isRecord(values["global"]) ? values["global"] : {};
    const init = isRecord(global["proxy_init"]) ? global["proxy_init"] : {};
    const [hub, image, tag] = [global["hub"], init["image"], global["tag"]];
    if (typeof hub !== "string" || typeof image !== "string" || typeof tag !== "string" || image.includes("/")) {
        throw new CustomizeError(
            `Tenant pod security exempts Istio's init container by its exact image, read from the values of ConfigMap istio-system/istio-sidecar-injector (global.hub, global.proxy_init.image, global.tag), which the rendered manifests do not hold; update components/tenancy/pod-security.ts for this release.`,
        );
    }
    return `${hub}/${image}:${tag}`;
}

const unset = (root: string, field: string) => unsetOr(root, [field], (value) => `!${value}`);
const addedWithin = (c: string, allowed: Iterable<string>) =>
    unsetOr(c, ["securityContext", "capabilities", "add"], (added) => `${added}.all(cap, cap in ${quoted(allowed)})`);
const notPrivileged = (c: string) => unsetOr(c, ["securityContext", "privileged"], (privileged) => `!${privileged}`);

type ContainerList = { list: string; all: (body: string) => string };

/** Each container list of the pod (CEL cannot join lists of Container and EphemeralContainer), and a test over every member of it. */
const CONTAINER_LISTS: readonly ContainerList[] = ["containers", "initContainers", "ephemeralContainers"].map((list) => ({
    list,
    all: (body: string) => (list === "containers" ? `object.spec.${list}.all(c, ${body})` : `!has(object.spec.${list}) || object.spec.${list}.all(c, ${body})`),
}));

/** What a context rule asks, as the API server answers a tenant: "may set securityContext.seccompProfile.type only to RuntimeDefault or Localhost". */
function ruleText(rule: ContextRule): string {
    const allowed = allowedText(rule);
    if (allowed !== "") return `may set ${contextField(rule)} only to ${allowed}`;
    return `may not set ${contextField(rule)}${rule.allowed.includes(false) ? " to true" : ""}`;
}

/** Host namespaces and paths, privilege, and capabilities with the exemption of Istio's init container. */
function hostAndCapabilityValidations(image: string): Validation[] {
    const istioInit = `c.name == '${ISTIO_INIT.name}' && c.image == '${image}' && !has(c.command) && has(c.args) && size(c.args) > 0 && c.args[0] == '${ISTIO_INIT.firstArg}'`;
    return [
        ...HOST_NAMESPACES.map(({ field, what }) => ({ expression: unset("object.spec", field), message: `pods of tenants may not share ${what} (${field})` })),
        { expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))", message: "pods of tenants may not mount hostPath volumes" },
        ...CONTAINER_LISTS.map(({ list, all }) => ({ expression: all(notPrivileged("c")), message: `${list} of tenant pods may not run privileged` })),
        ...CONTAINER_LISTS.map(({ list, all }) => ({
            expression: all(
                list === "initContainers"
                    ? `(${addedWithin("c", BASELINE_CAPABILITIES)}) || (${istioInit} && (${addedWithin("c", [...BASELINE_CAPABILITIES, ...ISTIO_INIT.capabilities])}))`
                    : addedWithin("c", BASELINE_CAPABILITIES),
            ),
            message: `${list} of tenant pods may add only the Pod Security baseline capabilities${list === "initContainers" ? ` (Istio's ${ISTIO_INIT.name}, as its injector writes it, also ${ISTIO_INIT.capabilities.join(" and ")})` : ""}`,
        })),
    ];
}

/** The rest of baseline: host ports, sysctls, the AppArmor annotations, and each restricted securityContext field on the pod and every container. */
function baselineFieldValidations(): Validation[] {
    const within = (value: string, rule: ContextRule) => `${value} in ${quoted(rule.allowed)}`;
    const podRules = BASELINE_CONTEXT_RULES.filter((rule) => rule.scope === "pod and containers");
    return [
        ...CONTAINER_LISTS.map(({ list, all }) => ({
            expression: all(
                unsetOr("c", ["ports"], (ports) => `${ports}.all(p, ${unsetOr("p", ["hostPort"], (port) => `${port} in ${quoted(BASELINE_HOST_PORTS)}`)})`),
            ),
            message: `${list} of tenant pods may not use host ports (ports[].hostPort)`,
        })),
        {
            expression: unsetOr("object.spec", ["securityContext", "sysctls"], (sysctls) => `${sysctls}.all(s, s.name in ${quoted(BASELINE_SYSCTLS)})`),
            message: `pods of tenants may set only the Pod Security baseline's safe sysctls (${[...BASELINE_SYSCTLS].join(", ")})`,
        },
        {
            expression: unsetOr("object", ["metadata", "annotations"], (annotations) => {
                const value = `${annotations}[k]`;
                return `${annotations}.all(k, !k.startsWith('${APPARMOR_ANNOTATION.keyPrefix}') || ${value} in ${quoted(APPARMOR_ANNOTATION.values)} || ${value}.startsWith('${APPARMOR_ANNOTATION.valuePrefix}'))`;
            }),
            message: `pods of tenants may set ${APPARMOR_ANNOTATION.keyPrefix}* annotations only to runtime/default or ${APPARMOR_ANNOTATION.valuePrefix}<profile>`,
        },
        ...podRules.map((rule) => ({
            expression: unsetOr("object.spec", ["securityContext", ...rule.path], (value) => within(value, rule)),
            message: `pods of tenants ${ruleText(rule)}`,
        })),
        ...BASELINE_CONTEXT_RULES.flatMap((rule) =>
            CONTAINER_LISTS.map(({ list, all }) => ({
                expression: all(unsetOr("c", ["securityContext", ...rule.path], (value) => within(value, rule))),
                message: `${list} of tenant pods ${ruleText(rule)}`,
            })),
        ),
    ];
}

/** The CEL validations, one per rule and container list. */
const validations = (image: string): Validation[] => [...hostAndCapabilityValidations(image), ...baselineFieldValidations()];

/** The policy and its binding to every profile namespace. */
export function podSecurityObjects(image: string): KubernetesObject[] {
    const pods = { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] };
    return tenantAdmissionPolicy(POD_SECURITY_POLICY, [pods], validations(image));
}
