// Which object-store credential each tenant namespace receives, and what it
// reaches: the Secrets planned in the namespace, and the copy the Pipelines
// profile controller hands every Profile namespace when it still reads the root
// key (Pipelines 2.0.5's sync.py returns Secret mlpipeline-minio-artifact with
// the MINIO_ACCESS_KEY / MINIO_SECRET_KEY of its environment). A key's reach is
// its MinIO policy, evaluated against another tenant's prefixes; a key with no
// policy (the root key) reaches the whole bucket. The tenancy audit and DATA-02
// both read credentials through this model.
import { PIPELINES_BUCKET, tenantArtifactPrefixes } from "./artifact-prefixes";
import type { KubernetesObject } from "./objects";
import { type EnvVar, podTemplates } from "./pod-templates";
import { asRecord } from "./records";
import { PREFIX_REQUESTS, type IamPolicyDocument, allowedUnder, parseIamPolicy } from "./iam-policy";

/** On a tenant's key Secret: the MinIO policy its user holds, a key of the policies ConfigMap without ".json". */
export const MINIO_POLICY_ANNOTATION = "kfstack.io/minio-policy";
/** The ConfigMap in kubeflow that holds each tenant's MinIO policy document as `<policy>.json`. */
export const MINIO_POLICIES_CONFIG_MAP = "kfstack-minio-tenant-policies";

const PROFILE_CONTROLLER = { namespace: "kubeflow", name: "kubeflow-pipelines-profile-controller" };
/** The key Secret Pipelines 2.0.5 reads everywhere: MinIO's root key in kubeflow, a tenant's key in its namespace. */
const KEY_SECRET = "mlpipeline-minio-artifact";
/** Secret keys that make a Secret an object-store credential: the Pipelines/Argo pair, or the AWS SDK's. */
const KEY_PAIRS = [
    ["accesskey", "secretkey"],
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
];

export interface TenantCredential {
    /** The tenant namespace that holds it. */
    namespace: string;
    /** The Secret in that namespace. */
    secret: string;
    /** How it gets there. */
    source: string;
    /** What makes two credentials one: the Secret it is copied from, or its known access key; undefined when the plan cannot know it. */
    identity?: string;
    /** What it may do; undefined for a key no policy confines (the root key). */
    policy?: IamPolicyDocument;
    /** Where the policy comes from, or why there is none. */
    policyFrom: string;
}

/** The Secret the Pipelines profile controller copies into every Profile namespace, when its environment holds that key. */
function copiedSecret(objects: readonly KubernetesObject[]): string | undefined {
    const controller = objects.find(
        (object) =>
            object.kind === "Deployment" && object.metadata.namespace === PROFILE_CONTROLLER.namespace && object.metadata.name === PROFILE_CONTROLLER.name,
    );
    const env = (controller ? podTemplates(controller) : []).flatMap((template) =>
        template.spec.containers.flatMap((container) => (container["env"] ?? []) as EnvVar[]),
    );
    return env.find((variable) => variable.name === "MINIO_ACCESS_KEY")?.valueFrom?.secretKeyRef?.name;
}

function secretData(secret: KubernetesObject): Record<string, unknown> {
    return { ...asRecord(secret["data"]), ...asRecord(secret["stringData"]) };
}

/** The access key of a credential Secret when the plan knows it (a string); a value a preview cannot know is none. */
function knownAccessKey(secret: KubernetesObject): string | undefined {
    const data = secretData(secret);
    const pair = KEY_PAIRS.find(([access, key]) => access! in data && key! in data);
    const value = pair ? data[pair[0]!] : undefined;
    return typeof value === "string" && value !== "" ? value : undefined;
}

const isCredential = (secret: KubernetesObject) => KEY_PAIRS.some(([access, key]) => access! in secretData(secret) && key! in secretData(secret));

function policyOf(secret: KubernetesObject, objects: readonly KubernetesObject[]): Pick<TenantCredential, "policy" | "policyFrom"> {
    const name = secret.metadata.annotations?.[MINIO_POLICY_ANNOTATION];
    if (!name) return { policyFrom: "no MinIO policy confines it" };
    const policies = objects.find(
        (object) => object.kind === "ConfigMap" && object.metadata.namespace === "kubeflow" && object.metadata.name === MINIO_POLICIES_CONFIG_MAP,
    );
    const text = asRecord(policies?.["data"])[`${name}.json`];
    const policy = typeof text === "string" ? parseIamPolicy(text) : undefined;
    return policy
        ? { policy, policyFrom: `MinIO policy ${name} (ConfigMap kubeflow/${MINIO_POLICIES_CONFIG_MAP})` }
        : { policyFrom: `its MinIO policy ${name} is not in ConfigMap kubeflow/${MINIO_POLICIES_CONFIG_MAP}, so nothing confines it` };
}

/** Every object-store credential each tenant namespace receives: planned Secrets, and the profile controller's copies. */
export function tenantCredentials(objects: readonly KubernetesObject[], tenants: readonly string[]): TenantCredential[] {
    const planned = objects
        .filter((object) => object.kind === "Secret" && tenants.includes(object.metadata.namespace ?? "") && isCredential(object))
        .map((secret): TenantCredential => {
            const accessKey = knownAccessKey(secret);
            return {
                namespace: secret.metadata.namespace!,
                secret: secret.metadata.name,
                source: "planned in the namespace",
                ...(accessKey !== undefined ? { identity: `access key ${accessKey}` } : {}),
                ...policyOf(secret, objects),
            };
        });
    const copied = copiedSecret(objects);
    if (!copied) return planned;
    const copies = tenants.map((namespace): TenantCredential => ({
        namespace,
        secret: KEY_SECRET,
        source: `copied from Secret ${PROFILE_CONTROLLER.namespace}/${copied} by Deployment ${PROFILE_CONTROLLER.namespace}/${PROFILE_CONTROLLER.name} (env MINIO_ACCESS_KEY) into every Profile namespace`,
        identity: `Secret ${PROFILE_CONTROLLER.namespace}/${copied}`,
        policyFrom: "the root key: no MinIO policy confines it",
    }));
    // The controller's copy replaces a planned Secret of the same name.
    return [...planned.filter((credential) => !copies.some((copy) => copy.namespace === credential.namespace && copy.secret === credential.secret)), ...copies];
}

/** What a credential lets its holder do under each of `tenant`'s prefixes: `s3:GetObject on artifacts/b/`, …; empty when nothing. */
export function reachInto(credential: TenantCredential, tenant: string): string[] {
    return tenantArtifactPrefixes(tenant).flatMap((prefix) => {
        const actions = credential.policy ? allowedUnder(credential.policy, PIPELINES_BUCKET, prefix, "any-object") : [...PREFIX_REQUESTS];
        return actions.length ? [`${actions.join(", ")} on ${PIPELINES_BUCKET}/${prefix}`] : [];
    });
}

/** Credentials that are one and the same key in two or more tenant namespaces, grouped. */
export function sharedCredentials(credentials: readonly TenantCredential[]): TenantCredential[][] {
    const byIdentity = new Map<string, TenantCredential[]>();
    for (const credential of credentials) {
        if (credential.identity === undefined) continue;
        byIdentity.set(credential.identity, [...(byIdentity.get(credential.identity) ?? []), credential]);
    }
    return [...byIdentity.values()].filter((group) => new Set(group.map((credential) => credential.namespace)).size > 1);
}
