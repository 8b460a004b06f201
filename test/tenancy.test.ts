// Teams as tenants: what the prod stack (two tenants) and a three-tenant stack
// plan, the audit of their isolation, and the wrong stacks it must catch.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { runCli } from "../cli/commands";
import { auditTenancy, unacknowledged } from "../engine/audit/tenancy-audit";
import { type Plan, planStack } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { type PolicyRecord, evaluatePolicies, policyRecordsOf } from "../engine/policy-check";
import { resource, resourcesOfType, stackFixture } from "./helpers";

const PROFILE = "kubernetes:kubeflow.org/v1:Profile";
const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function records(plan: Plan): PolicyRecord[] {
    return policyRecordsOf(plan.resources);
}

async function mandatory(planned: PolicyRecord[]): Promise<string[]> {
    const report = await evaluatePolicies(planned);
    return report.violations.filter((violation) => violation.enforcement === "mandatory").map((violation) => `${violation.id} ${violation.message}`);
}

describe("tenants of the prod stack", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it("makes each tenant a Kubeflow Profile whose quota bounds requests, memory limits, GPUs, storage, pods, volumes and load balancers, and refuses NodePorts", () => {
        const profile = (name: string, owner: string, hard: Record<string, string>) => ({
            apiVersion: "kubeflow.org/v1",
            kind: "Profile",
            metadata: { name, labels: {} },
            spec: { owner: { kind: "User", name: owner }, resourceQuotaSpec: { hard } },
        });
        const none = { "services.loadbalancers": "0", "services.nodeports": "0" };
        expect(resourcesOfType(plan, PROFILE).map((planned) => planned.inputs)).toEqual([
            // pods: 512Gi of memory holds 512 pods at the 1Gi default request (128 cpu would hold 1,280 at 100m).
            profile("vision", "ana@example.com", {
                "requests.cpu": "128",
                "requests.memory": "512Gi",
                "limits.memory": "512Gi",
                "requests.nvidia.com/gpu": "16",
                "requests.storage": "4Ti",
                "requests.ephemeral-storage": "512Gi",
                "count/persistentvolumeclaims": "40",
                pods: "512",
                ...none,
            }),
            // pods: 256Gi at the 512Mi default request, and 64 cpu at 100m would hold 640.
            profile("nlp", "dara@example.com", {
                "requests.cpu": "64",
                "requests.memory": "256Gi",
                "limits.memory": "256Gi",
                "requests.nvidia.com/gpu": "8",
                "requests.storage": "2Ti",
                "requests.ephemeral-storage": "256Gi",
                "count/persistentvolumeclaims": "20",
                pods: "512",
                ...none,
            }),
        ]);
    });

    it("records member access the way KFAM does: a RoleBinding and an Istio AuthorizationPolicy per member, with user and role annotations", () => {
        const name = "vision/user-ben-example-com-clusterrole-kubeflow-edit";
        expect(resource(plan, ROLE_BINDING, name).inputs).toEqual({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "user-ben-example-com-clusterrole-kubeflow-edit", namespace: "vision", annotations: { user: "ben@example.com", role: "edit" } },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kubeflow-edit" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "ben@example.com" }],
        });
        expect(resource(plan, "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy", name).inputs.spec).toEqual({
            action: "ALLOW",
            rules: [
                {
                    from: [
                        {
                            source: {
                                principals: [
                                    "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account",
                                    "cluster.local/ns/kubeflow/sa/ml-pipeline-ui",
                                ],
                            },
                        },
                    ],
                    when: [{ key: "request.headers[kubeflow-userid]", values: ["ben@example.com"] }],
                },
            ],
        });
    });

    it("gives pods created at run time memory defaults, a minimum and a maximum through a LimitRange", () => {
        expect(resource(plan, "kubernetes:core/v1:LimitRange", "vision/tenant-container-defaults").inputs.spec).toEqual({
            limits: [
                {
                    type: "Container",
                    default: { memory: "4Gi" },
                    defaultRequest: { memory: "1Gi", cpu: "100m" },
                    min: { memory: "64Mi" },
                    max: { memory: "512Gi", cpu: "48" },
                },
            ],
        });
        expect(resource(plan, "kubernetes:core/v1:LimitRange", "nlp/tenant-container-defaults").inputs.spec).toMatchObject({
            limits: [{ max: { memory: "64Gi", cpu: "16" } }],
        });
    });

    it("lets Prometheus read model servers' queue-proxy metrics through the tenants' Istio policies, and nothing else", () => {
        expect(resource(plan, "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy", "vision/allow-metrics-scrape").inputs.spec).toEqual({
            action: "ALLOW",
            rules: [{ to: [{ operation: { ports: ["9091"], methods: ["GET"], paths: ["/metrics"] } }] }],
        });
    });

    it("denies all traffic by default and allows only the namespace itself, the platform, DNS, platform services, the data plane and object storage", () => {
        const names = (tenant: string) =>
            resourcesOfType(plan, NETWORK_POLICY)
                .filter((policy) => policy.name.startsWith(`${tenant}/`))
                .map((policy) => policy.name);
        expect(names("vision").sort()).toEqual([
            "vision/allow-data-plane",
            "vision/allow-dns",
            "vision/allow-from-platform",
            "vision/allow-object-storage",
            "vision/allow-platform-services",
            "vision/allow-same-namespace",
            "vision/default-deny",
        ]);
        expect(names("nlp").sort()).toEqual([
            "nlp/allow-data-plane",
            "nlp/allow-dns",
            "nlp/allow-from-platform",
            "nlp/allow-platform-services",
            "nlp/allow-same-namespace",
            "nlp/default-deny",
        ]);
        for (const tenant of ["vision", "nlp"]) {
            expect(resource(plan, NETWORK_POLICY, `${tenant}/default-deny`).inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        }
    });

    it("creates nothing in a tenant namespace before its Profile, and the Profile only once the profile controller runs", () => {
        const profile = resource(plan, PROFILE, "vision");
        expect(profile.dependsOn).toContain(resource(plan, "kubernetes:apps/v1:Deployment", "kubeflow/profiles-deployment").urn);
        expect(profile.dependsOn).toContain(resource(plan, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "profiles.kubeflow.org").urn);
        const inVision = plan.resources.filter(
            (planned) => planned.type.startsWith("kubernetes:") && (planned.inputs.metadata as { namespace?: string } | undefined)?.namespace === "vision",
        );
        expect(inVision.length).toBeGreaterThan(8);
        for (const planned of inVision) expect(planned.dependsOn, planned.name).toContain(profile.urn);
    });

    it("gives nlp's people the view access to vision that the stack declares, and nothing more", () => {
        expect(
            plan.tenancy.rbac
                .filter((cell) => cell.tenant !== cell.namespace && cell.access !== "none")
                .map(({ subject, tenant, namespace, access }) => ({ subject, tenant, namespace, access })),
        ).toEqual([
            { subject: "User dara@example.com", tenant: "nlp", namespace: "vision", access: "read" },
            { subject: "User eli@example.com", tenant: "nlp", namespace: "vision", access: "read" },
        ]);
        expect(unacknowledged(plan.tenancy)).toEqual([]);
        // No shared object-store key: prod's tenants reach S3 as their own roles (test/data-plane.test.ts).
        expect(plan.tenancy.findings.map((finding) => finding.id)).toEqual([
            "unauthenticated-mlmd",
            "unauthenticated-mlmd",
            "unauthenticated-pipelines-cache",
            "unauthenticated-pipelines-cache",
            "unauthenticated-katib-db-manager",
            "unauthenticated-katib-db-manager",
            // ML Metadata's web endpoint, which any signed-in user reaches through the gateway.
            "unauthenticated-mlmd",
            "unauthenticated-mlmd",
        ]);
    });

    it("lets no tenant's pods reach the other's, while the gateway, Kubeflow, KServe and monitoring (scrapes) reach both", () => {
        const reachable = plan.tenancy.network.filter((cell) => cell.allowed).map((cell) => `${cell.from} → ${cell.to}`);
        expect(reachable).toEqual([
            "istio-system → vision",
            "istio-system → nlp",
            "knative-serving → vision",
            "knative-serving → nlp",
            "kubeflow → vision",
            "kubeflow → nlp",
            "monitoring → vision",
            "monitoring → nlp",
        ]);
    });

    it("passes the policy pack with tenants in place", async () => {
        expect(await mandatory(records(plan))).toEqual([]);
    });

    describe("made wrong on purpose", () => {
        it("catches a RoleBinding that gives tenant nlp's owner edit in vision: TEN-01 and the audit, with the path", async () => {
            const binding: PolicyRecord = {
                type: ROLE_BINDING,
                name: "vision/dara-edit",
                urn: "urn:test:vision/dara-edit",
                props: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "RoleBinding",
                    metadata: { name: "dara-edit", namespace: "vision" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kubeflow-edit" },
                    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "dara@example.com" }],
                },
            };
            const wrong = [...records(plan), binding];
            expect(await mandatory(wrong)).toEqual([
                'TEN-01 RoleBinding "vision/dara-edit" gives User "dara@example.com", the owner of tenant "nlp", a role in tenant namespace "vision" that the stack does not declare; remove the subject, or declare the sharing (members, readsFrom or sharedEditors in kfstack:tenants).',
            ]);
            const [finding, ...others] = unacknowledged(auditTenancy(wrong));
            expect(others).toEqual([]);
            expect(finding!.message).toBe(
                "User dara@example.com of tenant nlp can create notebooks.kubeflow.org in tenant vision's namespace, beyond the read access the stack declares",
            );
            expect(finding!.path.slice(0, 3)).toEqual(["User dara@example.com", "RoleBinding vision/dara-edit", "ClusterRole kubeflow-edit"]);
        });

        it("catches a tenant namespace without its default-deny NetworkPolicy: NET-01", async () => {
            const wrong = records(plan).filter((planned) => planned.name !== "vision/default-deny");
            expect(await mandatory(wrong)).toEqual([
                'NET-01 Tenant namespace "vision" has no default-deny NetworkPolicy (NetworkPolicy "vision/allow-same-namespace" allows ingress (1 rule), allows egress (1 rule)); add one with podSelector {}, policyTypes [Ingress, Egress] and no rules.',
            ]);
        });

        it("catches an allow-all ingress peer: the audit finds namespaces that now reach the tenant's pods, with the policy chain", () => {
            const allowAll: PolicyRecord = {
                type: NETWORK_POLICY,
                name: "vision/allow-all",
                props: {
                    apiVersion: "networking.k8s.io/v1",
                    kind: "NetworkPolicy",
                    metadata: { name: "allow-all", namespace: "vision" },
                    spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] },
                },
            };
            const findings = auditTenancy([...records(plan), allowAll]).findings;
            expect(findings.map((finding) => finding.message)).toContain(
                "Pods of namespace kube-system (not one of the platform's entry points) can open connections to pods of tenant vision (all)",
            );
            expect(findings.find((finding) => finding.message.includes("kube-system"))!.path.join("\n")).toContain("NetworkPolicy vision/allow-all");
        });
    });
});

describe("a stack with three tenants on an existing cluster", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("three-tenants", { configFile: stackFixture("three-tenants") });
    });

    it("plans every tenant, isolates them, and passes the policy pack", async () => {
        expect(resourcesOfType(plan, PROFILE).map((profile) => profile.name)).toEqual(["research", "platform-eng", "fraud"]);
        expect(unacknowledged(plan.tenancy)).toEqual([]);
        expect(plan.tenancy.network.filter((cell) => cell.allowed && plan.tenancy.tenants.includes(cell.from))).toEqual([]);
        expect(await mandatory(records(plan))).toEqual([]);
    });
});

describe("kfstack audit", () => {
    it("prints both matrices for the prod stack and exits 0", async () => {
        const printed: string[] = [];
        const log = vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
        try {
            expect(await runCli(["audit", "prod"])).toBe(0);
        } finally {
            log.mockRestore();
        }
        const output = printed.join("\n");
        expect(output).toContain("| nlp    | User dara@example.com                | read      | write  |");
        expect(output).toContain("| vision           | (same)       | denied       |");
        expect(output).toContain(
            "No tenant can read, write or delete in another tenant's namespace or reach its pods beyond what the stack declares or acknowledges.",
        );
        expect(output).toContain("8 acknowledged (kfstack:tenancy.acknowledge): known limitations the stack accepts.");
    });

    it("exits 1 and prints the path with its id for a stack that acknowledges none of the known limitations (--config)", async () => {
        const directory = mkdtempSync(join(tmpdir(), "kfstack-audit-"));
        const printed: string[] = [];
        const log = vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
        try {
            const document = parseDocument(readFileSync("Pulumi.prod.yaml", "utf8"));
            document.deleteIn(["config", "kfstack:tenancy"]);
            const configFile = join(directory, "Pulumi.prod.yaml");
            writeFileSync(configFile, document.toString());
            expect(await runCli(["audit", "prod", "--config", configFile])).toBe(1);
        } finally {
            log.mockRestore();
            rmSync(directory, { recursive: true, force: true });
        }
        const output = printed.join("\n");
        expect(output).toContain("8 findings: a tenant can reach into another beyond what the stack declares.");
        expect(output).toContain(
            "  [unauthenticated-mlmd] Pods of tenant vision can call ML Metadata (metadata-grpc-service.kubeflow:8080) without any check of who calls",
        );
    });
});
