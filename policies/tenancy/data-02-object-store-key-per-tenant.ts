// DATA-02: no object-store credential is held in two tenant namespaces, whether two Secrets hold the same key or the
// Pipelines profile controller copies one Secret into every Profile namespace (core/object-store-credentials.ts).
import { UnknownValueError } from "@pulumi/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { sharedCredentials, tenantCredentials } from "../../core/object-store-credentials";
import type { KubernetesObject as CoreObject } from "../../core/objects";
import { isRecord } from "../../core/records";
import { stackPolicy } from "../lib/policy";
import { type KubernetesObject, coreObject, kubernetesObjects, tenantsOf } from "../lib/tenants";

/** A Secret's values as far as the preview knows them, null where it cannot (a generated key): the same as no other. `pulumi up` checks again with the values it creates. */
function knownValues(values: unknown): Record<string, string | null> {
    if (!isRecord(values)) return {};
    return Object.fromEntries(
        Object.keys(values).map((key) => {
            try {
                const value = values[key];
                return [key, typeof value === "string" ? value : null];
            } catch (error) {
                if (error instanceof UnknownValueError) return [key, null];
                throw error;
            }
        }),
    );
}

function secretObject(secret: KubernetesObject): CoreObject {
    const data = Object.fromEntries(
        Object.entries(knownValues(secret.props["data"])).map(([key, value]) => [key, value === null ? null : Buffer.from(value, "base64").toString("utf8")]),
    );
    return { ...coreObject(secret, []), stringData: { ...data, ...knownValues(secret.props["stringData"]) } };
}

export const objectStoreKeyPerTenant = stackPolicy({
    id: "DATA-02",
    slug: "object-store-key-per-tenant",
    description:
        "No object-store credential is held in two tenant namespaces: no two Secrets of different tenant namespaces hold the same access key (accesskey, or AWS_ACCESS_KEY_ID), and the Pipelines profile controller does not copy one Secret (the one its MINIO_ACCESS_KEY names) into every Profile namespace.",
    reason: "Kubeflow Pipelines keeps every tenant's artifacts in one bucket: a key two tenants hold lets each read, overwrite (poison a model) or delete the other's artifacts.",
    remediation:
        "Give each tenant its own key, confined to its prefixes artifacts/<namespace>/ and v2/artifacts/<namespace>/ (kfstack's MinIO tenant users, components/object-store), and keep the root key out of the Pipelines profile controller's environment (components/kubeflow/object-store.ts).",
    validateStack: (args, reportViolation) => {
        const tenants = tenantsOf(args.resources).map((tenant) => tenant.namespace);
        if (tenants.length < 2) return;
        const secrets = kubernetesObjects(args.resources, ["Secret"]).filter((secret) => secret.group === "" && tenants.includes(secret.namespace ?? ""));
        const controllers = kubernetesObjects(args.resources, ["Deployment"]).filter(
            (deployment) => deployment.namespace === "kubeflow" && deployment.name === "kubeflow-pipelines-profile-controller",
        );
        const objects = [...secrets.map(secretObject), ...controllers.map((controller) => coreObject(controller, ["spec"]))];
        for (const group of sharedCredentials(tenantCredentials(objects, tenants))) {
            const holders = group.map((credential) => `Secret "${credential.namespace}/${credential.secret}"`).join(", ");
            const copied = group[0]!.source !== "planned in the namespace";
            const at = copied ? controllers[0] : secrets.find((secret) => secret.namespace === group[0]!.namespace && secret.name === group[0]!.secret);
            reportViolation(
                `${holders} hold the same object-store key (${copied ? group[0]!.source : "the same access key"}), so each of these tenants reaches the others' artifacts; give each tenant its own key confined to its artifact prefixes${copied ? `, and take the key out of ${describeResource("Deployment", controllers[0]!.props, controllers[0]!.resource.name)}'s environment` : ""}.`,
                at?.resource.urn,
            );
        }
    },
});
