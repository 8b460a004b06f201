// Lines for the disks behind the plan's claims: every PersistentVolumeClaim,
// StatefulSet volumeClaimTemplate and Prometheus Operator storage template,
// each claim rounded up to a whole GiB (the size the EBS and PD CSI drivers
// provision) and multiplied by the claims its template makes.
import { DEFAULT_DISK_TYPE, DISK_PRICES, type UnitPrice } from "../../components/cluster/prices";
import { kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { recordAt } from "../../core/records";
import { type VolumeClaim, volumeClaimsOf } from "../../core/volume-claims";
import { type CostLine, priced, unpriced } from "./lines";
import type { CostCloud, CostResource } from "./resources";

const GIB = 2 ** 30;

/** GKE's built-in classes, for claims that name one instead of the default. */
const GKE_CLASSES: Record<string, string> = { "standard-rwo": "pd-balanced", "premium-rwo": "pd-ssd", standard: "pd-standard" };

/** The disk type behind a class: the default, a StorageClass the plan creates (parameters.type), or a GKE built-in. */
function diskTypeOf(cloud: "aws" | "gcp", className: string | undefined, resources: readonly CostResource[]): string | undefined {
    if (className === undefined) return DEFAULT_DISK_TYPE[cloud];
    const storageClass = resources.find((resource) => kubernetesKind(resource.type)?.kind === "StorageClass" && metadataOf(resource.inputs).name === className);
    const type = recordAt(storageClass?.inputs, "parameters")["type"];
    if (typeof type === "string") return type;
    return cloud === "gcp" ? GKE_CLASSES[className] : undefined;
}

function claimLine(claim: VolumeClaim, cloud: CostCloud, resources: readonly CostResource[]): CostLine {
    const size = claim.claims === 1 ? `${claim.storage}` : `${claim.claims} × ${claim.storage}`;
    const className = claim.storageClassName ?? "the default class";
    if (claim.bytes === undefined) return unpriced(`volume: ${claim.template} (no storage request)`, null, "GiB-month", "the claim requests no size");
    const gib = Math.ceil(claim.bytes / GIB) * claim.claims;
    if (cloud === "existing")
        return unpriced(
            `volume: ${claim.template} (${size}, ${className})`,
            gib,
            "GiB-month",
            "the existing cluster's StorageClass decides the disk and its bill",
        );
    const type = diskTypeOf(cloud, claim.storageClassName, resources);
    const price: UnitPrice | undefined = type === undefined ? undefined : DISK_PRICES[cloud][type];
    const item = `${price?.item ?? "volume"}: ${claim.template} (${size}, ${className})`;
    return price ? priced(item, gib, price) : unpriced(item, gib, "GiB-month", `the disk type of StorageClass ${className} is not known offline`);
}

export function volumeLines(resources: readonly CostResource[], cloud: CostCloud): CostLine[] {
    return resources.flatMap((resource) => {
        const kind = kubernetesKind(resource.type)?.kind;
        if (!kind) return [];
        const { name, namespace } = metadataOf(resource.inputs);
        const claims = volumeClaimsOf(kind, resource.inputs, `${namespace ? `${namespace}/` : ""}${name ?? resource.name}`);
        return claims.filter((claim) => claim.claims > 0).map((claim) => claimLine(claim, cloud, resources));
    });
}
