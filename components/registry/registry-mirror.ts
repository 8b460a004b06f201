// The registry side of air-gapped installs: where the images of a Kubeflow
// release are pushed (npm run mirror) and pulled from. One component for the
// three places a mirror can live: ECR (commercial or GovCloud), Artifact
// Registry, or a registry that already exists (in-cluster, Harbor, any URL),
// for which nothing is created. Its registryPrefix is what the main stack sets
// as kfstack:airGap.registry.
import * as pulumi from "@pulumi/pulumi";
import { createEcrMirror } from "./aws";
import type { MirrorConfig } from "./config";
import { createArtifactRegistryMirror } from "./gcp";
import { repositoryPaths } from "./images";

/** The validated mirror configuration (components/registry/config.ts parses it from the stack). */
export type RegistryMirrorArgs = MirrorConfig;

export class RegistryMirror extends pulumi.ComponentResource {
    /** Every image is pushed to and pulled from `<registryPrefix>/<path>:<tag>`. */
    readonly registryPrefix: pulumi.Output<string>;
    /** The repository paths the mirror holds, sorted: the images' paths without registry, tag or digest. */
    readonly repositories: string[];

    constructor(name: string, args: RegistryMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:mirror:RegistryMirror", name, {}, opts);
        this.repositories = repositoryPaths(args.images);
        switch (args.cloud) {
            case "aws":
                this.registryPrefix = createEcrMirror(name, args, this.repositories, this).registryPrefix;
                break;
            case "gcp":
                this.registryPrefix = pulumi.output(createArtifactRegistryMirror(name, args, this).registryPrefix);
                break;
            case "existing":
                this.registryPrefix = pulumi.output(args.registry);
                break;
        }
        this.registerOutputs({ registryPrefix: this.registryPrefix, repositories: this.repositories });
    }
}
