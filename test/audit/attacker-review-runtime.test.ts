// The attacker of attacker-review.test.ts at run time: a pod of tenant vision (any pod its editors may create, with or
// without an Istio sidecar) tries to reach tenant nlp's work over the network and the mesh, or to break out of its pod
// onto the node. Each test names what stops it: the NetworkPolicy evaluator, the Istio AuthorizationPolicy evaluator,
// the tenant ValidatingAdmissionPolicy's CEL, or the quota.
import { run } from "@bufbuild/cel";
import { beforeAll, describe, expect, it } from "vitest";
import { profileControllerObjects } from "../../components/tenancy/profile-controller";
import { tenancyFacts } from "../../core/facts";
import { type AuthorizationPolicy, type MeshRequest, authorizationPolicies, authorize, policiesFor } from "../../core/istio-authorization";
import { kubernetesKind } from "../../core/kubernetes-resources";
import { type Network, buildNetwork } from "../../core/network-policy/network";
import type { KubernetesObject } from "../../core/objects";
import { policyRecordsOf } from "../../engine/policy-check";
import type { Plan } from "../../engine/plan";
import { plannedStack } from "../planned-stacks";
import { resource } from "../helpers";

const PROXY = "docker.io/istio/proxyv2:1.17.5";
const GATEWAY = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";
const VISION_POD = { namespace: "vision" };
const request = (changes: Partial<MeshRequest>): MeshRequest => ({ port: 8888, path: "/notebook/nlp/work/", method: "GET", headers: {}, ...changes });

type Pod = { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> };
const container = { name: "main", image: "kubeflownotebookswg/jupyter-scipy:v1.8.0" };
const pod = (spec: Record<string, unknown> = {}, containers: Record<string, unknown>[] = [container]): Pod => ({
    metadata: { annotations: { "sidecar.istio.io/inject": "false" } },
    spec: { containers, ...spec },
});

describe("a pod of tenant vision against tenant nlp at run time (prod)", () => {
    let plan: Plan;
    let network: Network;
    let policies: AuthorizationPolicy[];
    let validations: { expression: string; message: string }[];
    /** Whether nlp's sidecars admit the request to any pod of nlp (the namespace-wide policies: its owner's and its members'). */
    const nlpAdmits = (mesh: MeshRequest) => authorize(policiesFor(policies, { namespace: "nlp", labels: {} }), mesh);
    const rejections = (object: Pod) =>
        validations.filter(({ expression }) => run(expression, { object } as unknown as Parameters<typeof run>[1]) !== true).map(({ message }) => message);

    beforeAll(async () => {
        plan = await plannedStack("prod");
        const records = policyRecordsOf(plan.resources);
        const planned = records.filter((record) => kubernetesKind(record.type)).map((record) => record.props as unknown as KubernetesObject);
        const objects = [...planned, ...tenancyFacts(records).flatMap((tenant) => profileControllerObjects(tenant))];
        network = buildNetwork(objects);
        policies = authorizationPolicies(objects);
        const policy = resource(plan, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "kfstack-tenant-pod-security");
        validations = (policy.inputs.spec as { validations: typeof validations }).validations;
    });

    describe("the network", () => {
        it("opens no connection from vision's pods to nlp's pods: notebooks, TensorBoards, model servers, ml-pipeline-ui-artifact, the visualization server", () => {
            for (const port of [8888, 6006, 8080, 8012, 3000, 9091])
                expect(network.canConnect(VISION_POD, { namespace: "nlp" }, port).allowed, `${port}`).toBe(false);
            expect(network.canReach("vision", "nlp").allowed).toBe(false);
        });

        it("opens no connection from vision's pods to the Pipelines UI, metadata-envoy, the web apps, KFAM or either gateway, which would carry a forged kubeflow-userid", () => {
            const targets: { namespace: string; podLabels: Record<string, string>; port: number }[] = [
                { namespace: "kubeflow", podLabels: { app: "ml-pipeline-ui" }, port: 3000 },
                { namespace: "kubeflow", podLabels: { component: "metadata-envoy" }, port: 9090 },
                { namespace: "kubeflow", podLabels: { app: "centraldashboard" }, port: 8082 },
                { namespace: "kubeflow", podLabels: { app: "jupyter-web-app" }, port: 5000 },
                { namespace: "kubeflow", podLabels: { "kustomize.component": "profiles" }, port: 8081 },
                { namespace: "kubeflow", podLabels: { "katib.kubeflow.org/component": "ui" }, port: 8080 },
                { namespace: "istio-system", podLabels: { app: "istio-ingressgateway" }, port: 8080 },
                { namespace: "istio-system", podLabels: { app: "cluster-local-gateway" }, port: 8080 },
            ];
            for (const { port, ...to } of targets) expect(network.canConnect(VISION_POD, to, port).allowed, JSON.stringify(to)).toBe(false);
        });
    });

    describe("the mesh, for whatever reaches nlp's sidecars", () => {
        it("denies a plaintext request from outside the mesh (a pod without sidecar, or the API server's services/proxy to a Service whose Endpoints vision wrote) naming nlp's owner", () => {
            const verdict = nlpAdmits(request({ headers: { "kubeflow-userid": "dara@example.com" } }));
            expect(verdict).toEqual({
                allowed: false,
                because:
                    "no rule of AuthorizationPolicy istio-system/global-deny-all, AuthorizationPolicy nlp/allow-metrics-scrape, AuthorizationPolicy nlp/user-eli-example-com-clusterrole-kubeflow-edit, AuthorizationPolicy nlp/ns-owner-access-istio matches it",
            });
        });

        it("denies the ingress gateway carrying vision's own user, as the gateway's ext_authz sets it, even on a route vision's Endpoints send to nlp's pod", () => {
            for (const user of ["ana@example.com", "ben@example.com", "chen@example.com"]) {
                expect(nlpAdmits(request({ source: { principal: GATEWAY, namespace: "istio-system" }, headers: { "kubeflow-userid": user } })).allowed).toBe(
                    false,
                );
            }
            expect(
                nlpAdmits(request({ source: { principal: GATEWAY, namespace: "istio-system" }, headers: { "kubeflow-userid": "dara@example.com" } })).allowed,
            ).toBe(true);
        });

        it("denies a vision pod's mTLS request, with nlp's owner in the header, and the in-cluster gateway's header-less one", () => {
            const fromVision = { principal: "cluster.local/ns/vision/sa/default-editor", namespace: "vision" };
            expect(nlpAdmits(request({ source: fromVision, headers: { "kubeflow-userid": "dara@example.com" } })).allowed).toBe(false);
            const local = { principal: "cluster.local/ns/istio-system/sa/cluster-local-gateway-istio-system", namespace: "istio-system" };
            expect(nlpAdmits(request({ source: local, headers: { "kubeflow-userid": undefined } })).allowed).toBe(false);
        });

        it("denies the Pipelines UI's artifact proxy to nlp's ml-pipeline-ui-artifact for a user of vision, which forwards the user's header", () => {
            const ui = { principal: "cluster.local/ns/kubeflow/sa/ml-pipeline-ui", namespace: "kubeflow" };
            const verdict = nlpAdmits(request({ source: ui, port: 3000, path: "/artifacts/get", headers: { "kubeflow-userid": "ana@example.com" } }));
            expect(verdict.allowed).toBe(false);
        });

        it("answers a vision pod without a sidecar at ml-pipeline only for the cache calls the audit reports (unauthenticated-pipelines-cache), not for runs", () => {
            const pipeline = policiesFor(policies, { namespace: "kubeflow", labels: { app: "ml-pipeline" } });
            const runs = authorize(pipeline, request({ port: 8888, path: "/apis/v2beta1/runs", headers: { "kubeflow-userid": "dara@example.com" } }));
            expect(runs.allowed).toBe(false);
            const headerless = authorize(pipeline, request({ port: 8888, path: "/apis/v2beta1/runs", headers: { "kubeflow-userid": undefined } }));
            expect(headerless.allowed).toBe(false);
            expect(authorize(pipeline, request({ port: 8887, path: "/api.TaskService/ListTasksV1", headers: { "kubeflow-userid": undefined } })).allowed).toBe(
                true,
            );
        });
    });

    describe("pod security, for every pod an editor creates directly or through a controller", () => {
        it("rejects the node's namespaces, privilege, hostPath and a debug container that is privileged", () => {
            expect(rejections(pod({ hostNetwork: true }))).toEqual(["pods of tenants may not share the node's network namespace (hostNetwork)"]);
            expect(rejections(pod({ hostPID: true }))).toEqual(["pods of tenants may not share the node's process namespace (hostPID)"]);
            expect(rejections(pod({ volumes: [{ name: "root", hostPath: { path: "/" } }] }))).toEqual(["pods of tenants may not mount hostPath volumes"]);
            expect(rejections(pod({ ephemeralContainers: [{ name: "debug", image: "busybox", securityContext: { privileged: true } }] }))).toEqual([
                "ephemeralContainers of tenant pods may not run privileged",
            ]);
        });

        it("rejects a container posing as Istio's init container to gain NET_ADMIN: its own command, or a capability beyond the injector's", () => {
            const init = { name: "istio-init", image: PROXY, args: ["istio-iptables"], securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"] } } };
            const message =
                "initContainers of tenant pods may add only the Pod Security baseline capabilities (Istio's istio-init, as its injector writes it, also NET_ADMIN and NET_RAW)";
            expect(rejections(pod({ initContainers: [init] }))).toEqual([]);
            expect(rejections(pod({ initContainers: [{ ...init, command: ["sh", "-c"] }] }))).toEqual([message]);
            expect(rejections(pod({ initContainers: [{ ...init, securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }] }))).toEqual([message]);
            expect(rejections(pod({ initContainers: [{ ...init, image: "attacker/proxyv2:1.17.5" }] }))).toEqual([message]);
        });

        it("admits what stays inside the pod (shareProcessNamespace, hostAliases, a projected token of its own account with any audience, a Memory emptyDir), which quota and LimitRange bound", () => {
            const inside = pod({
                shareProcessNamespace: true,
                hostAliases: [{ ip: "10.40.0.10", hostnames: ["ml-pipeline.kubeflow.svc.cluster.local"] }],
                volumes: [
                    { name: "token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", path: "token" } }] } },
                    { name: "shm", emptyDir: { medium: "Memory" } },
                ],
            });
            expect(rejections(inside)).toEqual([]);
            // A Memory emptyDir counts against the container's memory limit; limits and pods are bounded per tenant.
            const hard = (resource(plan, "kubernetes:kubeflow.org/v1:Profile", "nlp").inputs.spec as { resourceQuotaSpec: { hard: Record<string, string> } })
                .resourceQuotaSpec.hard;
            expect(hard).toMatchObject({ "limits.memory": "256Gi", pods: expect.any(String), "requests.ephemeral-storage": expect.any(String) });
            const limits = (resource(plan, "kubernetes:core/v1:LimitRange", "vision/tenant-container-defaults").inputs.spec as { limits: unknown[] }).limits;
            expect(limits).toEqual([expect.objectContaining({ default: { memory: "4Gi" }, max: { memory: "512Gi", cpu: "48" } })]);
        });
    });
});
