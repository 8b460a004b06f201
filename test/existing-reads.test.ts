// The reads of an existing cluster's declaration as `pulumi up` runs them, where
// the read objects are known (the offline plan leaves them unknown): what is
// read, and the check that fails a declared default class the cluster does not
// annotate as default, naming the key.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { checkDeclaredDefault, readDeclaredCapabilities } from "../components/cluster/existing-reads";
import type { ClusterProvidesConfig } from "../components/config/existing-schema";

/** The live StorageClasses the mocked cluster has, by name. */
const LIVE: Record<string, Record<string, string>> = {
    "ceph-rbd": { "storageclass.kubernetes.io/is-default-class": "true" },
    cephfs: {},
    legacy: { "storageclass.beta.kubernetes.io/is-default-class": "true" },
};

const provides = (storageClasses: ClusterProvidesConfig["storageClasses"]): ClusterProvidesConfig => ({
    storageClasses,
    networkPolicy: { enforcedBy: "calico" },
    loadBalancer: "none",
    autoscaling: false,
    podCidrs: ["192.168.0.0/16"],
});

/** Every read the mocked cluster answered, as "type id". */
const readIds: string[] = [];

class Holder extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Holder", name);
    }
}

/** The value of an output once known, as an update resolves it. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** What the reads resolve to during an update: the URNs of the read objects. */
async function readsOf(declared: ClusterProvidesConfig): Promise<string[]> {
    const parent = new Holder("cluster");
    const provider = new k8s.Provider("cluster-k8s", {}, { parent });
    const ready = readDeclaredCapabilities("cluster", declared, { parent, provider });
    const resources = await Promise.all(ready.map((read) => valueOf(pulumi.output(read) as unknown as pulumi.Output<pulumi.CustomResource>)));
    return Promise.all(resources.map((resource) => valueOf(resource.urn)));
}

describe("reads of an existing cluster's declaration during an update", () => {
    beforeAll(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    if (args.id) readIds.push(`${args.type} ${args.id}`);
                    return {
                        id: args.id ?? `${args.name}-id`,
                        state: args.type === "kubernetes:storage.k8s.io/v1:StorageClass" ? { metadata: { name: args.id, annotations: LIVE[args.id!] } } : {},
                    };
                },
                call: () => ({}),
            },
            "kfstack",
            "test",
            false,
        );
    });

    it("passes a declared default class the cluster annotates as default, in the GA or the beta spelling", async () => {
        const reads = await readsOf(
            provides([
                { name: "ceph-rbd", default: true },
                { name: "cephfs", default: false },
            ]),
        );
        expect(reads.map((read) => read.split("::").at(-1))).toEqual([
            "cluster-storageclass-ceph-rbd",
            "cluster-storageclass-cephfs",
            "cluster-network-policy-agent",
        ]);
        const [legacy] = await readsOf(provides([{ name: "legacy", default: true }]));
        expect(legacy?.split("::").at(-1)).toBe("cluster-storageclass-legacy");
    });

    it("fails when the declared default class is not the cluster's default, naming the key and the fix", () => {
        expect(() => checkDeclaredDefault(0, "cephfs", LIVE["cephfs"])).toThrow(
            new pulumi.RunError(
                'kfstack:existing.provides.storageClasses[0] declares StorageClass cephfs the cluster\'s default, but it is not annotated storageclass.kubernetes.io/is-default-class: "true"; set default: true on the class that is, or annotate this one (kubectl annotate storageclass cephfs storageclass.kubernetes.io/is-default-class=true)',
            ),
        );
        expect(() => checkDeclaredDefault(1, "unannotated", undefined)).toThrow(
            /^kfstack:existing\.provides\.storageClasses\[1\] declares StorageClass unannotated /,
        );
    });

    it("reads the network plugin's agent where its upstream install puts it, or where the stack says, and MetalLB's controller", async () => {
        readIds.length = 0;
        await readsOf({ ...provides([]), loadBalancer: "metallb" });
        await readsOf({ ...provides([]), networkPolicy: { enforcedBy: "calico", agent: "calico-system/calico-node" } });
        expect(readIds).toEqual([
            "kubernetes:apps/v1:DaemonSet kube-system/calico-node",
            "kubernetes:apps/v1:Deployment metallb-system/controller",
            "kubernetes:apps/v1:DaemonSet calico-system/calico-node",
        ]);
    });
});
