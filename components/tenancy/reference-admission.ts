// What tenant objects may make a platform controller or the network reach (issue 13): ValidatingAdmissionPolicies
// on every profile namespace, written from core/tenant-references.ts. Experiments read their trial template only
// from their own namespace or Katib's shared templates; Services take no external IPs or load balancer address,
// and are ExternalName only when KServe or Knative write them. A VAP runs before any validating webhook (the API
// server's plugin order: ValidatingAdmissionPolicy, then ValidatingAdmissionWebhook), so Katib's webhook, whose
// error would quote the ConfigMap, never sees a refused Experiment.
import type { KubernetesObject } from "../../core/objects";
import { type ConfigMapReference, EXTERNAL_NAME_WRITERS, SERVICE_REACH, type ServiceReach } from "../../core/tenant-references";
import { type Validation, literal, quoted, tenantAdmissionPolicy, unsetOr } from "./admission";

/** One policy per kind, so each validation is type-checked against the kind it reads. */
export const TRIAL_TEMPLATES_POLICY = "kfstack-tenant-trial-templates";
export const SERVICES_POLICY = "kfstack-tenant-services";

const SOURCE = "object.spec.trialTemplate.configMap";

/** The template's namespace is the request's, or the template is one of the shared ones. */
function trialTemplateValidation(shared: readonly ConfigMapReference[]): Validation {
    const own = `has(${SOURCE}.configMapNamespace) && ${SOURCE}.configMapNamespace == request.namespace`;
    const sharedOnes = shared.map(
        ({ namespace, name }) =>
            `has(${SOURCE}.configMapNamespace) && ${SOURCE}.configMapNamespace == ${literal(namespace)} && has(${SOURCE}.configMapName) && ${SOURCE}.configMapName == ${literal(name)}`,
    );
    const allowed = shared.map(({ namespace, name }) => `${namespace}/${name}`);
    return {
        expression: unsetOr("object", ["spec", "trialTemplate", "configMap"], () => [own, ...sharedOnes].map((test) => `(${test})`).join(" || ")),
        message: `Experiments of tenants may read spec.trialTemplate.configMap only from their own namespace${allowed.length ? ` or Katib's shared templates (${allowed.join(", ")})` : ""}: Katib's controller reads ConfigMaps of every namespace and its webhook quotes them back`,
    };
}

const writers = quoted(EXTERNAL_NAME_WRITERS.map(({ namespace, serviceAccount }) => `system:serviceaccount:${namespace}:${serviceAccount}`));

function serviceValidation(reach: ServiceReach): Validation {
    const field = `object.spec.${reach.field}`;
    const expression =
        reach.field === "type"
            ? `${unsetOr("object", ["spec", "type"], (type) => `${type} != 'ExternalName'`)} || request.userInfo.username in ${writers}`
            : reach.field === "externalIPs"
              ? `!has(${field}) || size(${field}) == 0`
              : `!has(${field}) || ${field} == ''`;
    const who = reach.field === "type" ? " (KServe's and Knative's controllers may)" : "";
    return { expression, message: `Services of tenants may not set ${reach.what}${who}: ${reach.why}` };
}

/** The two policies and their bindings to every profile namespace. */
export function referenceObjects(sharedTemplates: readonly ConfigMapReference[]): KubernetesObject[] {
    const operations = ["CREATE", "UPDATE"];
    return [
        ...tenantAdmissionPolicy(
            TRIAL_TEMPLATES_POLICY,
            [{ apiGroups: ["kubeflow.org"], apiVersions: ["*"], operations, resources: ["experiments"] }],
            [trialTemplateValidation(sharedTemplates)],
        ),
        ...tenantAdmissionPolicy(
            SERVICES_POLICY,
            [{ apiGroups: [""], apiVersions: ["v1"], operations, resources: ["services"] }],
            SERVICE_REACH.map(serviceValidation),
        ),
    ];
}
