// Kubeflow as kfstack installs it, proven on the offline plans of the shipped
// stacks with the real rendered manifests (KFSTACK_MANIFESTS_DIR).
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UPSTREAM_DEX_PASSWORD_HASH } from "../components/config/schema";
import { type Plan, planStack } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { Secret, Unknown } from "../engine/values";
import { allInputStrings, resource, resourcesOfType } from "./helpers";
import { addCounts, referenceCounts } from "./manifest-reference";
import { fixturesDirectory } from "./requirements";

const INSTALLED_KUBEFLOW_FILES = [
    "01-cert-manager.yaml",
    "02-kubeflow-issuer.yaml",
    "03-istio-crds.yaml",
    "04-istio-namespace.yaml",
    "05-istio-install.yaml",
    "06-oidc-authservice.yaml",
    "07-dex.yaml",
    "08-knative-serving.yaml",
    "09-knative-eventing.yaml",
    "10-cluster-local-gateway.yaml",
    "11-kubeflow-namespace.yaml",
    "12-kubeflow-roles.yaml",
    "13-kubeflow-istio-resources.yaml",
    "14-pipelines.yaml",
    "15-katib.yaml",
    "16-centraldashboard.yaml",
    "17-admission-webhook.yaml",
    "18-jupyter-web-app.yaml",
    "19-notebook-controller.yaml",
    "20-profiles-kfam.yaml",
    "21-pvcviewer-controller.yaml",
    "22-volumes-web-app.yaml",
    "23-tensorboard-controller.yaml",
    "24-tensorboards-web-app.yaml",
    // 25-training-operator.yaml (v1.7.0) is replaced by training-operator-v1.8.0; 26-user-namespace.yaml is dropped.
    "27-kserve.yaml",
    "28-models-web-app.yaml",
];

/** `apiVersion kind` of a planned Kubernetes object, from its type token. */
function apiVersionKind(type: string): string {
    const [, groupVersion, kind] = type.split(":");
    return `${groupVersion!.replace(/^core\//, "")} ${kind}`;
}

/** The Kubernetes objects of the Kubeflow install (tenants' objects are the tenancy tests' business). */
function kubernetesObjects(plan: Plan) {
    return plan.resources.filter((candidate) => candidate.type.startsWith("kubernetes:") && candidate.urn.includes("kfstack:kubeflow:Kubeflow$"));
}

function countsOf(plan: Plan): Map<string, number> {
    const counts = new Map<string, number>();
    for (const object of kubernetesObjects(plan)) counts.set(apiVersionKind(object.type), (counts.get(apiVersionKind(object.type)) ?? 0) + 1);
    return counts;
}

const sorted = (counts: Map<string, number>) => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));

/** Containers and init containers of every planned workload, with where they are. */
function plannedContainers(plan: Plan) {
    const carriers = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];
    return kubernetesObjects(plan)
        .filter((object) => carriers.includes(object.type.split(":")[2]!))
        .flatMap((object) => {
            const spec = (object.inputs.spec as { template: { spec: { containers: Record<string, unknown>[]; initContainers?: Record<string, unknown>[] } } })
                .template.spec;
            return [...spec.containers, ...(spec.initContainers ?? [])].map((container) => ({
                where: `${object.type} ${object.name} ${String(container["name"])}`,
                container,
            }));
        });
}

describe("Kubeflow on the prod stack", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it("installs every object of the 28 upstream components but the example user, with Training Operator v1.8.0 in place of v1.7.0", () => {
        const expected = addCounts(
            ...INSTALLED_KUBEFLOW_FILES.map((file) => referenceCounts("kubeflow-v1.8.1", file)),
            referenceCounts("training-operator-v1.8.0", "kubeflow.yaml"),
            // kfstack's own: the ingress gateway's TLS certificate and its ACME issuer, and the Pipelines UI's artifact guard.
            new Map([
                ["cert-manager.io/v1 Certificate", 1],
                ["cert-manager.io/v1 ClusterIssuer", 1],
                ["networking.istio.io/v1alpha3 EnvoyFilter", 1],
            ]),
            // Left out on prod's managed data plane (S3, RDS): the bundled MinIO and the Pipelines and Katib MySQLs, with their
            // claims, Services, ServiceAccount and mesh rules; each tenant gets its default-editor ServiceAccount and kfp-launcher elsewhere.
            new Map([
                ["apps/v1 Deployment", -3],
                ["v1 Service", -3],
                ["v1 PersistentVolumeClaim", -3],
                ["v1 ServiceAccount", -1],
                ["networking.istio.io/v1alpha3 DestinationRule", -2],
                ["security.istio.io/v1beta1 AuthorizationPolicy", -2],
            ]),
        );
        expect(sorted(countsOf(plan))).toEqual(sorted(expected));
    });

    it("runs exactly one training operator, on the v1.8.0 image", () => {
        const operators = kubernetesObjects(plan).filter(
            (object) => object.type === "kubernetes:apps/v1:Deployment" && object.name.includes("training-operator"),
        );
        expect(operators.map((operator) => operator.name)).toEqual(["kubeflow/training-operator"]);
        const containers = (operators[0]!.inputs.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers;
        expect(containers.map((container) => container.image)).toEqual(["kubeflow/training-operator:v1-9e52eb7"]);
    });

    it("plans no upstream default credential and no example user anywhere", () => {
        const strings = allInputStrings(plan).join("\n");
        for (const forbidden of [
            "user@example.com",
            UPSTREAM_DEX_PASSWORD_HASH,
            "pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok",
            Buffer.from("pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok").toString("base64"),
            "minio123",
            "kubeflow-user-example-com",
        ]) {
            expect(strings.includes(forbidden), forbidden).toBe(false);
        }
    });

    it("generates the OIDC client secret, the MinIO credentials and both MySQL passwords per stack and keeps them secret", () => {
        const generated = resourcesOfType(plan, "random:index/randomPassword:RandomPassword").map((password) => password.name);
        // The MySQL passwords of Pipelines and Katib on prod are the RDS instance's (kfstack-prod-data-rds-password).
        expect(generated.filter((name) => name.startsWith("kfstack-prod-kubeflow-")).sort()).toEqual([
            "kfstack-prod-kubeflow-minio-access-key",
            "kfstack-prod-kubeflow-minio-secret-key",
            "kfstack-prod-kubeflow-oidc-client-secret",
        ]);
        // On prod Katib's password is the RDS instance's, generated and kept secret by the data plane (test/data-plane.test.ts).
        expect(resource(plan, "kubernetes:core/v1:Secret", "kubeflow/katib-mysql-secrets").inputs.stringData).toEqual({
            MYSQL_ROOT_PASSWORD: expect.any(Secret),
        });
        // Pipelines' and ML Metadata's database user is RDS's, with its password (a secret a preview cannot know).
        expect(resource(plan, "kubernetes:core/v1:Secret", "kubeflow/mysql-secret").inputs.stringData).toEqual({
            username: "kubeflow",
            password: new Secret(Unknown.instance),
        });
        // Generated at deployment, so unknown to a preview: nothing default is there to leak.
        const minio = resource(plan, "kubernetes:core/v1:Secret", "kubeflow/mlpipeline-minio-artifact");
        expect(minio.inputs.data).toBeUndefined();
        expect(minio.inputs.stringData).toEqual({ accesskey: Unknown.instance, secretkey: Unknown.instance });
        expect(resource(plan, "kubernetes:core/v1:Secret", "istio-system/oidc-authservice-client").inputs.stringData).toEqual({
            CLIENT_ID: "kubeflow-oidc-authservice",
            CLIENT_SECRET: Unknown.instance,
        });
        expect(resource(plan, "kubernetes:core/v1:Secret", "auth/dex-oidc-client").inputs.stringData).toEqual({
            OIDC_CLIENT_ID: "kubeflow-oidc-authservice",
            OIDC_CLIENT_SECRET: Unknown.instance,
            DEX_CONNECTOR_CLIENT_SECRET: new Secret("[secret kfstack:identity.oidc.clientSecret]"),
        });
    });

    it("logs people in through the stack's identity provider, with no password database", () => {
        const config = (resource(plan, "kubernetes:core/v1:ConfigMap", "auth/dex").inputs.data as Record<string, string>)["config.yaml"]!;
        expect(config).toContain("enablePasswordDB: false\n");
        expect(config).not.toContain("staticPasswords");
        expect(config).toContain(
            [
                "connectors:",
                "  - type: oidc",
                "    id: sso",
                "    name: Example SSO",
                "    config:",
                "      issuer: https://login.example.com",
                "      clientID: kubeflow",
                "      clientSecret: $DEX_CONNECTOR_CLIENT_SECRET",
                "      redirectURI: https://kubeflow.example.com/dex/callback",
            ].join("\n"),
        );
    });

    it("gives every container a cpu request, a memory request and a memory limit no smaller than the request", () => {
        const missing = plannedContainers(plan).filter(({ container }) => {
            const resources = container["resources"] as { requests?: Record<string, unknown>; limits?: Record<string, unknown> } | undefined;
            return !resources?.requests?.["cpu"] || !resources.requests["memory"] || !resources.limits?.["memory"];
        });
        expect(missing.map(({ where }) => where)).toEqual([]);
        // 51 containers and init containers in the workloads of the installed components (54 with the bundled MinIO and
        // MySQLs, which prod's managed data plane leaves out).
        expect(plannedContainers(plan)).toHaveLength(51);
    });

    it("serves the stack's hosts over HTTPS with a cert-manager certificate and redirects plain HTTP", () => {
        expect(resource(plan, "kubernetes:cert-manager.io/v1:Certificate", "istio-system/kubeflow-gateway-tls").inputs).toEqual({
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "kubeflow-gateway-tls", namespace: "istio-system" },
            spec: {
                secretName: "kubeflow-gateway-tls",
                dnsNames: ["kubeflow.example.com"],
                issuerRef: { kind: "ClusterIssuer", name: "kfstack-gateway", group: "cert-manager.io" },
            },
        });
        expect(
            (resource(plan, "kubernetes:networking.istio.io/v1alpha3:Gateway", "kubeflow/kubeflow-gateway").inputs.spec as { servers: unknown[] }).servers,
        ).toEqual([
            { hosts: ["*"], port: { name: "http", number: 80, protocol: "HTTP" }, tls: { httpsRedirect: true } },
            {
                hosts: ["kubeflow.example.com"],
                port: { name: "https", number: 443, protocol: "HTTPS" },
                tls: { mode: "SIMPLE", credentialName: "kubeflow-gateway-tls" },
            },
        ]);
    });

    it("exposes the ingress gateway on an internal load balancer only", () => {
        const gateway = resource(plan, "kubernetes:core/v1:Service", "istio-system/istio-ingressgateway");
        expect((gateway.inputs.spec as { type: string }).type).toBe("LoadBalancer");
        expect((gateway.inputs.metadata as { annotations: Record<string, string> }).annotations).toMatchObject({
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        });
    });

    it("applies custom resources after their CRD, namespaced objects after their Namespace, and admitted objects after the webhook's Deployment", () => {
        const urnOf = (type: string, name: string) => resource(plan, type, name).urn;
        const certificate = resource(plan, "kubernetes:cert-manager.io/v1:Certificate", "kubeflow/kfp-cache-cert");
        expect(certificate.dependsOn).toEqual(
            expect.arrayContaining([
                urnOf("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "certificates.cert-manager.io"),
                urnOf("kubernetes:core/v1:Namespace", "kubeflow"),
                urnOf("kubernetes:apps/v1:Deployment", "cert-manager/cert-manager-webhook"),
            ]),
        );
    });

    it("records the depth and critical path of the install and the acknowledged Kubernetes version", () => {
        expect(plan.summary.dependencies.depth).toBeGreaterThan(4);
        expect(plan.summary.dependencies.criticalPath).toHaveLength(plan.summary.dependencies.depth);
        // Past the secrets prod leaves to set (test/config-secrets.test.ts), the other warnings are the tenancy audit's acknowledged limitations (test/audit/attacker.test.ts).
        const warnings = plan.summary.warnings.filter((warning) => !warning.includes("is not set, so the plan used a placeholder"));
        expect(warnings.slice(1).map((warning) => warning.split(" (")[0])).toEqual(
            ["unauthenticated-mlmd", "unauthenticated-pipelines-cache", "unauthenticated-katib-db-manager"].map((id) => `Tenancy audit finding ${id}`),
        );
        expect(warnings[0]).toMatch(/^Kubernetes 1\.33 is outside the supported window \(kubeflow-1\.8\.1 supports 1\.25–1\.26/);
        expect(warnings[0]).toMatch(
            /; acknowledged: Managed Kubernetes no longer offers 1\.26; kfstack checks that no rendered object uses an API removed by 1\.33\.$/,
        );
    });
});

describe("Kubeflow on the dev stack", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("dev");
    });

    it("keeps the gateway on a ClusterIP Service, reached by port-forward", () => {
        expect((resource(plan, "kubernetes:core/v1:Service", "istio-system/istio-ingressgateway").inputs.spec as { type: string }).type).toBe("ClusterIP");
    });

    it("logs the static admin in with a hash that comes from a secret, not from the ConfigMap", () => {
        const config = (resource(plan, "kubernetes:core/v1:ConfigMap", "auth/dex").inputs.data as Record<string, string>)["config.yaml"]!;
        expect(config).toContain("enablePasswordDB: true\n");
        expect(config).toContain(
            [
                "staticPasswords:",
                "  - email: admin@example.com",
                "    hashFromEnv: DEX_ADMIN_PASSWORD_HASH",
                "    username: admin",
                "    userID: admin@example.com",
            ].join("\n"),
        );
        expect(resource(plan, "kubernetes:core/v1:Secret", "auth/dex-oidc-client").inputs.stringData).toEqual({
            OIDC_CLIENT_ID: "kubeflow-oidc-authservice",
            OIDC_CLIENT_SECRET: Unknown.instance,
            DEX_ADMIN_PASSWORD_HASH: new Secret("[secret kfstack:identity.staticAdmin.passwordHash]"),
        });
    });
});

describe("Kubeflow manifests that cannot be trusted", () => {
    function copyOfFixtures(): string {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-manifests-"));
        for (const folder of ["kubeflow-v1.8.1", "training-operator-v1.8.0", "kserve-0.11.2"])
            cpSync(join(fixturesDirectory(), folder), join(directory, folder), { recursive: true });
        return directory;
    }

    async function planFailure(manifestsDir: string): Promise<string> {
        const previous = process.env.KFSTACK_MANIFESTS_DIR;
        process.env.KFSTACK_MANIFESTS_DIR = manifestsDir;
        try {
            return await planStack("dev").then(
                () => "planned",
                (error: Error) => error.message,
            );
        } finally {
            process.env.KFSTACK_MANIFESTS_DIR = previous;
            rmSync(manifestsDir, { recursive: true, force: true });
        }
    }

    it("refuses a rendered file that differs from the bill of materials", async () => {
        const directory = copyOfFixtures();
        const file = join(directory, "kubeflow-v1.8.1", "07-dex.yaml");
        const changed = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: auth\n";
        writeFileSync(file, changed);
        expect(await planFailure(directory)).toBe(
            `${file} does not match the bill of materials kubeflow-1.8.1: its sha256 is ${createHash("sha256").update(changed).digest("hex")}, the BOM pins 1dcfb2dc46e9dee2550751190a4ee239331b7d9c169be48869c32c33d5ff742b. ` +
                `The file was changed or rendered from another source; render it again with \`npm run manifests -- pull kubeflow-1.8.1 --out ${directory}\`.`,
        );
    });

    it("names a missing component file and the command that renders it", async () => {
        const directory = copyOfFixtures();
        rmSync(join(directory, "training-operator-v1.8.0"), { recursive: true });
        expect(await planFailure(directory)).toBe(
            `${join(directory, "training-operator-v1.8.0", "kubeflow.yaml")} is missing: the manifests directory has no render of training-operator v1.8.0; run \`npm run manifests -- pull kubeflow-1.8.1 --out ${directory}\`.`,
        );
    });
});
