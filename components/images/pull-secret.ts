// A mirror that asks for credentials, on an existing cluster (EKS and GKE nodes
// pull from ECR and Artifact Registry with their own identity: kubelet's ECR
// credential provider with the node role, the node's service account): one
// kubernetes.io/dockerconfigjson Secret in every namespace kfstack creates and
// in every tenant's, named by every pod template and ServiceAccount kfstack
// installs, so both its own pods and those controllers create at run time
// (as a tenant's default-editor, default-viewer or default) pull.
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../../core/objects";
import { parseRegistryPrefix } from "../../core/image-references";
import { podTemplates } from "../../core/pod-templates";
import type { Mirror } from "./rewrite";

/** The Secret's name in every namespace. */
export const PULL_SECRET = "kfstack-mirror-pull";

/** The ServiceAccounts of a tenant namespace that pods created at run time use: notebooks and pipeline steps, viewers, and the rest (KServe, Katib trials). */
export const TENANT_PULL_ACCOUNTS = ["default-editor", "default-viewer", "default"] as const;

/** A mirror that asks for credentials: its prefix and them. */
export type PullMirror = Pick<Mirror, "prefix"> & { readonly pullCredentials: NonNullable<Mirror["pullCredentials"]> };

/** Whether pods need the Secret to pull from the mirror. */
export const needsPullSecret = (mirror: Mirror | undefined): mirror is Mirror & PullMirror => mirror?.pullCredentials !== undefined;

/** The Secret in `namespace`: a Docker config with the credentials for the mirror's host, a Pulumi secret. */
export function pullSecretObject(namespace: string, mirror: PullMirror): KubernetesObject {
    const prefix = parseRegistryPrefix(mirror.prefix);
    // The schema accepts only registry prefixes, so this is a programming error, not a user's.
    if (!prefix) throw new Error(`"${mirror.prefix}" is not a registry prefix`);
    const credentials = mirror.pullCredentials;
    const host = prefix.port ? `${prefix.host}:${prefix.port}` : prefix.host;
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: PULL_SECRET, namespace },
        type: "kubernetes.io/dockerconfigjson",
        stringData: { ".dockerconfigjson": pulumi.secret(JSON.stringify({ auths: { [host]: { username: credentials.username, auth } } })) },
    };
}

/** Adds the Secret to a pod spec's or ServiceAccount's imagePullSecrets, once. */
function namePullSecret(holder: Record<string, unknown>): void {
    const named = Array.isArray(holder["imagePullSecrets"]) ? (holder["imagePullSecrets"] as { name?: string }[]) : [];
    if (!named.some((secret) => secret.name === PULL_SECRET)) holder["imagePullSecrets"] = [...named, { name: PULL_SECRET }];
}

/**
 * The entries with the Secret named by every pod template and ServiceAccount (changed in place: a layer's entries are its
 * own copies) and created in every Namespace they create, in the Namespace's group. Unchanged for a mirror without credentials.
 */
export function entriesWithPullSecret<E extends { readonly object: KubernetesObject; readonly group: string }>(
    entries: readonly E[],
    mirror: Mirror | undefined,
): (E | { object: KubernetesObject; group: string })[] {
    if (!needsPullSecret(mirror)) return [...entries];
    const secrets = entries
        .filter((entry) => entry.object.kind === "Namespace")
        .map((entry) => ({ object: pullSecretObject(entry.object.metadata.name, mirror), group: entry.group }));
    for (const { object } of entries) {
        if (object.kind === "ServiceAccount") namePullSecret(object);
        else for (const template of podTemplates(object)) namePullSecret(template.spec);
    }
    return [...entries, ...secrets];
}

/** What a tenant namespace needs to pull from the mirror: the Secret, and the ServiceAccounts run-time pods use, naming it. */
export function tenantPullObjects(namespace: string, mirror: PullMirror): KubernetesObject[] {
    // The profile controller creates default-editor and default-viewer only when missing and Kubernetes default likewise;
    // neither updates an existing one (kubeflow v1.8.0 profile_controller.go updateServiceAccount), so these survive.
    const accounts = TENANT_PULL_ACCOUNTS.map((name) => ({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name, namespace },
        imagePullSecrets: [{ name: PULL_SECRET }],
    }));
    return [pullSecretObject(namespace, mirror), ...accounts];
}
