import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import type { PolicyRecord } from "../../engine/policy-check";
import { tenantReferences } from "../../policies/tenancy/ten-02-tenant-references";
import { changed, mandatoryViolation, messagesOf, record, undecidedOf, violationsOf } from "./fixtures";
import { at, service, twoTenants } from "./fixtures-tenancy";

/** A Katib Experiment of `namespace` whose trial template is the ConfigMap `namespace/my-templates`. */
function experiment(namespace: string): PolicyRecord {
    return record("kubernetes:kubeflow.org/v1beta1:Experiment", {
        apiVersion: "kubeflow.org/v1beta1",
        kind: "Experiment",
        metadata: { name: "mnist", namespace },
        spec: {
            objective: { type: "maximize", objectiveMetricName: "accuracy" },
            trialTemplate: {
                primaryContainerName: "training-container",
                configMap: { configMapNamespace: namespace, configMapName: "my-templates", templatePath: "job.yaml" },
            },
        },
    });
}

/** Katib's shared trial templates, as its manifests ship them. */
const sharedTemplates = record("kubernetes:core/v1:ConfigMap", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "trial-templates", namespace: "kubeflow", labels: { "katib.kubeflow.org/component": "trial-templates" } },
    data: { "defaultTrialTemplate.yaml": "apiVersion: batch/v1\nkind: Job" },
});

const fixture = [...twoTenants(), sharedTemplates, experiment("team-a"), service("team-a", "mnist", "ClusterIP")];
const TEMPLATE = [at(fixture, "Experiment", "team-a/mnist"), "props", "spec", "trialTemplate", "configMap"];
const SPEC = [at(fixture, "Service", "team-a/mnist"), "props", "spec"];

describe("TEN-02 tenant references", () => {
    it("accepts an Experiment reading its own namespace's template or Katib's shared ones, and a ClusterIP Service", async () => {
        expect(await violationsOf(tenantReferences, fixture)).toEqual([]);
        const shared = changed(fixture, TEMPLATE, {
            configMapNamespace: "kubeflow",
            configMapName: "trial-templates",
            templatePath: "defaultTrialTemplate.yaml",
        });
        expect(await messagesOf(tenantReferences, shared)).toEqual([]);
        const inline = changed(fixture, TEMPLATE, undefined);
        expect(await messagesOf(tenantReferences, inline)).toEqual([]);
    });

    it("rejects an Experiment whose trial template is another tenant's ConfigMap", async () => {
        const bad = changed(fixture, [...TEMPLATE, "configMapNamespace"], "team-b");
        expect(await violationsOf(tenantReferences, bad)).toEqual([
            mandatoryViolation(
                { policy: "ten-02-tenant-references", id: "TEN-02" },
                bad[TEMPLATE[0] as number]!,
                'Experiment "team-a/mnist", in tenant namespace team-a, reads its trial template from ConfigMap "team-b/my-templates" (spec.trialTemplate.configMap), which Katib\'s controller reads with its own rights; keep the template in team-a, or use Katib\'s shared templates.',
            ),
        ]);
    });

    it("rejects a ConfigMap of Katib's namespace that is no shared template, and a shared name without the label", async () => {
        const katibConfig = changed(changed(fixture, [...TEMPLATE, "configMapNamespace"], "kubeflow"), [...TEMPLATE, "configMapName"], "katib-config");
        expect(await messagesOf(tenantReferences, katibConfig)).toEqual([expect.stringContaining('ConfigMap "kubeflow/katib-config"')]);
        const shared = changed(fixture, TEMPLATE, { configMapNamespace: "kubeflow", configMapName: "trial-templates", templatePath: "x" });
        const unlabelled = changed(shared, [at(shared, "ConfigMap", "kubeflow/trial-templates"), "props", "metadata", "labels"], {});
        expect(await messagesOf(tenantReferences, unlabelled)).toEqual([expect.stringContaining('ConfigMap "kubeflow/trial-templates"')]);
    });

    it.each([
        [
            "externalIPs",
            "externalIPs",
            ["10.0.0.10"],
            "sets spec.externalIPs: kube-proxy on every node captures traffic to those addresses (CVE-2020-8554); remove it and expose the Service as ClusterIP.",
        ],
        [
            "loadBalancerIP",
            "loadBalancerIP",
            "10.0.0.20",
            "sets spec.loadBalancerIP: it claims a load balancer address another service may hold or be reserved for; remove it and expose the Service as ClusterIP.",
        ],
        [
            "type ExternalName",
            "type",
            "ExternalName",
            "sets spec.type ExternalName: a route of the shared ingress gateway to it (a Notebook's, whose controller keeps the Service it finds) makes the gateway fetch any host the tenant names, past the tenant's egress policy; remove it and expose the Service as ClusterIP.",
        ],
    ])("rejects a Service with %s", async (_, field, value, message) => {
        expect(await messagesOf(tenantReferences, changed(fixture, [...SPEC, field], value))).toEqual([
            `Service "team-a/mnist", in tenant namespace team-a, ${message}`,
        ]);
    });

    it("leaves objects outside tenant namespaces alone", async () => {
        const platform = [
            changed(service("istio-system", "istio-ingressgateway", "LoadBalancer"), ["props", "spec", "loadBalancerIP"], "10.0.0.1"),
            changed(experiment("kubeflow"), ["props", "spec", "trialTemplate", "configMap", "configMapNamespace"], "team-a"),
        ];
        expect(await messagesOf(tenantReferences, [...fixture, ...platform])).toEqual([]);
    });

    it("is undecided while a tenant Service's spec is unknown", async () => {
        expect((await undecidedOf(tenantReferences, changed(fixture, SPEC, Unknown.instance))).map((entry) => entry.policy)).toEqual([
            "ten-02-tenant-references",
        ]);
    });
});
