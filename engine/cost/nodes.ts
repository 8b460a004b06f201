// Lines for the nodes of each pool at its desired size: the machines (priced
// from the machine table, as the pool summary is), their root volumes (the
// launch template's block devices on EKS, the node pool's boot disk on GKE)
// and GKE's local SSDs. An existing cluster's nodes are not the plan's to price.
import { findMachineType } from "../../components/cluster/machine-types";
import { DISK_PRICES, GKE_DEFAULT_BOOT_DISK, PRICES } from "../../components/cluster/prices";
import { LOCAL_SSD_DISK_GB } from "../../components/cluster/machine-types";
import { POOL_LABEL, type NodePoolPlan } from "../../components/config/topology";
import { arrayAt, isRecord, recordAt } from "../../core/records";
import { type CostLine, HOURS_PER_MONTH, priced, unpriced } from "./lines";
import { type CostResource, ofType } from "./resources";

function machineLine(cloud: "aws" | "gcp", pool: NodePoolPlan): CostLine {
    const nodes = `${pool.desiredNodes} desired, ${pool.minNodes}–${pool.maxNodes}`;
    const machine = pool.instanceType ? findMachineType(cloud, pool.instanceType) : undefined;
    if (!machine)
        return unpriced(
            `nodes: pool ${pool.name} (${pool.instanceType ?? "no type"}, ${nodes})`,
            pool.desiredNodes * HOURS_PER_MONTH,
            "node-hour",
            "not in the machine table",
        );
    const price = { ...machine.price, unit: "node-hour", usdPerUnit: machine.price.usdPerHour };
    return priced(`nodes: pool ${pool.name} (${machine.name}, ${nodes})`, pool.desiredNodes * HOURS_PER_MONTH, price);
}

/** The EKS node group of a pool and the root volumes its launch template gives each node. */
function eksRootVolumes(resources: readonly CostResource[], pool: NodePoolPlan): CostLine[] {
    const group = ofType(resources, "aws:eks/nodeGroup:NodeGroup").find((candidate) => recordAt(candidate.inputs, "labels")[POOL_LABEL] === pool.name);
    const template = ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate").find((candidate) => group && candidate.parent === group.parent);
    if (!template) return [];
    return arrayAt(template.inputs, "blockDeviceMappings").flatMap((mapping) => {
        const ebs = recordAt(mapping, "ebs");
        const size = ebs["volumeSize"];
        const type = typeof ebs["volumeType"] === "string" ? ebs["volumeType"] : "gp3";
        const price = DISK_PRICES.aws[type];
        if (typeof size !== "number") return [];
        const item = `node root volumes: pool ${pool.name} (${pool.desiredNodes} × ${size} GiB ${type}, ${template.name})`;
        return [price ? priced(item, size * pool.desiredNodes, price) : unpriced(item, size * pool.desiredNodes, "GiB-month", `no price for EBS ${type}`)];
    });
}

/** The GKE node pool of a pool: its boot disks (GKE's default when unset) and its local SSDs. */
function gkeNodeDisks(resources: readonly CostResource[], pool: NodePoolPlan): CostLine[] {
    const nodePool = ofType(resources, "gcp:container/nodePool:NodePool").find(
        (candidate) => recordAt(recordAt(candidate.inputs, "nodeConfig"), "labels")[POOL_LABEL] === pool.name,
    );
    if (!nodePool) return [];
    const config = recordAt(nodePool.inputs, "nodeConfig");
    const size = typeof config["diskSizeGb"] === "number" ? config["diskSizeGb"] : GKE_DEFAULT_BOOT_DISK.sizeGb;
    const type = typeof config["diskType"] === "string" ? config["diskType"] : GKE_DEFAULT_BOOT_DISK.type;
    const price = DISK_PRICES.gcp[type];
    const bootItem = `node boot disks: pool ${pool.name} (${pool.desiredNodes} × ${size} GiB ${type}${config["diskSizeGb"] === undefined ? ", GKE's default" : ""})`;
    const ssds = [config["ephemeralStorageLocalSsdConfig"], config["localNvmeSsdBlockConfig"]].map((block) =>
        isRecord(block) ? block["localSsdCount"] : undefined,
    );
    const ssdCount = ssds.find((count): count is number => typeof count === "number") ?? 0;
    return [
        price ? priced(bootItem, size * pool.desiredNodes, price) : unpriced(bootItem, size * pool.desiredNodes, "GiB-month", `no price for ${type}`),
        ...(ssdCount
            ? [
                  priced(
                      `local SSDs: pool ${pool.name} (${pool.desiredNodes} × ${ssdCount} × ${LOCAL_SSD_DISK_GB} GB)`,
                      pool.desiredNodes * ssdCount * LOCAL_SSD_DISK_GB,
                      PRICES.localSsd,
                  ),
              ]
            : []),
    ];
}

export function nodeLines(resources: readonly CostResource[], cloud: "aws" | "gcp", pools: readonly NodePoolPlan[]): CostLine[] {
    return pools.flatMap((pool) => [machineLine(cloud, pool), ...(cloud === "aws" ? eksRootVolumes(resources, pool) : gkeNodeDisks(resources, pool))]);
}
