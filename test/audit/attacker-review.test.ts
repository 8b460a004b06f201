// A review of the prod stack as an attacker: a member of tenant vision (owner ana, editor ben, viewer chen) or one of
// its ServiceAccounts, with exactly the permissions kfstack grants, tries to read, change or delete tenant nlp's work
// through the Kubernetes API and the controllers that act on what vision may write. Each test is one attempt and
// names what stops it: the RBAC evaluator (core/rbac) on the planned roles, or the finding the audit reports.
// The mesh, network and pod attempts are in attacker-review-runtime.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type AuditFinding, auditTenancy, unacknowledged } from "../../engine/audit/tenancy-audit";
import { profileControllerObjects } from "../../components/tenancy/profile-controller";
import { tenancyFacts } from "../../core/facts";
import { kubernetesKind } from "../../core/kubernetes-resources";
import type { KubernetesObject } from "../../core/objects";
import { type Rbac, buildRbac } from "../../core/rbac/authorizer";
import type { ResourceRequest, Subject } from "../../core/rbac/model";
import { type PolicyRecord, policyRecordsOf } from "../../engine/policy-check";
import type { Plan } from "../../engine/plan";
import { plannedStack } from "../planned-stacks";
import { resource } from "../helpers";

const OWNER: Subject = { kind: "User", name: "ana@example.com" };
const EDITOR: Subject = { kind: "User", name: "ben@example.com" };
const VIEWER: Subject = { kind: "User", name: "chen@example.com" };
const WORKLOAD: Subject = { kind: "ServiceAccount", name: "default-editor", namespace: "vision" };
const VISION = [OWNER, EDITOR, VIEWER, WORKLOAD, { kind: "ServiceAccount" as const, name: "default", namespace: "vision" }];
const WRITES = ["create", "update", "patch", "delete", "deletecollection"];

/** nlp's work, as the API names it: notebooks, pipeline runs (Workflows), models, experiments, secrets, volumes and the pods that hold them. */
const NLP_WORK: readonly Omit<ResourceRequest, "verb" | "namespace">[] = [
    { apiGroup: "kubeflow.org", resource: "notebooks" },
    { apiGroup: "argoproj.io", resource: "workflows" },
    { apiGroup: "kubeflow.org", resource: "scheduledworkflows" },
    { apiGroup: "serving.kserve.io", resource: "inferenceservices" },
    { apiGroup: "kubeflow.org", resource: "experiments" },
    { apiGroup: "kubeflow.org", resource: "pytorchjobs" },
    { apiGroup: "tensorboard.kubeflow.org", resource: "tensorboards" },
    { apiGroup: "kubeflow.org", resource: "viewers" },
    { apiGroup: "kubeflow.org", resource: "poddefaults" },
    { apiGroup: "pipelines.kubeflow.org", resource: "runs" },
    { apiGroup: "", resource: "secrets" },
    { apiGroup: "", resource: "configmaps" },
    { apiGroup: "", resource: "persistentvolumeclaims" },
    { apiGroup: "", resource: "pods" },
    { apiGroup: "", resource: "pods", subresource: "exec" },
    { apiGroup: "", resource: "pods", subresource: "portforward" },
    { apiGroup: "", resource: "services", subresource: "proxy" },
    { apiGroup: "", resource: "serviceaccounts", subresource: "token" },
    { apiGroup: "", resource: "endpoints" },
];

describe("an attacker in tenant vision against tenant nlp, through the API and its controllers (prod)", () => {
    let plan: Plan;
    let records: PolicyRecord[];
    let rbac: Rbac;
    const allowed = (subject: Subject, request: ResourceRequest) => rbac.can(subject, request).length > 0;
    const findingsWith = (...added: PolicyRecord[]): AuditFinding[] => unacknowledged(auditTenancy([...records, ...added]));

    beforeAll(async () => {
        plan = await plannedStack("prod");
        records = policyRecordsOf(plan.resources);
        const planned = records.filter((record) => kubernetesKind(record.type)).map((record) => record.props as unknown as KubernetesObject);
        rbac = buildRbac([...planned, ...tenancyFacts(records).flatMap((tenant) => profileControllerObjects(tenant))]);
    });

    it("reads, writes or acts on none of nlp's notebooks, runs, models, experiments, secrets, volumes or pods with any role or ServiceAccount of vision", () => {
        for (const subject of VISION) {
            for (const work of NLP_WORK) {
                for (const verb of ["get", "list", "watch", ...WRITES]) {
                    expect(allowed(subject, { ...work, verb, namespace: "nlp" }), `${subject.name} ${verb} ${work.resource}/${work.subresource ?? ""}`).toBe(
                        false,
                    );
                }
            }
        }
    });

    it("cannot run as, or mint tokens for, another tenant's accounts or people: no impersonate, escalate or bind anywhere", () => {
        for (const subject of VISION) {
            for (const [apiGroup, resourceName] of [
                ["", "users"],
                ["", "groups"],
                ["", "serviceaccounts"],
                ["authentication.k8s.io", "userextras"],
            ] as const) {
                expect(allowed(subject, { verb: "impersonate", apiGroup, resource: resourceName }), `${subject.name} impersonate ${resourceName}`).toBe(false);
            }
            for (const resourceName of ["roles", "clusterroles"]) {
                for (const verb of ["escalate", "bind"]) {
                    for (const namespace of ["vision", "nlp"]) {
                        const request = { verb, apiGroup: "rbac.authorization.k8s.io", resource: resourceName, namespace };
                        expect(allowed(subject, request), `${subject.name} ${verb} ${resourceName} in ${namespace}`).toBe(false);
                    }
                }
            }
        }
    });

    it("leaves the viewer nothing in vision that starts code a controller runs: no pods, exec, Notebooks, Viewers, visualizations, Workflows or InferenceServices", () => {
        const starters: Omit<ResourceRequest, "namespace">[] = [
            { verb: "create", apiGroup: "", resource: "pods" },
            { verb: "create", apiGroup: "", resource: "pods", subresource: "exec" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "notebooks" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "viewers" },
            { verb: "create", apiGroup: "pipelines.kubeflow.org", resource: "visualizations" },
            { verb: "create", apiGroup: "pipelines.kubeflow.org", resource: "runs" },
            { verb: "create", apiGroup: "argoproj.io", resource: "workflows" },
            { verb: "create", apiGroup: "serving.kserve.io", resource: "inferenceservices" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "experiments" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "poddefaults" },
            { verb: "create", apiGroup: "tensorboard.kubeflow.org", resource: "tensorboards" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "pvcviewers" },
            { verb: "get", apiGroup: "", resource: "secrets" },
        ];
        for (const request of starters) expect(allowed(VIEWER, { ...request, namespace: "vision" }), `${request.verb} ${request.resource}`).toBe(false);
        // The viewer still reads, as the role's name says.
        expect(allowed(VIEWER, { verb: "list", apiGroup: "kubeflow.org", resource: "notebooks", namespace: "vision" })).toBe(true);
    });

    it("cannot make a viewer an editor: no tenant role but the owner's writes RoleBindings, none writes Profiles, and KFAM is reached only by the dashboard", () => {
        // KFAM v1.8.0 (components/access-management/kfam/api_default.go CreateBinding) accepts a binding only from the
        // namespace's owner or a cluster admin; its only caller is the central dashboard's identity.
        for (const subject of [EDITOR, VIEWER, WORKLOAD]) {
            expect(
                allowed(subject, { verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: "vision" }),
                subject.name,
            ).toBe(false);
        }
        for (const subject of VISION) {
            for (const verb of ["create", "update", "patch"]) {
                expect(allowed(subject, { verb, apiGroup: "kubeflow.org", resource: "profiles", name: "vision" }), `${subject.name} ${verb}`).toBe(false);
            }
        }
        expect(resource(plan, "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy", "kubeflow/profiles-kfam").inputs.spec).toEqual({
            action: "ALLOW",
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/kubeflow/sa/centraldashboard"] } }] }],
            selector: { matchLabels: { "kustomize.component": "profiles" } },
        });
    });

    it("is refused by each web app's own check for nlp: the SubjectAccessReviews the Jupyter, volumes, TensorBoards, Katib and models apps ask are denied", () => {
        // Each backend asks the API server about the user kubeflow-userid names, for the namespace in the URL (kubeflow v1.8.0
        // crud-web-apps/common/backend kubeflow/kubeflow/crud_backend/authz.py ensure_authorized; katib v0.16.0
        // pkg/new-ui/v1beta1/backend.go IsAuthorized; kserve models-web-app v0.10 reuses crud_backend), and the gateway's
        // ext_authz filter sets that header to the signed-in user.
        const asked: Omit<ResourceRequest, "namespace">[] = [
            { verb: "list", apiGroup: "kubeflow.org", resource: "notebooks" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "notebooks" },
            { verb: "delete", apiGroup: "", resource: "persistentvolumeclaims" },
            { verb: "create", apiGroup: "kubeflow.org", resource: "pvcviewers" },
            { verb: "create", apiGroup: "tensorboard.kubeflow.org", resource: "tensorboards" },
            { verb: "get", apiGroup: "kubeflow.org", resource: "experiments" },
            { verb: "get", apiGroup: "kubeflow.org", resource: "trials" },
            { verb: "delete", apiGroup: "serving.kserve.io", resource: "inferenceservices" },
            { verb: "get", apiGroup: "", resource: "pods", subresource: "log" },
        ];
        for (const subject of [OWNER, EDITOR, VIEWER]) {
            for (const request of asked)
                expect(allowed(subject, { ...request, namespace: "nlp" }), `${subject.name} ${request.verb} ${request.resource}`).toBe(false);
        }
    });

    it("injects no PodDefault into nlp's pods: the editor writes them only in vision, where the admission webhook reads them for vision's pods", () => {
        // admission-webhook v1.8.0 (components/admission-webhook/main.go) lists PodDefaults in the namespace of the pod it admits.
        expect(allowed(EDITOR, { verb: "create", apiGroup: "kubeflow.org", resource: "poddefaults", namespace: "vision" })).toBe(true);
        expect(allowed(EDITOR, { verb: "create", apiGroup: "kubeflow.org", resource: "poddefaults", namespace: "nlp" })).toBe(false);
    });

    it("runs every pod-making object vision may create (Notebook, PyTorchJob, Workflow, Experiment, InferenceService, Viewer, Deployment) as no account beyond vision's: the audit finds no path", () => {
        // A pod's volumes, secretRefs, envFrom and serviceAccountName name objects of the pod's own namespace only; the
        // controllers copy those specs into pods of the object's namespace (notebook-controller v1.8.0, training-operator,
        // Argo, KServe v0.11.2, Pipelines' viewer controller). The audit follows each such object to the accounts it may name.
        const audit = auditTenancy(records);
        expect(unacknowledged(audit)).toEqual([]);
        const visionOnNlp = audit.rbac.filter((cell) => cell.tenant === "vision" && cell.namespace === "nlp");
        expect(visionOnNlp.length).toBeGreaterThan(0);
        expect(visionOnNlp.filter((cell) => cell.access !== "none")).toEqual([]);
    });

    it("cannot claim a domain on the ingress gateway through a Knative DomainMapping: no ClusterDomainClaim is made for it and none can be created", () => {
        // Knative Serving 1.10 serves a DomainMapping only once a ClusterDomainClaim names its namespace, and makes one only
        // when config-network sets autocreate-cluster-domain-claims (default false).
        expect(allowed(EDITOR, { verb: "create", apiGroup: "serving.knative.dev", resource: "domainmappings", namespace: "vision" })).toBe(true);
        const network = resource(plan, "kubernetes:core/v1:ConfigMap", "knative-serving/config-network").inputs.data as Record<string, string>;
        expect(Object.keys(network)).toEqual(["_example"]);
        for (const subject of VISION) {
            for (const verb of ["create", "update", "patch"]) {
                expect(
                    allowed(subject, { verb, apiGroup: "networking.internal.knative.dev", resource: "clusterdomainclaims" }),
                    `${subject.name} ${verb}`,
                ).toBe(false);
            }
        }
    });

    describe("a Kubernetes Ingress as a route on the shared ingress gateway", () => {
        it("cannot be written by any tenant role, in either API group", () => {
            for (const subject of VISION) {
                for (const apiGroup of ["networking.k8s.io", "extensions"]) {
                    for (const verb of WRITES) {
                        const request = { verb, apiGroup, resource: "ingresses", namespace: "vision" };
                        expect(allowed(subject, request), `${subject.name} ${verb} ${apiGroup}`).toBe(false);
                    }
                }
            }
            expect(allowed(VIEWER, { verb: "list", apiGroup: "networking.k8s.io", resource: "ingresses", namespace: "vision" })).toBe(true);
        });

        it("is not turned into a Gateway on the istio: ingressgateway pods: the mesh config turns Istio's Ingress controller off", () => {
            // Istio 1.17.5 defaults to STRICT, converting any Ingress of class istio into a port-80 Gateway on those pods.
            const mesh = parse((resource(plan, "kubernetes:core/v1:ConfigMap", "istio-system/istio").inputs.data as { mesh: string }).mesh) as Record<
                string,
                unknown
            >;
            expect(mesh["ingressControllerMode"]).toBe("OFF");
        });

        it("is reported by the audit when a role given to tenants writes Ingresses again", () => {
            const role: PolicyRecord = {
                type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                name: "edit-ingresses",
                props: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "ClusterRole",
                    metadata: { name: "edit-ingresses", labels: { "rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit": "true" } },
                    rules: [{ apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["create"] }],
                },
            };
            const findings = findingsWith(role);
            expect(findings.find((finding) => finding.message.startsWith("User ben@example.com "))?.message).toBe(
                "User ben@example.com of tenant vision can create ingresses.networking.k8s.io in its own namespace vision, so the isolation kfstack sets there is only advisory",
            );
            expect(findings.every((finding) => finding.kind === "policy")).toBe(true);
        });
    });
});
