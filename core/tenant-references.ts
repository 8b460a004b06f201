// What a tenant's object may point a platform controller or the network at, in one place: the tenant namespaces'
// ValidatingAdmissionPolicy (components/tenancy/reference-admission.ts) is written from these rules, and TEN-02
// holds planned objects to them.
//
// Katib (v0.16.0) reads an Experiment's trial template from spec.trialTemplate.configMap in any namespace with its
// controller's cluster-wide ConfigMap read (manifest/generator.go GetTrialTemplate, lines 199-211), and when the
// templatePath is missing its error quotes the whole ConfigMap, which the validating webhook hands back to the
// caller (webhook/v1beta1/experiment/validation_webhook.go line 95). Every other object Katib makes for an
// Experiment, Trial or Suggestion lands in the object's own namespace (generator.go line 94, suggestion/composer),
// and a Trial's runSpec in another namespace fails controller-runtime's SetControllerReference.
import type { KubernetesObject } from "./objects";
import { isRecord, recordAt } from "./records";

/** Katib's namespace, whose trial-template ConfigMaps the Katib UI offers every user (katib v0.16.0 pkg/ui/v1beta1/util.go, lines 103-105). */
export const KATIB_NAMESPACE = "kubeflow";
/** The label the Katib UI finds trial templates by, and that the shipped kubeflow/trial-templates carries. */
export const TRIAL_TEMPLATES_LABEL = { key: "katib.kubeflow.org/component", value: "trial-templates" } as const;

export interface ConfigMapReference {
    namespace: string;
    name: string;
}

/** The shared trial templates among `objects`: ConfigMaps in Katib's namespace with the trial-templates label. */
export function sharedTrialTemplates(objects: readonly KubernetesObject[]): ConfigMapReference[] {
    return objects
        .filter(
            (object) =>
                object.kind === "ConfigMap" &&
                object.metadata.namespace === KATIB_NAMESPACE &&
                object.metadata.labels?.[TRIAL_TEMPLATES_LABEL.key] === TRIAL_TEMPLATES_LABEL.value,
        )
        .map((object) => ({ namespace: KATIB_NAMESPACE, name: object.metadata.name }));
}

/**
 * The ConfigMap an Experiment in `namespace` reads its trial template from when that is neither in its own namespace
 * nor one of the shared templates; undefined when it reads nothing of another namespace. A configMap without a
 * namespace is refused too: Katib's own webhook requires one (validator.go lines 287-293).
 */
export function foreignTrialTemplate(spec: unknown, namespace: string, shared: readonly ConfigMapReference[]): ConfigMapReference | undefined {
    const template = recordAt(spec, "trialTemplate");
    if (!isRecord(template["configMap"])) return undefined;
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    const reference = { namespace: text(template["configMap"]["configMapNamespace"]), name: text(template["configMap"]["configMapName"]) };
    if (reference.namespace === namespace && namespace !== "") return undefined;
    return shared.some((candidate) => candidate.namespace === reference.namespace && candidate.name === reference.name) ? undefined : reference;
}

/** The Service fields through which a tenant sends other people's traffic where it chooses. */
export const SERVICE_REACH = [
    {
        field: "externalIPs",
        what: "spec.externalIPs",
        why: "kube-proxy on every node captures traffic to those addresses (CVE-2020-8554)",
    },
    {
        field: "loadBalancerIP",
        what: "spec.loadBalancerIP",
        why: "it claims a load balancer address another service may hold or be reserved for",
    },
    {
        field: "type",
        what: "spec.type ExternalName",
        why: "a route of the shared ingress gateway to it (a Notebook's, whose controller keeps the Service it finds) makes the gateway fetch any host the tenant names, past the tenant's egress policy",
    },
] as const;

export type ServiceReach = (typeof SERVICE_REACH)[number];

/**
 * The platform controllers that write ExternalName Services in tenant namespaces: KServe's (an InferenceService's
 * external Service, pointing at knative-local-gateway) and Knative Serving's (a Route's placeholder Service).
 */
export const EXTERNAL_NAME_WRITERS: readonly { namespace: string; serviceAccount: string }[] = [
    { namespace: "kubeflow", serviceAccount: "kserve-controller-manager" },
    { namespace: "knative-serving", serviceAccount: "controller" },
];

/** The reaching fields a Service's spec sets. */
export function serviceReach(spec: unknown): ServiceReach[] {
    const fields = isRecord(spec) ? spec : {};
    return SERVICE_REACH.filter(({ field }) => {
        const value = fields[field];
        if (field === "type") return value === "ExternalName";
        return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== "";
    });
}
