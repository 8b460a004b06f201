// What tenant objects may make a controller or the network reach (issue 13, attacker review as ben, editor of vision):
// the planned ValidatingAdmissionPolicies, evaluated with a CEL interpreter on the Experiments and Services a member
// of a tenant could write, and on those the platform's controllers write there.
import { run } from "@bufbuild/cel";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { resource } from "./helpers";

const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const TEMPLATES = "kfstack-tenant-trial-templates";
const SERVICES = "kfstack-tenant-services";
const BEN = "ben@example.com";

type Validations = { expression: string; message: string }[];
type Request = { namespace: string; userInfo: { username: string } };

/** An Experiment of vision whose trial template is the ConfigMap `configMap` (spec.trialTemplate.configMap). */
const experiment = (configMap?: Record<string, string>) => ({
    metadata: { name: "mnist", namespace: "vision" },
    spec: {
        objective: { type: "maximize", objectiveMetricName: "accuracy" },
        trialTemplate: {
            primaryContainerName: "training-container",
            ...(configMap ? { configMap } : { trialSpec: { apiVersion: "batch/v1", kind: "Job" } }),
        },
    },
});
const service = (spec: Record<string, unknown>) => ({
    metadata: { name: "mnist", namespace: "vision" },
    spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }], selector: { app: "mnist" }, ...spec },
});

describe("references out of the prod stack's tenant namespaces", () => {
    let plan: Plan;
    const validationsOf = (name: string) => (resource(plan, POLICY, name).inputs.spec as { validations: Validations }).validations;
    /** The messages of the validations the object fails: what the API server answers the writer. */
    const rejections = (policy: string, object: unknown, username = BEN) => {
        const request: Request = { namespace: "vision", userInfo: { username } };
        return validationsOf(policy)
            .filter(({ expression }) => run(expression, { object, request } as unknown as Parameters<typeof run>[1]) !== true)
            .map(({ message }) => message);
    };

    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it.each([
        [TEMPLATES, "kubeflow.org", "*", "experiments"],
        [SERVICES, "", "v1", "services"],
    ])("binds %s, denying and failing closed, to every namespace the profile controller labels as a profile's", (name, group, version, plural) => {
        expect(resource(plan, BINDING, name).inputs.spec).toEqual({
            policyName: name,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "app.kubernetes.io/part-of": "kubeflow-profile" } } },
        });
        expect(resource(plan, POLICY, name).inputs.spec).toMatchObject({
            failurePolicy: "Fail",
            matchConstraints: { resourceRules: [{ apiGroups: [group], apiVersions: [version], operations: ["CREATE", "UPDATE"], resources: [plural] }] },
        });
        for (const profile of ["vision", "nlp"]) {
            expect(resource(plan, "kubernetes:kubeflow.org/v1:Profile", profile).dependsOn).toEqual(
                expect.arrayContaining([resource(plan, POLICY, name).urn, resource(plan, BINDING, name).urn]),
            );
        }
    });

    describe("Katib trial templates", () => {
        const refused =
            "Experiments of tenants may read spec.trialTemplate.configMap only from their own namespace or Katib's shared templates (kubeflow/trial-templates): Katib's controller reads ConfigMaps of every namespace and its webhook quotes them back";

        it("admits an inline trialSpec, a template of the Experiment's own namespace, and the shared templates the Katib UI offers", () => {
            expect(rejections(TEMPLATES, experiment())).toEqual([]);
            expect(rejections(TEMPLATES, experiment({ configMapNamespace: "vision", configMapName: "my-templates", templatePath: "job.yaml" }))).toEqual([]);
            const shared = { configMapNamespace: "kubeflow", configMapName: "trial-templates", templatePath: "defaultTrialTemplate.yaml" };
            expect(rejections(TEMPLATES, experiment(shared))).toEqual([]);
            const labelled = resource(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/trial-templates").inputs.metadata as { labels: Record<string, string> };
            expect(labelled.labels["katib.kubeflow.org/component"]).toBe("trial-templates");
        });

        it.each([
            [
                "another tenant's ConfigMap, with a missing path to have the webhook quote it",
                { configMapNamespace: "nlp", configMapName: "secrets-in-plain-sight", templatePath: "missing" },
            ],
            [
                "another tenant's template, to run it as vision's trial",
                { configMapNamespace: "nlp", configMapName: "trial-templates", templatePath: "job.yaml" },
            ],
            [
                "a platform ConfigMap of Katib's own namespace that is no trial template",
                { configMapNamespace: "kubeflow", configMapName: "katib-config", templatePath: "x" },
            ],
            ["no namespace at all", { configMapName: "trial-templates", templatePath: "defaultTrialTemplate.yaml" }],
        ])("rejects %s", (_, configMap) => {
            expect(rejections(TEMPLATES, experiment(configMap))).toEqual([refused]);
        });
    });

    describe("Services", () => {
        it("admits a ClusterIP Service, an empty externalIPs, and the ExternalName Services KServe's and Knative's controllers write", () => {
            expect(rejections(SERVICES, service({}))).toEqual([]);
            expect(rejections(SERVICES, service({ type: "ClusterIP", externalIPs: [] }))).toEqual([]);
            const placeholder = service({ type: "ExternalName", externalName: "knative-local-gateway.istio-system.svc.cluster.local" });
            expect(rejections(SERVICES, placeholder, "system:serviceaccount:kubeflow:kserve-controller-manager")).toEqual([]);
            expect(rejections(SERVICES, placeholder, "system:serviceaccount:knative-serving:controller")).toEqual([]);
        });

        it("exempts ServiceAccounts the platform plans", () => {
            for (const name of ["kubeflow/kserve-controller-manager", "knative-serving/controller"]) resource(plan, "kubernetes:core/v1:ServiceAccount", name);
        });

        it.each([
            [
                "externalIPs, to capture another address's traffic on every node",
                service({ externalIPs: ["10.0.0.10"] }),
                "Services of tenants may not set spec.externalIPs: kube-proxy on every node captures traffic to those addresses (CVE-2020-8554)",
            ],
            [
                "a load balancer address of its choosing",
                service({ type: "LoadBalancer", loadBalancerIP: "10.0.0.20" }),
                "Services of tenants may not set spec.loadBalancerIP: it claims a load balancer address another service may hold or be reserved for",
            ],
            [
                "an ExternalName a notebook's gateway route would follow",
                service({ type: "ExternalName", externalName: "ml-pipeline.kubeflow.svc.cluster.local" }),
                "Services of tenants may not set spec.type ExternalName (KServe's and Knative's controllers may): a route of the shared ingress gateway to it (a Notebook's, whose controller keeps the Service it finds) makes the gateway fetch any host the tenant names, past the tenant's egress policy",
            ],
        ])("rejects %s", (_, attack, message) => {
            expect(rejections(SERVICES, attack)).toEqual([message]);
        });
    });
});
