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
    /** The object's status as the provider reads it back (a Service's load balancer, say); unknown in a preview. */
    declare readonly status: pulumi.Output<unknown>;

    constructor(object: KubernetesObject, opts?: pulumi.CustomResourceOptions) {
        // status is listed (and left out of the inputs, being undefined) so the SDK gives it an output, as the typed classes do.
        super(
            kubernetesTypeToken(object.apiVersion, object.kind),
            resourceName(object),
            { status: undefined, ...object },
            {
                ...opts,
                // As @pulumi/kubernetes does for Secrets: their data never shows in state or output unencrypted.
                additionalSecretOutputs: object.kind === "Secret" && object.apiVersion === "v1" ? ["data", "stringData"] : undefined,
            },
        );
    }
}
