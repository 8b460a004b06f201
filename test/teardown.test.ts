// `pulumi destroy` deletes in the reverse of the dependency order: a resource goes before everything it depends on
// (its dependsOn, its inputs' resources, its provider and its parent). The rules a teardown that finishes and keeps
// production's data needs, checked on the plan of every shipped stack.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { type Plan, planStack } from "../engine/plan";
import { projectDirectory } from "../engine/stack-file";
import { plannedStack, SHIPPED_STACKS, type ShippedStack } from "./planned-stacks";
import { skipWithoutFixtures } from "./requirements";

type Resource = Plan["resources"][number];

const PRODUCTION: ReadonlySet<string> = new Set(["prod", "onprem", "airgap", "govcloud-airgap"]);

/** What Pulumi waits for before creating a resource, and deletes only after it: transitively. */
function dependencyClosure(plan: Plan): (resource: Resource) => ReadonlySet<string> {
    const byUrn = new Map(plan.resources.map((resource) => [resource.urn, resource]));
    const closures = new Map<string, Set<string>>();
    const closure = (urn: string): Set<string> => {
        const known = closures.get(urn);
        if (known) return known;
        const found = new Set<string>();
        closures.set(urn, found);
        const resource = byUrn.get(urn)!;
        for (const on of [...resource.dependsOn, resource.provider, resource.parent]) {
            if (!on || !byUrn.has(on)) continue;
            found.add(on);
            for (const further of closure(on)) found.add(further);
        }
        return found;
    };
    return (resource) => closure(resource.urn);
}

const inputsOf = (resource: Resource) =>
    resource.inputs as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> };
const kubernetesObjects = (plan: Plan) =>
    plan.resources.filter((resource) => resource.type.startsWith("kubernetes:") && typeof inputsOf(resource).kind === "string");
const groupKind = (resource: Resource): string => {
    const { apiVersion = "", kind } = inputsOf(resource);
    return `${apiVersion.includes("/") ? apiVersion.split("/")[0] : ""}/${kind}`;
};
const label = (resource: Resource) => `${inputsOf(resource).kind ?? resource.type} ${resource.name}`;

/** `before` entries not deleted before what they must be: "<resource> before <what>". */
function notDeletedBefore(plan: Plan, pairs: [Resource, Resource][]): string[] {
    const closure = dependencyClosure(plan);
    return pairs.filter(([first, then]) => !closure(first).has(then.urn)).map(([first, then]) => `${label(first)} before ${label(then)}`);
}

/** Custom resources and the CRD that defines them, and the workloads shipped with that CRD (its controller). */
function customResourcePairs(plan: Plan): { crd: [Resource, Resource][]; controller: [Resource, Resource][] } {
    const objects = kubernetesObjects(plan);
    const crds = new Map<string, Resource>(
        objects
            .filter((resource) => groupKind(resource) === "apiextensions.k8s.io/CustomResourceDefinition")
            .map((crd) => {
                const spec = inputsOf(crd).spec as { group: string; names: { kind: string } };
                return [`${spec.group}/${spec.names.kind}`, crd] as const;
            }),
    );
    const workloads = objects.filter((resource) => ["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet"].includes(groupKind(resource)));
    const custom = objects.flatMap((resource) => {
        const crd = crds.get(groupKind(resource));
        return crd ? [{ resource, crd }] : [];
    });
    return {
        crd: custom.map(({ resource, crd }) => [resource, crd]),
        controller: custom.flatMap(({ resource, crd }) =>
            workloads
                .filter((workload) => workload.parent === crd.parent && workload !== resource)
                .map((workload): [Resource, Resource] => [resource, workload]),
        ),
    };
}

const CLUSTER_AND_NETWORK = new Set([
    "aws:eks/cluster:Cluster",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "gcp:container/cluster:Cluster",
    "gcp:compute/network:Network",
    "gcp:compute/subnetwork:Subnetwork",
]);
/** What each stack keeps on delete: production's bucket and database, or its in-cluster data volumes and their namespace (authservice's sessions go). */
const IN_CLUSTER_DATA = [
    "Namespace kubeflow",
    "PersistentVolumeClaim kubeflow/minio-pvc",
    "PersistentVolumeClaim kubeflow/mysql-pv-claim",
    "PersistentVolumeClaim kubeflow/katib-mysql",
];
const KEPT: Record<ShippedStack, string[]> = {
    dev: [],
    "gke-dev": [],
    prod: ["aws:s3/bucket:Bucket kfstack-prod-data-s3", "aws:rds/instance:Instance kfstack-prod-data-rds", "Namespace kubeflow"],
    onprem: IN_CLUSTER_DATA,
    airgap: IN_CLUSTER_DATA,
    "govcloud-airgap": [
        "aws:s3/bucket:Bucket kfstack-govcloud-airgap-data-s3",
        "aws:rds/instance:Instance kfstack-govcloud-airgap-data-rds",
        "Namespace kubeflow",
    ],
};
const DATA_STORES = new Set(["aws:s3/bucket:Bucket", "aws:rds/instance:Instance", "gcp:storage/bucket:Bucket", "gcp:sql/databaseInstance:DatabaseInstance"]);

describe.skipIf(skipWithoutFixtures("the teardown test"))("the teardown order", () => {
    describe.each(SHIPPED_STACKS)("of the %s stack", (stack) => {
        let plan: Plan;
        beforeAll(async () => {
            plan = await plannedStack(stack);
        });

        it("deletes every custom resource before its CustomResourceDefinition and before the controller shipped with it", () => {
            const { crd, controller } = customResourcePairs(plan);
            expect(crd.length).toBeGreaterThan(0);
            expect(notDeletedBefore(plan, crd)).toEqual([]);
            expect(notDeletedBefore(plan, controller)).toEqual([]);
        });

        it("deletes tenant Profiles before the profile controller, which removes their finalizer", () => {
            const objects = kubernetesObjects(plan);
            const controller = objects.find((resource) => resource.name === "kubeflow/profiles-deployment")!;
            const profiles = objects.filter((resource) => groupKind(resource) === "kubeflow.org/Profile");
            expect(profiles.length).toBe(plan.resources.filter((resource) => resource.type === "kfstack:tenancy:Tenant").length);
            expect(
                notDeletedBefore(
                    plan,
                    profiles.map((profile) => [profile, controller]),
                ),
            ).toEqual([]);
        });

        it("deletes every object in a namespace before the namespace", () => {
            const objects = kubernetesObjects(plan);
            const namespaces = new Map(objects.filter((resource) => groupKind(resource) === "/Namespace").map((namespace) => [namespace.name, namespace]));
            const pairs = objects.flatMap((resource): [Resource, Resource][] => {
                const namespace = namespaces.get(inputsOf(resource).metadata?.namespace ?? "");
                return namespace ? [[resource, namespace]] : [];
            });
            expect(pairs.length).toBeGreaterThan(100);
            expect(notDeletedBefore(plan, pairs)).toEqual([]);
        });

        it("deletes LoadBalancer Services and volume claims before the cluster and the network they live in", () => {
            const infrastructure = plan.resources.filter((resource) => CLUSTER_AND_NETWORK.has(resource.type));
            const holders = kubernetesObjects(plan).filter(
                (resource) =>
                    groupKind(resource) === "/PersistentVolumeClaim" ||
                    (groupKind(resource) === "/Service" && (inputsOf(resource).spec?.["type"] ?? "") === "LoadBalancer"),
            );
            expect(holders.length).toBeGreaterThan(0);
            expect(
                notDeletedBefore(
                    plan,
                    holders.flatMap((holder) => infrastructure.map((resource): [Resource, Resource] => [holder, resource])),
                ),
            ).toEqual([]);
            expect(infrastructure.length > 0).toBe(stack !== "onprem" && stack !== "airgap");
        });

        it(`${PRODUCTION.has(stack) ? "keeps" : "does not keep"} the buckets, databases and data volumes of the stack on delete`, () => {
            const kept = plan.resources.filter((resource) => resource.options.retainOnDelete || resource.options.protect).map(label);
            expect(kept).toEqual(KEPT[stack]);
            const stores = plan.resources.filter((resource) => DATA_STORES.has(resource.type)).map(label);
            expect(stores.every((store) => kept.includes(store))).toBe(PRODUCTION.has(stack) || stores.length === 0);
        });
    });

    it("deletes production's bucket and database when the stack opts out, and says so in the plan", async () => {
        const document = parseDocument(readFileSync(join(projectDirectory(), "Pulumi.prod.yaml"), "utf8"));
        document.setIn(["config", "kfstack:dataPlane", "retainOnDelete"], false);
        const file = join(mkdtempSync(join(tmpdir(), "kfstack-prod-deletes-")), "Pulumi.prod.yaml");
        writeFileSync(file, document.toString());
        const plan = await planStack("prod", { configFile: file });
        expect(plan.resources.filter((resource) => resource.options.retainOnDelete || resource.options.protect)).toEqual([]);
        expect(plan.summary.warnings).toContain(
            "kfstack:dataPlane.retainOnDelete is false on a production stack: `pulumi destroy` (or a replacement) deletes the artifact bucket, the database and the data volumes with everything in them; set it to true unless that is what you mean.",
        );
    }, 300_000);
});
