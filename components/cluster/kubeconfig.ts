// A kubeconfig that authenticates through the cloud CLI's exec plugin: it
// holds no long-lived credential, but it names the cluster and its CA, so it
// is kept secret in state and outputs all the same.
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

export interface ExecKubeconfigArgs {
    readonly clusterName: pulumi.Input<string>;
    /** https URL of the API server. */
    readonly server: pulumi.Input<string>;
    /** Base64 PEM of the cluster CA; absent when the server's certificate is publicly trusted (GKE's DNS-based endpoint). */
    readonly certificateAuthority?: pulumi.Input<string>;
    readonly exec: { command: string; args: pulumi.Input<string>[]; provideClusterInfo?: boolean };
}

export function execKubeconfig(args: ExecKubeconfigArgs): pulumi.Output<string> {
    const document = pulumi
        .all([args.clusterName, args.server, args.certificateAuthority, pulumi.all(args.exec.args)])
        .apply(([name, server, certificateAuthority, execArgs]) =>
            stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name, cluster: { server, ...(certificateAuthority ? { "certificate-authority-data": certificateAuthority } : {}) } }],
                users: [
                    {
                        name,
                        user: {
                            exec: {
                                apiVersion: "client.authentication.k8s.io/v1beta1",
                                command: args.exec.command,
                                args: execArgs,
                                interactiveMode: "Never",
                                provideClusterInfo: args.exec.provideClusterInfo ?? false,
                            },
                        },
                    },
                ],
                contexts: [{ name, context: { cluster: name, user: name } }],
                "current-context": name,
            }),
        );
    return pulumi.secret(document);
}
