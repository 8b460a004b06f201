// The platform facts the policy pack reads (core/facts.ts), computed once per
// stack by its resolution (stack.ts). The cluster and Kubeflow components
// register them as their inputs; `npm run check -- --stack-config` adds them
// to a bare list of resources.
import { ipv4Blocks, parseCidr, subtract } from "../core/cidr";
import type { ClusterCapabilities, ClusterFacts, KubeflowFacts } from "../core/facts";
import { compareKubernetesVersions } from "../core/kubernetes-version";
import { controllerOwnedFields } from "./bom/controller-owned-fields";
import { type Bom, type BomComponent, installedImages } from "./bom/schema";
import { DEFAULT_VPC_CIDR } from "./config/cloud-schema";
import { privateSubnetCidrs } from "./cluster/aws/subnets";
import type { ClusterProvidesConfig } from "./config/existing-schema";
import type { StackConfig } from "./config/schema";
import type { NodePoolPlan } from "./config/topology";
import { loadImageLock } from "./images/lock";
import { type Mirror, mirrorReference } from "./images/rewrite";

export function clusterFactsOf(config: StackConfig, pools: NodePoolPlan[]): ClusterFacts {
    return {
        cloud: config.cloud,
        topology: config.topology,
        kubernetesVersion: config.kubernetesVersion,
        nodePools: pools.map(({ usdPerHour: _price, priceSource: _source, localSsdCount: _ssd, ...pool }) => pool),
        ...(config.allowUndersized ? { undersizedReason: config.allowUndersized.reason } : {}),
        podCidrs: podCidrsOf(config),
        ...(config.cloud === "existing" ? { provides: capabilitiesOf(config.existing.provides) } : {}),
    };
}

/**
 * Where pods take their addresses (ClusterFacts.podCidrs): the VPC CNI gives them the node subnets' (a VPC kfstack creates
 * has them apart from its public and endpoint subnets; of an existing VPC its blocks but the endpoint subnets, which hold
 * no nodes), GKE its pods range.
 */
function podCidrsOf(config: StackConfig): string[] {
    switch (config.cloud) {
        case "aws": {
            const existing = config.network.existingVpc;
            if (!existing) return privateSubnetCidrs(config.network.vpcCidr ?? DEFAULT_VPC_CIDR, config.zones);
            const blocks = (list: string[]) => list.map((cidr) => parseCidr(cidr)!);
            return subtract(blocks(existing.cidrBlocks), blocks((existing.endpointSubnets ?? []).map((subnet) => subnet.cidr))).flatMap(ipv4Blocks);
        }
        case "gcp":
            return [config.network.podsCidr];
        case "existing":
            return [...config.existing.provides.podCidrs];
    }
}

/** An existing cluster's declaration as the facts contract states it: "none" becomes absence. */
function capabilitiesOf(provides: ClusterProvidesConfig): ClusterCapabilities {
    const { enforcedBy } = provides.networkPolicy;
    return {
        storageClasses: provides.storageClasses.map(({ name, default: isDefault }) => ({ name, default: isDefault })),
        networkPolicy: enforcedBy === "none" ? { enforced: false } : { enforced: true, by: enforcedBy },
        ...(provides.loadBalancer === "none" ? {} : { loadBalancer: provides.loadBalancer }),
        autoscaling: provides.autoscaling,
    };
}

/** The mirror an air-gapped stack pulls from, with the release's locked digests. */
export function mirrorOf(config: StackConfig, release: string): Mirror | undefined {
    if (!config.airGap.enabled) return undefined;
    const { registry, pullSecret } = config.airGap;
    return { prefix: registry!, digests: loadImageLock(release), ...(pullSecret ? { pullCredentials: pullSecret } : {}) };
}

/** Facts of the release's install (Kubeflow and monitoring); on an air-gapped stack the pinned images are the mirror's. */
export function kubeflowFactsOf(config: StackConfig, bom: Bom, installed: BomComponent[], mirror: Mirror | undefined): KubeflowFacts {
    const windows = [bom.kubernetes, ...installed.flatMap((component) => (component.kubernetes ? [component.kubernetes] : []))];
    const min = windows.reduce((narrowest, window) => (compareKubernetesVersions(window.min, narrowest.min) > 0 ? window : narrowest)).min;
    const max = windows.reduce((narrowest, window) => (compareKubernetesVersions(window.max, narrowest.max) < 0 ? window : narrowest)).max;
    const acknowledged = config.kubeflow.acknowledgeKubernetesVersion;
    return {
        release: bom.release,
        kubernetesVersion: config.kubernetesVersion,
        window: { min, max, tested: bom.kubernetes.tested },
        ...(acknowledged ? { acknowledgedKubernetesVersion: acknowledged } : {}),
        images: [...new Set(installedImages(bom, installed).map((image) => (mirror ? (mirrorReference(image, mirror) ?? image) : image)))].sort(),
        controllerOwnedFields: [...controllerOwnedFields()],
    };
}
