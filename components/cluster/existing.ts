// A cluster kfstack does not own: on-prem, an air-gapped enclave, kind on a
// laptop. Nothing is created but the Kubernetes provider; the node pools the
// stack declares have been checked against the topology all the same.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { homedir } from "node:os";
import type { ExistingStackConfig } from "../config/schema";
import { PlatformCluster, type PlatformClusterArgs } from "./platform-cluster";

export interface ExistingClusterArgs extends PlatformClusterArgs {
    /** Path of the kubeconfig file (~ is expanded) and the context to use in it. */
    readonly kubeconfig: ExistingStackConfig["existing"];
}

export function expandHome(path: string): string {
    return path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
}

export class ExistingCluster extends PlatformCluster {
    /** The kubeconfig as the provider takes it: here, the path of the file. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:ExistingCluster", name, args, opts);
        this.kubeconfig = pulumi.secret(expandHome(args.kubeconfig.kubeconfig));
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, context: args.kubeconfig.context, enableServerSideApply: true },
            { parent: this },
        );
        this.registerOutputs({ kubeconfig: this.kubeconfig, nodePools: this.nodePools });
    }
}
