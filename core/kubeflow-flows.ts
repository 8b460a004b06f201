// The connections Kubeflow 1.8.1 needs across a tenant namespace's boundary,
// as data in one place: tenant NetworkPolicies are built from it
// (components/tenancy/objects.ts), NET-02 requires its egress by default, and
// the tests find each open on the planned stacks while tenants stay apart.
// Pods are named by the labels their upstream pod templates carry.

/** Pods of one namespace, by labels. */
export interface FlowPods {
    namespace: string;
    podLabels: Readonly<Record<string, string>>;
}

/** Pods of one namespace, by labels, on TCP ports. */
export interface FlowEndpoint extends FlowPods {
    ports: readonly number[];
}

/** What needs the flow, and the upstream source that says so. */
interface Described {
    name: string;
    why: string;
    /** Needed only when the stack installs this feature. */
    when?: "kserve" | "monitoring";
}

/** Tenant pods (pipeline steps, notebooks, trial and model pods) opening connections to platform pods. */
export interface EgressFlow extends Described {
    to: FlowEndpoint;
    /** An object store: a stack may keep artifacts in another one (S3, GCS) instead. */
    objectStore?: true;
}

/** Pods of a platform namespace opening connections to tenant pods, on any port: `ports` are those upstream uses, tenant pods may serve others. */
export interface IngressFlow extends Described {
    from: FlowPods;
    ports: readonly number[];
}

export const EGRESS_FLOWS: readonly EgressFlow[] = [
    {
        name: "istiod",
        why: "Istio sidecars fetch their configuration (XDS) and certificates from istiod.",
        to: { namespace: "istio-system", podLabels: { app: "istiod" }, ports: [15012, 15017] },
    },
    {
        name: "pipelines-api",
        why: "The v2 driver and launcher ask the Pipelines API for cached results at ml-pipeline.kubeflow:8887 (pipelines 2.0.5 backend/src/v2/cacheutils/cache.go); notebooks use the SDK on 8888.",
        to: { namespace: "kubeflow", podLabels: { app: "ml-pipeline" }, ports: [8888, 8887] },
    },
    {
        name: "ml-metadata",
        why: "The v2 driver and launcher record executions and artifacts in ML Metadata at metadata-grpc-service.kubeflow:8080 (backend/src/v2/metadata/env.go); its pods carry component=metadata-grpc-server and no app label.",
        to: { namespace: "kubeflow", podLabels: { component: "metadata-grpc-server" }, ports: [8080] },
    },
    {
        name: "pipelines-artifacts",
        why: "Pipeline steps and KServe's storage initializer read and write artifacts in MinIO at minio-service.kubeflow:9000 (backend/src/v2/objectstore/object_store.go).",
        to: { namespace: "kubeflow", podLabels: { app: "minio" }, ports: [9000] },
        objectStore: true,
    },
    {
        name: "katib-db-manager",
        why: "Katib's metrics collector sidecar reports each trial's metrics to katib-db-manager.kubeflow:6789 (katib v0.16.0 pkg/controller.v1beta1/consts/const.go).",
        to: { namespace: "kubeflow", podLabels: { "katib.kubeflow.org/component": "db-manager" }, ports: [6789] },
    },
];

export const INGRESS_FLOWS: readonly IngressFlow[] = [
    {
        name: "gateway",
        why: "The ingress gateway routes users to notebooks (Jupyter on 8888), TensorBoards and model servers in tenant namespaces.",
        from: { namespace: "istio-system", podLabels: { app: "istio-ingressgateway" } },
        ports: [8888],
    },
    {
        name: "kubeflow",
        why: "The Pipelines UI reads artifacts through the per-namespace ml-pipeline-ui-artifact server (port 3000) that the Pipelines profile controller runs.",
        from: { namespace: "kubeflow", podLabels: { app: "ml-pipeline-ui" } },
        ports: [3000],
    },
    {
        name: "activator",
        why: "Knative's activator forwards requests to the queue-proxy (8012) of model servers that scale from zero.",
        from: { namespace: "knative-serving", podLabels: { app: "activator" } },
        ports: [8012],
        when: "kserve",
    },
    {
        name: "metrics-scrape",
        why: "Prometheus scrapes the model servers' queue-proxy metrics (9091).",
        from: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } },
        ports: [9091],
        when: "monitoring",
    },
];

/** The features a stack installs, as flows' `when` names them. */
export type FlowFeatures = Readonly<Record<NonNullable<Described["when"]>, boolean>>;

/** The flows a stack with these features needs. */
export function flowsFor<F extends Described>(flows: readonly F[], features: FlowFeatures): F[] {
    return flows.filter((flow) => flow.when === undefined || features[flow.when]);
}
