// A cluster kfstack does not own: on-prem, an air-gapped enclave, kind on a
// laptop. Nothing is created but the Kubernetes provider; the node pools the
// stack declares have been checked against the topology all the same, and what
// it declares the cluster provides is read from the cluster before the
// platform is applied (./existing-reads.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { homedir } from "node:os";
import type { ExistingClusterConfig } from "../config/existing-schema";
import { readDeclaredCapabilities } from "./existing-reads";
import { PlatformCluster, type PlatformClusterArgs } from "./platform-cluster";

export interface ExistingClusterArgs extends PlatformClusterArgs {
    /** Path of the kubeconfig file (~ is expanded), the context to use in it, and what the cluster provides. */
    readonly existing: ExistingClusterConfig;
}

export function expandHome(path: string): string {
    return path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
}

export class ExistingCluster extends PlatformCluster {
    /** The kubeconfig as the provider takes it: here, the path of the file. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly ready: readonly pulumi.Input<pulumi.Resource>[];

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:cluster:ExistingCluster", name, args, opts);
        this.kubeconfig = pulumi.secret(expandHome(args.existing.kubeconfig));
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, context: args.existing.context, enableServerSideApply: true },
            { parent: this },
        );
        this.ready = readDeclaredCapabilities(name, args.existing.provides, { parent: this, provider: this.provider });
        this.registerClusterOutputs({ kubeconfig: this.kubeconfig });
    }
}
