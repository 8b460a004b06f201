// GPU-04: the NVIDIA driver of every GPU pool is pinned and new enough for
// the CUDA version the platform targets.
import type { ClusterFacts, NodePoolFacts } from "../../core/facts";
import { CUDA_MINIMUM_DRIVER, compareDriverVersions } from "../../core/gpu";
import { stackPolicy } from "../lib/policy";
import { eksNodeGroupGpus, gkeAccelerators, gkeNodeConfig } from "./gpu-nodes";
import { EKS_NODE_GROUP, GKE_NODE_POOL, describeCloudResource, isSet, quoted } from "./resources";
import { clusterFactsOf } from "../lib/facts";
import { listOf } from "../../core/text";
import { recordAt } from "../../core/records";

const DRIVER_VERSION = /^[0-9]+(\.[0-9]+){1,2}$/;
/** The GKE driver installations that install a driver chosen by the node's GKE version: DEFAULT or LATEST. */
const GKE_PINNED_INSTALLATIONS = ["DEFAULT", "LATEST"];

type Report = (message: string) => void;

/** The driver the stack declares for a GPU pool (kfstack:cluster.gpuPool), as the cluster facts record it. */
function checkDeclaredDriver(cloud: ClusterFacts["cloud"], pool: NodePoolFacts, report: Report): void {
    const gpu = pool.gpu!;
    const what = `GPU pool "${pool.name}"`;
    const minimum = CUDA_MINIMUM_DRIVER[gpu.cudaVersion];
    if (!minimum) {
        report(
            `${what} targets CUDA ${gpu.cudaVersion}, which is not in the driver table; set kfstack:cluster.gpuPool.cudaVersion to one of ${listOf(Object.keys(CUDA_MINIMUM_DRIVER), "or")}.`,
        );
    }
    if (typeof gpu.driverVersion !== "string" || !DRIVER_VERSION.test(gpu.driverVersion)) {
        report(
            `${what} pins no NVIDIA driver version (driver version is ${quoted(gpu.driverVersion)}); set kfstack:cluster.gpuPool.driver.version to the driver its nodes run, e.g. "535.230.02".`,
        );
    } else if (minimum && compareDriverVersions(gpu.driverVersion, minimum) < 0) {
        report(
            `${what} runs NVIDIA driver ${gpu.driverVersion}, too old for CUDA ${gpu.cudaVersion}, which needs >= ${minimum}; pin a newer driver (kfstack:cluster.gpuPool.driver) or target an older CUDA version.`,
        );
    }
    if (cloud === "aws" && !gpu.amiReleaseVersion) {
        report(
            `${what} pins no EKS AMI release, so the driver changes with every new AMI; set kfstack:cluster.gpuPool.driver.amiReleaseVersion to the NVIDIA AMI release that ships driver ${gpu.driverVersion}.`,
        );
    }
    if (cloud === "gcp" && !GKE_PINNED_INSTALLATIONS.includes(gpu.gkeInstallation ?? "")) {
        report(
            `${what} has no GKE driver installation (gkeInstallation is ${quoted(gpu.gkeInstallation)}); set kfstack:cluster.gpuPool.driver.gkeInstallation to "DEFAULT" or "LATEST".`,
        );
    }
}

export const gpuDriver = stackPolicy({
    id: "GPU-04",
    slug: "gpu-driver",
    description:
        "Every GPU pool pins its NVIDIA driver at a version the configured CUDA release supports (CUDA 12.2 needs >= 535.54.03); EKS GPU node groups pin their AMI release (releaseVersion), GKE GPU node pools let GKE install the driver (gpuDriverInstallationConfig.gpuDriverVersion DEFAULT or LATEST).",
    reason: 'A driver older than the CUDA runtime in the training images fails every GPU job at start ("CUDA driver version is insufficient"); an unpinned AMI or driver installation changes the driver under running jobs whenever nodes are replaced.',
    remediation:
        "Set kfstack:cluster.gpuPool.cudaVersion and driver.version (>= the CUDA minimum), and on AWS driver.amiReleaseVersion (the EKS NVIDIA AMI release that ships it), on GCP driver.gkeInstallation; kfstack passes them to releaseVersion and gpuDriverInstallationConfig.",
    validateStack: (args, reportViolation) => {
        const declared = clusterFactsOf(args);
        for (const pool of declared?.facts.nodePools ?? []) {
            if (pool.gpu) checkDeclaredDriver(declared!.facts.cloud, pool, (message) => reportViolation(message, declared!.urn));
        }
        for (const resource of args.resources) {
            const what = describeCloudResource(resource.type, resource.name);
            if (resource.type === EKS_NODE_GROUP) {
                const gpus = eksNodeGroupGpus(resource.props);
                // The AMI release is often computed from an SSM parameter, unknown during preview: check it is set.
                if (gpus && !isSet(resource.props, "releaseVersion")) {
                    reportViolation(
                        `${what} runs GPUs (${gpus.evidence}) on an unpinned AMI release, so every node replacement can bring another NVIDIA driver; set releaseVersion to the AMI release that ships the pinned driver.`,
                        resource.urn,
                    );
                }
            } else if (resource.type === GKE_NODE_POOL) {
                for (const accelerator of gkeAccelerators(gkeNodeConfig(resource.props))) {
                    const installation = recordAt(accelerator.entry, "gpuDriverInstallationConfig")["gpuDriverVersion"];
                    if (typeof installation === "string" && GKE_PINNED_INSTALLATIONS.includes(installation)) continue;
                    const now = accelerator.entry
                        ? `gpuDriverInstallationConfig.gpuDriverVersion is ${quoted(installation)}`
                        : "its machine type brings the GPU without a guestAccelerators entry";
                    reportViolation(
                        `${what} does not let GKE install the driver for ${accelerator.type} (${now}); set nodeConfig.guestAccelerators[].gpuDriverInstallationConfig.gpuDriverVersion to "DEFAULT" or "LATEST".`,
                        resource.urn,
                    );
                }
            }
        }
    },
});
