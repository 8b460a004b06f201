// The Kubeflow release a stack installs (kfstack:kubeflow.release): every shipped stack stays on kubeflow-1.8.1, and
// prod planned on kubeflow-1.9.1 keeps its guarantees: the policy pack passes, the tenancy audit finds nothing new,
// no default credential survives, and the gateway authenticates through oauth2-proxy where 1.8.1 used oidc-authservice.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KUBEFLOW_FACTS_TYPE } from "../core/facts";
import { projectDirectory } from "../engine/stack-file";
import { Secret, Unknown } from "../engine/values";
import { type PlannedResource, resource } from "./helpers";
import { planStack } from "../engine/plan";
import { type SharedStack, plannedStack, SHIPPED_STACKS } from "./planned-stacks";

const kubeflowOutputs = async (stack: SharedStack) =>
    (await plannedStack(stack)).resources.find((planned) => planned.type === KUBEFLOW_FACTS_TYPE)!.outputs as {
        release: string;
        customized: Record<string, string[]>;
    };

/** What a Secret's stringData holds once planned: per-stack values are generated, so unknown (and secret) until deployment. */
function stringData(planned: PlannedResource): Record<string, unknown> {
    return planned.inputs["stringData"] as Record<string, unknown>;
}

const generated = (value: unknown) => value instanceof Unknown || (value instanceof Secret && value.value instanceof Unknown);

describe("kfstack:kubeflow.release", () => {
    it.each(SHIPPED_STACKS)("leaves the shipped %s stack on kubeflow-1.8.1, the default", (stack) => {
        const config = (parse(readFileSync(join(projectDirectory(), `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, { release?: string }> })
            .config;
        expect(config["kfstack:kubeflow"]?.release).toBeUndefined();
    });

    it("plans prod on kubeflow-1.8.1 by default, and on kubeflow-1.9.1 when the stack says so", async () => {
        expect((await kubeflowOutputs("prod")).release).toBe("kubeflow-1.8.1");
        expect((await kubeflowOutputs("prod-kubeflow-1.9.1")).release).toBe("kubeflow-1.9.1");
    });
});

describe("the other shipped stacks on kubeflow-1.9.1", () => {
    it.each(SHIPPED_STACKS.filter((stack) => stack !== "prod"))(
        "plan %s with the policy pack passing and no tenancy finding left unacknowledged",
        async (stack) => {
            // airgap on 1.9.1 is a shared plan (the runtime-image tests read it too); the others are planned here only.
            const plan =
                stack === "airgap"
                    ? await plannedStack("airgap-kubeflow-1.9.1")
                    : await planStack(stack, { overrides: { "kubeflow.release": "kubeflow-1.9.1" } });
            expect(plan.resources.find((planned) => planned.type === KUBEFLOW_FACTS_TYPE)?.outputs?.["release"]).toBe("kubeflow-1.9.1");
            expect(plan.policy.violations).toEqual([]);
            expect(plan.tenancy.findings.filter((finding) => finding.acknowledged === undefined)).toEqual([]);
        },
    );
});

describe("prod on kubeflow-1.9.1", () => {
    it("passes the policy pack, and the tenancy audit finds exactly what it finds on 1.8.1", async () => {
        const [current, next] = [await plannedStack("prod"), await plannedStack("prod-kubeflow-1.9.1")];
        expect(next.policy.violations).toEqual([]);
        const findings = (plan: typeof next) =>
            [...new Set(plan.tenancy.findings.map(({ id, acknowledged }) => `${id}${acknowledged ? " (acknowledged)" : ""}`))].sort();
        expect(findings(next)).toEqual(findings(current));
        expect(next.tenancy.findings.filter((finding) => finding.acknowledged === undefined)).toEqual([]);
    });

    it("authenticates through oauth2-proxy with a generated client secret and cookie key, and installs no oidc-authservice", async () => {
        const plan = await plannedStack("prod-kubeflow-1.9.1");
        const proxy = stringData(resource(plan, "kubernetes:core/v1:Secret", "oauth2-proxy/oauth2-proxy-h675gf55ht"));
        expect(proxy["client-id"]).toBe("kubeflow-oidc-authservice");
        expect([proxy["client-secret"], proxy["cookie-secret"]].every(generated)).toBe(true);
        expect(plan.resources.filter((planned) => planned.name.includes("oidc-authservice")).map((planned) => planned.name)).toEqual([]);
        // Dex's example password hash moved into a Secret of its own in 1.9.1; kfstack's Dex configuration does not read it.
        expect(stringData(resource(plan, "kubernetes:core/v1:Secret", "auth/dex-passwords"))).toEqual({});
    });

    it("runs the Training Operator and KServe the release ships", async () => {
        const images = (await plannedStack("prod-kubeflow-1.9.1")).images.images.map((entry) => entry.image);
        expect(images.filter((image) => /training-operator|kserve-controller/.test(image)).sort()).toEqual([
            "docker.io/kserve/kserve-controller:v0.13.1",
            "docker.io/kubeflow/training-operator:v1-04f9f13",
        ]);
    });

    it("records the components the stack customizes on each release: oauth2-proxy's Secret in place of oidc-authservice's, no Knative Eventing, and the training operator's compiled-in images on both", async () => {
        const [current, next] = [(await kubeflowOutputs("prod")).customized, (await kubeflowOutputs("prod-kubeflow-1.9.1")).customized];
        expect(current["oidc-authservice"]).toEqual(["/Secret/istio-system/oidc-authservice-client"]);
        expect(next["oauth2-proxy"]).toEqual(["/Secret/oauth2-proxy/oauth2-proxy-h675gf55ht"]);
        expect(next["training-operator"]).toEqual(current["training-operator"]);
        expect(Object.keys(current).filter((component) => !(component in next))).toEqual(["oidc-authservice", "knative-eventing"]);
        expect(Object.keys(next).filter((component) => !(component in current))).toEqual(["oauth2-proxy"]);
    });

    it("lets Prometheus through the NetworkPolicies 1.9.1 puts on the kubeflow namespace, to the scraped ports and Envoy's, and nowhere 1.8.1 leaves open", async () => {
        const allowances = (plan: Awaited<ReturnType<typeof plannedStack>>) =>
            plan.resources.filter(
                (planned) => planned.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && planned.name.endsWith("/allow-prometheus-scrape"),
            );
        expect(allowances(await plannedStack("prod"))).toEqual([]);
        const [kubeflow] = allowances(await plannedStack("prod-kubeflow-1.9.1"));
        expect(kubeflow?.name).toBe("kubeflow/allow-prometheus-scrape");
        expect(kubeflow?.inputs["spec"]).toEqual({
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "k8s" } },
                        },
                    ],
                    // katib-controller's and the training operator's metrics, the kube-rbac-proxies' https, Envoy's.
                    ports: [
                        { protocol: "TCP", port: 8080 },
                        { protocol: "TCP", port: "https" },
                        { protocol: "TCP", port: 15090 },
                    ],
                },
            ],
        });
    });
});
