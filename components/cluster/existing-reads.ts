// What an existing cluster declares it provides, read from the cluster during
// `pulumi up` (and `pulumi preview`): each declared StorageClass (the default
// one must carry the default annotation), the network plugin's node agent,
// and MetalLB's controller. A read of something missing fails the run, and the
// platform's components depend on these reads, so a wrong declaration stops
// the run before any Kubeflow object is applied. Offline the reads are
// recorded in the plan, their outputs unknown.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CLASS_ANNOTATION, isDefaultStorageClass } from "../../core/storage-classes";
import { type ClusterProvidesConfig, NETWORK_POLICY_AGENTS } from "../config/existing-schema";

const KEY = "kfstack:existing.provides";

/** Where MetalLB's upstream manifests (config/manifests/metallb-native.yaml) run its controller. */
const METALLB_CONTROLLER = "metallb-system/controller";

/** Fails the run unless the class the stack declares default (storageClasses[index]) is the cluster's default. */
export function checkDeclaredDefault(index: number, name: string, annotations: Readonly<Record<string, string>> | undefined): void {
    if (isDefaultStorageClass(annotations)) return;
    throw new pulumi.RunError(
        `${KEY}.storageClasses[${index}] declares StorageClass ${name} the cluster's default, but it is not annotated ${DEFAULT_CLASS_ANNOTATION}: "true"; set default: true on the class that is, or annotate this one (kubectl annotate storageclass ${name} ${DEFAULT_CLASS_ANNOTATION}=true)`,
    );
}

/** The reads proving `provides`, as dependencies: the declared default class only once its annotation is checked. */
export function readDeclaredCapabilities(
    name: string,
    provides: ClusterProvidesConfig,
    opts: { parent: pulumi.Resource; provider: k8s.Provider },
): pulumi.Input<pulumi.Resource>[] {
    const storageClasses = provides.storageClasses.map((declared, index) => {
        const read = k8s.storage.v1.StorageClass.get(`${name}-storageclass-${declared.name}`, declared.name, opts);
        if (!declared.default) return read;
        return read.metadata.apply((metadata) => {
            checkDeclaredDefault(index, declared.name, metadata.annotations);
            return read;
        });
    });
    const { enforcedBy, agent } = provides.networkPolicy;
    const networkPolicy =
        enforcedBy === "none" ? [] : [k8s.apps.v1.DaemonSet.get(`${name}-network-policy-agent`, agent ?? NETWORK_POLICY_AGENTS[enforcedBy], opts)];
    const loadBalancer = provides.loadBalancer === "metallb" ? [k8s.apps.v1.Deployment.get(`${name}-metallb-controller`, METALLB_CONTROLLER, opts)] : [];
    return [...storageClasses, ...networkPolicy, ...loadBalancer];
}
