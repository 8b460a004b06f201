// The PersistentVolumeClaims an object makes: a claim itself, a StatefulSet's
// volumeClaimTemplates (one claim per replica), and the storage of the
// Prometheus Operator's custom resources (spec.storage.volumeClaimTemplate,
// one claim per replica). What a cost estimate counts and what a storage
// policy checks are the same claims.
import { parseQuantity } from "./quantity";
import { arrayAt, isRecord, recordAt } from "./records";

export interface VolumeClaim {
    /** The claim, or the template each replica's claim is made from. */
    template: string;
    /** How many claims the template makes: 1 for a claim, the replicas for a template. */
    claims: number;
    /** spec.storageClassName; undefined means the cluster's default class. */
    storageClassName: string | undefined;
    /** spec.resources.requests.storage as written. */
    storage: string | undefined;
    /** The request in bytes, or undefined when it is missing or not a quantity. */
    bytes: number | undefined;
}

/** Kinds of the Prometheus Operator whose spec.storage.volumeClaimTemplate makes a claim per replica. */
const OPERATOR_STORAGE_KINDS: ReadonlySet<string> = new Set(["Prometheus", "Alertmanager", "ThanosRuler"]);

function replicasOf(spec: Record<string, unknown>): number {
    const replicas = spec["replicas"];
    return typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 0 ? replicas : 1;
}

function claimOf(template: string, claims: number, claimSpec: Record<string, unknown>): VolumeClaim {
    const requested = recordAt(recordAt(claimSpec, "resources"), "requests")["storage"];
    const storage = typeof requested === "string" || typeof requested === "number" ? String(requested) : undefined;
    const storageClassName = claimSpec["storageClassName"];
    return {
        template,
        claims,
        storageClassName: typeof storageClassName === "string" ? storageClassName : undefined,
        storage,
        bytes: storage === undefined ? undefined : parseQuantity(storage),
    };
}

/** The claims an object of `kind` with these props makes; `name` is how it is named in the result. */
export function volumeClaimsOf(kind: string, props: Record<string, unknown>, name: string): VolumeClaim[] {
    const spec = recordAt(props, "spec");
    if (kind === "PersistentVolumeClaim") return [claimOf(`PersistentVolumeClaim ${name}`, 1, spec)];
    if (kind === "StatefulSet")
        return arrayAt(spec, "volumeClaimTemplates")
            .filter(isRecord)
            .map((template) => {
                const claimName = recordAt(template, "metadata")["name"];
                return claimOf(`StatefulSet ${name} claim ${String(claimName)}`, replicasOf(spec), recordAt(template, "spec"));
            });
    if (OPERATOR_STORAGE_KINDS.has(kind)) {
        const template = recordAt(recordAt(spec, "storage"), "volumeClaimTemplate");
        return isRecord(template["spec"]) ? [claimOf(`${kind} ${name}`, replicasOf(spec), template["spec"])] : [];
    }
    return [];
}
