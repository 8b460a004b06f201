// Pod security in every tenant namespace: a ValidatingAdmissionPolicy that
// enforces core/pod-security.ts's baseline rules on pods, bound to the
// namespaces the Kubeflow profile controller labels as profiles. Pod Security
// Admission's baseline label cannot be used: it rejects the NET_ADMIN and
// NET_RAW of Istio's init container, which Kubeflow 1.8.1 injects into every
// tenant pod (no Istio CNI plugin). The exemption is the injector's exact
// container: the mesh's proxy image as its ConfigMap composes it, no command,
// istio-iptables first, and nothing else beyond baseline.
import type { KubernetesObject } from "../../core/objects";
import { objectKey } from "../../core/objects";
import { BASELINE_CAPABILITIES, HOST_NAMESPACES, ISTIO_INIT } from "../../core/pod-security";
import { isRecord } from "../../core/records";
import { CustomizeError } from "../manifests/customize";

import { PROFILE_NAMESPACE_LABELS } from "./profile-controller";

export const POD_SECURITY_POLICY = "kfstack-tenant-pod-security";
/** The label the profile controller puts on every profile's namespace (namespace-labels.yaml of Kubeflow 1.8.1's profiles config). */
const PROFILE_LABEL = "app.kubernetes.io/part-of";

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

const quoted = (values: Iterable<string>) => `[${[...values].map((value) => `'${value}'`).join(", ")}]`;
const unset = (path: string, field: string) => `!has(${path}.${field}) || !${path}.${field}`;
const addedWithin = (c: string, allowed: Iterable<string>) =>
    `!has(${c}.securityContext) || !has(${c}.securityContext.capabilities) || !has(${c}.securityContext.capabilities.add) || ${c}.securityContext.capabilities.add.all(cap, cap in ${quoted(allowed)})`;
const notPrivileged = (c: string) => `!has(${c}.securityContext) || ${unset(`${c}.securityContext`, "privileged")}`;

/** The CEL validations, one per rule, over each container list (CEL cannot join lists of Container and EphemeralContainer). */
function validations(image: string): { expression: string; message: string }[] {
    const lists = ["containers", "initContainers", "ephemeralContainers"].map((list) => ({
        list,
        all: (body: string) =>
            list === "containers" ? `object.spec.${list}.all(c, ${body})` : `!has(object.spec.${list}) || object.spec.${list}.all(c, ${body})`,
    }));
    const istioInit = `c.name == '${ISTIO_INIT.name}' && c.image == '${image}' && !has(c.command) && has(c.args) && size(c.args) > 0 && c.args[0] == '${ISTIO_INIT.firstArg}'`;
    return [
        ...HOST_NAMESPACES.map(({ field, what }) => ({ expression: unset("object.spec", field), message: `pods of tenants may not share ${what} (${field})` })),
        { expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))", message: "pods of tenants may not mount hostPath volumes" },
        ...lists.map(({ list, all }) => ({ expression: all(notPrivileged("c")), message: `${list} of tenant pods may not run privileged` })),
        ...lists.map(({ list, all }) => ({
            expression: all(
                list === "initContainers"
                    ? `(${addedWithin("c", BASELINE_CAPABILITIES)}) || (${istioInit} && (${addedWithin("c", [...BASELINE_CAPABILITIES, ...ISTIO_INIT.capabilities])}))`
                    : addedWithin("c", BASELINE_CAPABILITIES),
            ),
            message: `${list} of tenant pods may add only the Pod Security baseline capabilities${list === "initContainers" ? ` (Istio's ${ISTIO_INIT.name}, as its injector writes it, also ${ISTIO_INIT.capabilities.join(" and ")})` : ""}`,
        })),
    ];
}

/** The policy and its binding to every profile namespace: Deny, and Fail if the API server cannot evaluate it. */
export function podSecurityObjects(image: string): KubernetesObject[] {
    const apiVersion = "admissionregistration.k8s.io/v1";
    return [
        {
            apiVersion,
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: POD_SECURITY_POLICY },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [
                        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] },
                    ],
                },
                validations: validations(image),
            },
        },
        {
            apiVersion,
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name: POD_SECURITY_POLICY },
            spec: {
                policyName: POD_SECURITY_POLICY,
                validationActions: ["Deny"],
                // By label, so a namespace the profile controller makes later (a Profile created through KFAM) is covered too.
                matchResources: { namespaceSelector: { matchLabels: { [PROFILE_LABEL]: PROFILE_NAMESPACE_LABELS[PROFILE_LABEL]! } } },
            },
        },
    ];
}
