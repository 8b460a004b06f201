// One Kubernetes object as its own Pulumi resource, for any kind: built-in or
// custom. It registers under the same type token as the typed classes of
// @pulumi/kubernetes (kubernetes:<group>/<version>:<Kind>, core/v1 for the core
// group), so the provider, the policy pack and transformations all see it as
// that kind.
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../../core/objects";

export function kubernetesTypeToken(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** The Pulumi name of an object: `namespace/name`, or `name` when cluster-scoped (as @pulumi/kubernetes names them). */
export function resourceName(object: KubernetesObject): string {
    return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

export class KubernetesObjectResource extends pulumi.CustomResource {
    /** A Service's status as the provider reads it back (its load balancer); unknown in a preview, and undefined for other kinds. */
    declare readonly status: pulumi.Output<unknown> | undefined;

    constructor(object: KubernetesObject, opts?: pulumi.CustomResourceOptions) {
        // A Service's status is listed (and left out of the inputs, being undefined) so the SDK gives it an output, as the typed
        // classes do; only Services', since each output costs every one of the plan's objects time, and only the gateway's is read.
        super(
            kubernetesTypeToken(object.apiVersion, object.kind),
            resourceName(object),
            object.kind === "Service" ? { status: undefined, ...object } : object,
            {
                ...opts,
                // As @pulumi/kubernetes does for Secrets: their data never shows in state or output unencrypted.
                additionalSecretOutputs: object.kind === "Secret" && object.apiVersion === "v1" ? ["data", "stringData"] : undefined,
            },
        );
    }
}
