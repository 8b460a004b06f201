// Fixture factories for the workload policies (MEM-02, IMG-*, GPU-03, SEC-*):
// compliant by default, like those in fixtures.ts; a failing case changes one
// field with `changed`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import type { PolicyRecord } from "../../engine/policy-check";
import type { ClusterFacts, NodePoolFacts } from "../../core/facts";
import { gpuPoolFacts } from "./fixtures-cloud";
import { podCarriers, record } from "./fixtures";
import { fixturesDirectory, skipWithoutFixtures } from "../requirements";

type Props = Record<string, unknown>;

/** podCarriers() with the PyTorchJob's containers at 4Gi, above the training floor: compliant with every workload policy. */
export function workloadCarriers(): PolicyRecord[] {
    return podCarriers().map((carrier) =>
        carrier.type.endsWith(":PyTorchJob")
            ? (JSON.parse(JSON.stringify(carrier).replaceAll('"limits":{"memory":"1Gi"}', '"limits":{"memory":"4Gi"}')) as PolicyRecord)
            : carrier,
    );
}

export function carrierOf(kind: string): PolicyRecord {
    return workloadCarriers().find((carrier) => carrier.type.endsWith(`:${kind}`))!;
}

export const TEMPLATE_SPEC = ["props", "spec", "template", "spec"];
export const CONTAINER = [...TEMPLATE_SPEC, "containers", 0];

/** A PyTorchJob that trains on 8 A100s, the way GPU-03 wants it: tolerates the GPU taint and selects the model. */
export function gpuJob(): PolicyRecord {
    const template = {
        metadata: { labels: { app: "bert" } },
        spec: {
            containers: [
                {
                    name: "pytorch",
                    image: "registry.example.com/team/bert:2.1.0",
                    resources: { requests: { cpu: "8", memory: "64Gi", "nvidia.com/gpu": "8" }, limits: { memory: "96Gi", "nvidia.com/gpu": "8" } },
                    securityContext: { allowPrivilegeEscalation: false },
                },
            ],
            tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB" },
        },
    };
    return record("kubernetes:kubeflow.org/v1:PyTorchJob", {
        apiVersion: "kubeflow.org/v1",
        kind: "PyTorchJob",
        metadata: { name: "bert", namespace: "team-a" },
        spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template }, Worker: { replicas: 3, template } } },
    });
}

export const MASTER_SPEC = ["props", "spec", "pytorchReplicaSpecs", "Master", "template", "spec"];

export function generalPool(memoryGiB = 128, instanceType = "m6id.8xlarge"): NodePoolFacts {
    return {
        name: "general",
        instanceType,
        minNodes: 6,
        desiredNodes: 6,
        maxNodes: 12,
        vcpu: 32,
        memoryGiB,
        nvmeGB: 1900,
        labels: { "kfstack.io/pool": "general" },
        taints: [],
    };
}

/** The prod stack's GPU pool: p4d.24xlarge, 8 x A100. */
export function gpuPool(): NodePoolFacts {
    return gpuPoolFacts();
}

/** The cluster facts the kfstack cluster component records, as a resource. */
export function clusterFactsRecord(pools: NodePoolFacts[] = [generalPool(), gpuPool()]): PolicyRecord {
    const facts: ClusterFacts = { cloud: "aws", topology: "production", kubernetesVersion: "1.33", nodePools: pools, podCidrs: ["10.40.0.0/16"] };
    return record("kfstack:cluster:EksCluster", facts as unknown as Props, "kubeflow");
}

export function secret(name: string, namespace: string, fields: { data?: Record<string, string>; stringData?: Record<string, unknown> }): PolicyRecord {
    return record("kubernetes:core/v1:Secret", { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", ...fields });
}

export function configMap(name: string, namespace: string, data: Record<string, unknown>): PolicyRecord {
    return record("kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
}

export const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A Kubernetes object as the policy check sees it: `kubernetes:<group/version>:<Kind>`. */
export function asRecord(object: Props): PolicyRecord {
    const apiVersion = String(object["apiVersion"]);
    return record(`kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${String(object["kind"])}`, object);
}

/** Tests on the upstream fixtures skip, visibly, without them; with KFSTACK_REQUIRE_TOOLS=1 they run and fail instead. */
export const SKIP_UPSTREAM = skipWithoutFixtures("the policy tests on upstream manifests");

/** The objects of an upstream fixture file (plain or gzipped YAML), as records. */
export function upstreamObjects(file: string): PolicyRecord[] {
    const bytes = readFileSync(join(fixturesDirectory(), file));
    const text = file.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
    return parseAllDocuments(text)
        .map((document) => document.toJS() as Props | null)
        .filter((object): object is Props => object !== null && typeof object["kind"] === "string")
        .map(asRecord);
}

/** An upstream object found by kind and name, optionally placed as kfstack would install it. */
export function upstreamObject(file: string, kind: string, name: string): PolicyRecord {
    const found = upstreamObjects(file).find((object) => object.type.endsWith(`:${kind}`) && (object.props["metadata"] as { name?: string }).name === name);
    if (!found) throw new Error(`${file} has no ${kind} ${name}`);
    return found;
}
