// The webhooks of a Mutating- or ValidatingWebhookConfiguration, read as the
// API server matches requests against them.
import { type CompiledSelector, compileLabelSelector, type LabelSelector } from "../../../core/label-selectors";
import { describeObject, type KubernetesObject } from "../../../core/objects";
import { asRecord, asStrings } from "../../../core/records";

export interface Rule {
    apiGroups: string[];
    apiVersions: string[];
    resources: string[];
    operations: string[];
    scope: string;
}

export interface Webhook {
    config: KubernetesObject;
    name: string;
    service: { namespace: string; name: string } | undefined;
    rules: Rule[];
    equivalent: boolean;
    namespaceSelector: CompiledSelector;
    objectSelector: CompiledSelector;
}

export function parseWebhooks(config: KubernetesObject): Webhook[] {
    const entries = Array.isArray(config["webhooks"]) ? config["webhooks"].map(asRecord) : [];
    // admissionregistration.k8s.io/v1 defaults matchPolicy to Equivalent; v1beta1 defaulted to Exact.
    const defaultPolicy = config.apiVersion === "admissionregistration.k8s.io/v1beta1" ? "Exact" : "Equivalent";
    return entries.map((entry) => {
        const name = String(entry["name"]);
        const where = `webhook ${name} of ${describeObject(config)}`;
        const service = asRecord(asRecord(entry["clientConfig"])["service"]);
        return {
            config,
            name,
            service:
                typeof service["name"] === "string" && typeof service["namespace"] === "string"
                    ? { namespace: service["namespace"], name: service["name"] }
                    : undefined,
            rules: (Array.isArray(entry["rules"]) ? entry["rules"] : []).map(asRecord).map((rule) => ({
                apiGroups: asStrings(rule["apiGroups"]),
                apiVersions: asStrings(rule["apiVersions"]),
                resources: asStrings(rule["resources"]),
                operations: asStrings(rule["operations"]),
                scope: typeof rule["scope"] === "string" ? rule["scope"] : "*",
            })),
            equivalent: (entry["matchPolicy"] ?? defaultPolicy) === "Equivalent",
            // matchConditions (CEL) can only narrow a match; they are not evaluated, so a dependency may be kept that is not needed.
            namespaceSelector: compileLabelSelector(entry["namespaceSelector"] as LabelSelector | undefined, `namespaceSelector of ${where}`),
            objectSelector: compileLabelSelector(entry["objectSelector"] as LabelSelector | undefined, `objectSelector of ${where}`),
        };
    });
}
