import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { gpuDriver } from "../../policies/cloud/gpu-04-gpu-driver";
import type { NodePoolFacts } from "../../core/facts";
import { messagesOf, violationsOf, mandatoryViolation } from "./fixtures";
import {
    changed,
    clusterFactsRecord,
    eksGpuNodeGroup,
    eksNodeGroup,
    generalPoolFacts,
    gkeGpuNodePool,
    gkeNodePool,
    gpuPoolFacts,
    expectAcceptedOutright,
} from "./fixtures-cloud";

type Gpu = NonNullable<NodePoolFacts["gpu"]>;

/** The prod facts with the GPU pool's driver settings changed. */
function factsWith(gpu: Partial<Gpu>, cloud: "aws" | "gcp" | "existing" = "aws") {
    const pool = gpuPoolFacts();
    const drivers = { ...pool.gpu!, ...gpu };
    for (const key of Object.keys(drivers) as (keyof Gpu)[]) if (drivers[key] === undefined) delete drivers[key];
    return clusterFactsRecord({ cloud, nodePools: [generalPoolFacts(), { ...pool, gpu: drivers }] });
}

const gkeDriver = { amiReleaseVersion: undefined, gkeInstallation: "DEFAULT", driverVersion: "535.230.02" };

describe("GPU-04 GPU driver", () => {
    it("accepts the prod stack: CUDA 12.2 on a pinned 570 driver, the AMI release pinned on the node group", async () => {
        await expectAcceptedOutright(gpuDriver, [clusterFactsRecord(), eksNodeGroup(), eksGpuNodeGroup()]);
    });

    it("accepts the gke-prod stack: a GKE-installed 535 driver for CUDA 12.2", async () => {
        expect(await messagesOf(gpuDriver, [factsWith(gkeDriver, "gcp"), gkeNodePool(), gkeGpuNodePool()])).toEqual([]);
    });

    it.each([
        ["12.2", "535.54.03"],
        ["12.1", "530.30.02"],
        ["12.2", "535.104.05"],
    ])("accepts CUDA %s on driver %s, at or above the minimum", async (cudaVersion, driverVersion) => {
        expect(await messagesOf(gpuDriver, [factsWith({ cudaVersion, driverVersion })])).toEqual([]);
    });

    it.each([
        ["12.2", "535.54.02", "535.54.03"],
        ["12.2", "530.30.02", "535.54.03"],
        ["12.1", "525.147.05", "530.30.02"],
        ["12.2", "535.9.99", "535.54.03"],
    ])("rejects CUDA %s on driver %s, below %s", async (cudaVersion, driverVersion, minimum) => {
        const facts = factsWith({ cudaVersion, driverVersion });
        expect(await violationsOf(gpuDriver, [facts])).toEqual([
            mandatoryViolation(
                { policy: "gpu-04-gpu-driver", id: "GPU-04" },
                facts,
                `GPU pool "gpu" runs NVIDIA driver ${driverVersion}, too old for CUDA ${cudaVersion}, which needs >= ${minimum}; pin a newer driver (kfstack:cluster.gpuPool.driver) or target an older CUDA version.`,
            ),
        ]);
    });

    it("rejects a CUDA version that is not in the driver table", async () => {
        expect(await messagesOf(gpuDriver, [factsWith({ cudaVersion: "12.7" })])).toEqual([
            'GPU pool "gpu" targets CUDA 12.7, which is not in the driver table; set kfstack:cluster.gpuPool.cudaVersion to one of 11.8, 12.0, 12.1, 12.2, 12.3, 12.4, 12.5, 12.6 or 12.8.',
        ]);
    });

    it.each([[undefined], ["latest"], [""]])("rejects a driver version that pins nothing (%s)", async (driverVersion) => {
        expect(await messagesOf(gpuDriver, [factsWith({ driverVersion })])).toEqual([
            `GPU pool "gpu" pins no NVIDIA driver version (driver version is ${driverVersion === undefined ? "not set" : JSON.stringify(driverVersion)}); set kfstack:cluster.gpuPool.driver.version to the driver its nodes run, e.g. "535.230.02".`,
        ]);
    });

    it("rejects an AWS GPU pool without a pinned AMI release", async () => {
        expect(await messagesOf(gpuDriver, [factsWith({ amiReleaseVersion: undefined })])).toEqual([
            'GPU pool "gpu" pins no EKS AMI release, so the driver changes with every new AMI; set kfstack:cluster.gpuPool.driver.amiReleaseVersion to the NVIDIA AMI release that ships driver 570.172.08.',
        ]);
    });

    it("rejects a GCP GPU pool without a GKE driver installation", async () => {
        expect(await messagesOf(gpuDriver, [factsWith({ ...gkeDriver, gkeInstallation: undefined }, "gcp")])).toEqual([
            'GPU pool "gpu" has no GKE driver installation (gkeInstallation is not set); set kfstack:cluster.gpuPool.driver.gkeInstallation to "DEFAULT" or "LATEST".',
        ]);
    });

    it("holds an existing cluster's declared GPU pool to the CUDA minimum only", async () => {
        expect(await messagesOf(gpuDriver, [factsWith({ amiReleaseVersion: undefined, driverVersion: "535.183.01" }, "existing")])).toEqual([]);
        expect(await messagesOf(gpuDriver, [factsWith({ amiReleaseVersion: undefined, driverVersion: "525.60.13" }, "existing")])).toEqual([
            'GPU pool "gpu" runs NVIDIA driver 525.60.13, too old for CUDA 12.2, which needs >= 535.54.03; pin a newer driver (kfstack:cluster.gpuPool.driver) or target an older CUDA version.',
        ]);
    });

    it("rejects an EKS GPU node group on an unpinned AMI release", async () => {
        const unpinned = changed(eksGpuNodeGroup(), ["props", "releaseVersion"], undefined);
        expect(await violationsOf(gpuDriver, [clusterFactsRecord(), unpinned])).toEqual([
            mandatoryViolation(
                { policy: "gpu-04-gpu-driver", id: "GPU-04" },
                unpinned,
                'EKS node group "kfstack-prod-gpu" runs GPUs (p4d.24xlarge) on an unpinned AMI release, so every node replacement can bring another NVIDIA driver; set releaseVersion to the AMI release that ships the pinned driver.',
            ),
        ]);
    });

    it("accepts an AMI release that is unknown until an SSM parameter is read", async () => {
        await expectAcceptedOutright(gpuDriver, [clusterFactsRecord(), changed(eksGpuNodeGroup(), ["props", "releaseVersion"], Unknown.instance)]);
    });

    it.each([
        ["INSTALLATION_DISABLED", '"INSTALLATION_DISABLED"'],
        [undefined, "not set"],
    ])("rejects a GKE GPU pool whose driver installation is %s", async (installation, shown) => {
        const bad = changed(gkeGpuNodePool(), ["props", "nodeConfig", "guestAccelerators", 0, "gpuDriverInstallationConfig", "gpuDriverVersion"], installation);
        expect(await messagesOf(gpuDriver, [bad])).toEqual([
            `GKE node pool "kfstack-gke-prod-gpu" does not let GKE install the driver for nvidia-tesla-a100 (gpuDriverInstallationConfig.gpuDriverVersion is ${shown}); set nodeConfig.guestAccelerators[].gpuDriverInstallationConfig.gpuDriverVersion to "DEFAULT" or "LATEST".`,
        ]);
    });

    it("rejects a GKE pool whose machine type brings GPUs without a driver installation", async () => {
        const implicit = changed(gkeGpuNodePool(), ["props", "nodeConfig", "guestAccelerators"], undefined);
        expect(await messagesOf(gpuDriver, [implicit])).toEqual([
            'GKE node pool "kfstack-gke-prod-gpu" does not let GKE install the driver for nvidia-tesla-a100 (its machine type brings the GPU without a guestAccelerators entry); set nodeConfig.guestAccelerators[].gpuDriverInstallationConfig.gpuDriverVersion to "DEFAULT" or "LATEST".',
        ]);
    });
});
