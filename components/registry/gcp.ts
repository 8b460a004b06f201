// The mirror in Artifact Registry: one Docker repository holds every image
// path, with immutable tags. Its address follows from the configuration, so the
// prefix is known before anything exists.
import type * as Gcp from "@pulumi/gcp";
import { gcp } from "../packages";
import type * as pulumi from "@pulumi/pulumi";
import type { GcpMirrorConfig } from "./config";

export interface ArtifactRegistryMirror {
    /** `<region>-docker.pkg.dev/<project>/<repositoryId>`. */
    registryPrefix: string;
    repository: Gcp.artifactregistry.Repository;
}

export function artifactRegistryPrefix(config: Pick<GcpMirrorConfig, "project" | "region" | "repositoryId">): string {
    return `${config.region}-docker.pkg.dev/${config.project}/${config.repositoryId}`;
}

export function createArtifactRegistryMirror(name: string, config: GcpMirrorConfig, parent: pulumi.Resource): ArtifactRegistryMirror {
    const repository = new gcp.artifactregistry.Repository(
        `${name}-${config.repositoryId}`,
        {
            project: config.project,
            location: config.region,
            repositoryId: config.repositoryId,
            format: "DOCKER",
            mode: "STANDARD_REPOSITORY",
            description: "kfstack image mirror: the images of an air-gapped Kubeflow install",
            dockerConfig: { immutableTags: true },
        },
        { parent },
    );
    return { registryPrefix: artifactRegistryPrefix(config), repository };
}
