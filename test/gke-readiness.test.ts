// What GKE provides that kfstack relies on rather than installs, stated in the
// plan so a change to it is seen: the PD CSI driver whose standard-rwo class
// every claim binds to, Dataplane V2 enforcing NetworkPolicy, GKE's own
// autoscaler on every pool (a GPU pool at 0 scales up for a pending pod), and
// a private control plane that pulumi up still reaches.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planStack } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { googleAccountId } from "../components/cluster/gcp/account-id";
import { resource } from "./helpers";

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";

describe.each(["gke-dev", "gke-prod"] as const)("GKE stack %s", (stack) => {
    it("states the PD CSI driver and Dataplane V2, and its claims and NetworkPolicies pass PLAT-01 and PLAT-02", async () => {
        const plan = await plannedStack(stack);
        expect(resource(plan, CLUSTER, `kfstack-${stack}`).inputs).toMatchObject({
            addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true } },
            datapathProvider: "ADVANCED_DATAPATH",
        });
        expect(plan.policy.violations.filter((violation) => violation.id.startsWith("PLAT-"))).toEqual([]);
    });

    it("keeps the IP endpoint private to the authorized networks and lets pulumi up in through the IAM-authorized DNS endpoint", async () => {
        const plan = await plannedStack(stack);
        expect(resource(plan, CLUSTER, `kfstack-${stack}`).inputs).toMatchObject({
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
            masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "10.0.0.0/8", displayName: "allowed 10.0.0.0/8" }] },
            controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
        });
    });
});

describe("the gke-prod GPU pool", () => {
    it("starts at 0 nodes and is autoscaled by GKE from its template, which carries the GPUs and the taint", async () => {
        const plan = await plannedStack("gke-prod");
        expect(resource(plan, NODE_POOL, "kfstack-gke-prod-gpu").inputs).toMatchObject({
            initialNodeCount: 0,
            autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: "ANY" },
            nodeConfig: {
                guestAccelerators: [{ type: "nvidia-tesla-a100", count: 1 }],
                taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
            },
        });
    });
});

describe("a gke-dev stack reached only over the private network", () => {
    it("turns external traffic to the DNS endpoint off", async () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-gke-private-"));
        try {
            const configFile = join(directory, "Pulumi.gke-dev.yaml");
            const text = readFileSync("Pulumi.gke-dev.yaml", "utf8").replace(
                "    releaseChannel: REGULAR\n",
                "    releaseChannel: REGULAR\n    controlPlaneAccess: privateNetwork\n",
            );
            writeFileSync(configFile, text);
            const plan = await planStack("gke-dev", { configFile });
            expect(resource(plan, CLUSTER, "kfstack-gke-dev").inputs).toMatchObject({
                controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: false } },
            });
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });
});

describe("googleAccountId", () => {
    it("is <cluster>-<role> when that fits GCP's 30 characters", () => {
        expect(googleAccountId("kfstack-gke-prod", "cert-manager")).toBe("kfstack-gke-prod-cert-manager");
    });

    it("cuts a long cluster name short with a hash of it, so roles and clusters keep distinct, valid ids", () => {
        const long = "kfstack-research-platform-west-2";
        const ids = ["nodes", "cert-manager"].map((role) => googleAccountId(long, role));
        for (const id of ids) expect(id).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
        expect(new Set(ids).size).toBe(2);
        expect(googleAccountId("kfstack-research-platform-west-1", "nodes")).not.toBe(ids[0]);
    });
});
