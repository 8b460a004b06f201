// The tenancy audit as the attacker: the prod plan with one object added, the
// way an edit to the program or a hand-applied manifest would add it, must
// make the audit report the exact path with its chain. The prod plan itself
// has none (test/tenancy.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditFinding, auditTenancy, unacknowledged } from "../../engine/audit/tenancy-audit";
import { TENANCY_FACTS_TYPE } from "../../core/facts";
import { type PolicyRecord, policyRecordsOf } from "../../engine/policy-check";
import { plannedStack } from "../planned-stacks";

const RBAC = "rbac.authorization.k8s.io";

function object(kind: string, name: string, body: Record<string, unknown>, namespace?: string, labels: Record<string, string> = {}): PolicyRecord {
    const apiVersion = kind === "ServiceAccount" ? "v1" : `${RBAC}/v1`;
    return {
        type: `kubernetes:${kind === "ServiceAccount" ? "core" : RBAC}/v1:${kind}`,
        name: namespace ? `${namespace}/${name}` : name,
        props: { apiVersion, kind, metadata: { name, labels, ...(namespace ? { namespace } : {}) }, ...body },
    };
}

function clusterRole(name: string, rules: Record<string, string[]>[], labels: Record<string, string> = {}): PolicyRecord {
    return object("ClusterRole", name, { rules }, undefined, labels);
}

function clusterRoleBinding(name: string, role: string, subject: Record<string, string>): PolicyRecord {
    return object("ClusterRoleBinding", name, { roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects: [subject] });
}

describe("the tenancy audit of the prod plan with a path added", () => {
    let prod: PolicyRecord[];
    beforeAll(async () => {
        prod = policyRecordsOf((await plannedStack("prod")).resources);
    });
    const findingsWith = (...added: PolicyRecord[]): AuditFinding[] => unacknowledged(auditTenancy([...prod, ...added]));

    it("finds a tenant ServiceAccount that may exec into pods cluster-wide, with subject → binding → role → rule", () => {
        const findings = findingsWith(
            clusterRole("debug-exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
            clusterRoleBinding("vision-debug", "debug-exec", { kind: "ServiceAccount", name: "default-editor", namespace: "vision" }),
        );
        expect(findings.map((finding) => finding.message)).toEqual([
            "ServiceAccount vision/default-editor of tenant vision can create pods/exec in tenant nlp's namespace, which the stack does not declare",
        ]);
        expect(findings[0]!.path).toEqual([
            "ServiceAccount vision/default-editor",
            "ClusterRoleBinding vision-debug",
            "ClusterRole debug-exec",
            'rule {"apiGroups":[""],"resources":["pods/exec"],"verbs":["create"]}',
        ]);
    });

    it("counts a rule limited by resourceNames for the named objects, with the names in the path, but never for create or deletecollection", () => {
        const subject = { kind: "ServiceAccount", name: "default-editor", namespace: "vision" };
        const named = (verbs: string[]) => [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["mlpipeline-minio-artifact"], verbs }];
        expect(
            findingsWith(clusterRole("named-writer", named(["create", "deletecollection"])), clusterRoleBinding("vision-named", "named-writer", subject)),
        ).toEqual([]);
        const findings = findingsWith(clusterRole("named-reader", named(["get"])), clusterRoleBinding("vision-named", "named-reader", subject));
        expect(findings.map((finding) => finding.message)).toEqual([
            "ServiceAccount vision/default-editor of tenant vision can get secrets in tenant nlp's namespace, which the stack does not declare",
        ]);
        expect(findings[0]!.path.at(-1)).toBe('rule {"apiGroups":[""],"resources":["secrets"],"resourceNames":["mlpipeline-minio-artifact"],"verbs":["get"]}');
    });

    it("follows a Notebook or pod an editor creates as a ServiceAccount of its namespace to that account's cluster-wide secrets read", () => {
        const findings = findingsWith(
            object("ServiceAccount", "ci", {}, "vision"),
            clusterRole("secrets-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
            clusterRoleBinding("vision-ci", "secrets-reader", { kind: "ServiceAccount", name: "ci", namespace: "vision" }),
        );
        expect(findings.map((finding) => finding.message)).toEqual([
            "ServiceAccount vision/ci, which tenant vision's attacker can run pods as, can get secrets in tenant nlp's namespace, which the stack does not declare",
        ]);
        const path = findings[0]!.path;
        // The chain: a member of vision, the binding and rule that let them create a pod-making object, the account it names, and that account's grant.
        expect(path[0]).toBe("User ana@example.com");
        expect(path.find((step) => step.endsWith("naming serviceAccountName ci"))).toMatch(/^create [a-z.]+ in namespace vision naming serviceAccountName ci$/);
        expect(path.slice(-4)).toEqual([
            "ServiceAccount vision/ci",
            "ClusterRoleBinding vision-ci",
            "ClusterRole secrets-reader",
            'rule {"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}',
        ]);
    });

    it("finds a tenant role that writes NetworkPolicies in the tenant's own namespace", () => {
        const findings = findingsWith(
            clusterRole("edit-network-policies", [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["create"] }], {
                "rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit": "true",
            }),
        );
        const owner = findings.find((finding) => finding.message.startsWith("User ana@example.com "));
        expect(owner?.message).toBe(
            "User ana@example.com of tenant vision can create networkpolicies.networking.k8s.io in its own namespace vision, so the isolation kfstack sets there is only advisory",
        );
        expect(owner!.path).toContain("ClusterRole edit-network-policies");
        expect(findings.every((finding) => finding.kind === "policy")).toBe(true);
        expect(findings.map((finding) => finding.message.split(" can ")[0])).toContain("ServiceAccount nlp/default-editor of tenant nlp");
    });

    it("finds a tenant ServiceAccount that may bind any ClusterRole in its own namespace", () => {
        const findings = findingsWith(
            clusterRole("binder", [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"] }]),
            object(
                "RoleBinding",
                "binder",
                { roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "binder" }, subjects: [{ kind: "ServiceAccount", name: "default-editor" }] },
                "nlp",
            ),
        );
        expect(findings.map((finding) => finding.message)).toEqual([
            "ServiceAccount nlp/default-editor of tenant nlp can bind clusterroles.rbac.authorization.k8s.io in its own namespace nlp, so the isolation kfstack sets there is only advisory",
        ]);
        expect(findings[0]!.path.slice(1, 3)).toEqual(["RoleBinding nlp/binder", "ClusterRole binder"]);
    });

    describe("the platform services tenant pods call without an identity", () => {
        const withAcknowledgements = (acknowledge: unknown[]): PolicyRecord[] =>
            prod.map((record) => (record.type === TENANCY_FACTS_TYPE ? { ...record, props: { ...record.props, acknowledge } } : record));

        it("fails the audit when an acknowledgement names no finding (stale)", () => {
            const acknowledge = ["unauthenticated-mlmd", "unauthenticated-pipelines-cache", "unauthenticated-katib-db-manager", "unauthenticated-minio"];
            const findings = unacknowledged(auditTenancy(withAcknowledgements(acknowledge.map((finding) => ({ finding, reason: "A known limitation." })))));
            expect(findings.map((finding) => finding.message)).toEqual([
                'kfstack:tenancy.acknowledge names finding "unauthenticated-minio", which the audit does not find; remove the entry (or fix its id as npm run audit prints it).',
            ]);
        });

        it("finds ML Metadata, the Pipelines cache and katib-db-manager answering any caller that tenant pods reach, and ML Metadata any signed-in user, with source → policy → destination", () => {
            const findings = unacknowledged(auditTenancy(withAcknowledgements([])));
            expect(findings.map((finding) => `${finding.id}: ${finding.message}`)).toEqual([
                "unauthenticated-mlmd: Pods of tenant vision can call ML Metadata (metadata-grpc-service.kubeflow:8080) without any check of who calls; it holds every tenant's pipeline executions and artifacts, so they can read or change those of nlp",
                "unauthenticated-mlmd: Pods of tenant nlp can call ML Metadata (metadata-grpc-service.kubeflow:8080) without any check of who calls; it holds every tenant's pipeline executions and artifacts, so they can read or change those of vision",
                "unauthenticated-pipelines-cache: Pods of tenant vision can call ml-pipeline's cache API (ml-pipeline.kubeflow:8887, TaskService) without any check of who calls; it holds every tenant's cached step results, which Pipelines 2.0.5's task_server.go reads and writes without authorization, so they can read or change those of nlp",
                "unauthenticated-pipelines-cache: Pods of tenant nlp can call ml-pipeline's cache API (ml-pipeline.kubeflow:8887, TaskService) without any check of who calls; it holds every tenant's cached step results, which Pipelines 2.0.5's task_server.go reads and writes without authorization, so they can read or change those of vision",
                "unauthenticated-katib-db-manager: Pods of tenant vision can call katib-db-manager (katib-db-manager.kubeflow:6789) without any check of who calls; it holds every tenant's trial metrics, so they can read or change those of nlp",
                "unauthenticated-katib-db-manager: Pods of tenant nlp can call katib-db-manager (katib-db-manager.kubeflow:6789) without any check of who calls; it holds every tenant's trial metrics, so they can read or change those of vision",
                "unauthenticated-mlmd: People of tenant vision can reach ML Metadata's web endpoint (metadata-envoy, which the Pipelines UI calls from the browser) through gateway kubeflow/kubeflow-gateway with nothing but their login; it holds every tenant's pipeline executions and artifact locations, so they can read those of nlp",
                "unauthenticated-mlmd: People of tenant nlp can reach ML Metadata's web endpoint (metadata-envoy, which the Pipelines UI calls from the browser) through gateway kubeflow/kubeflow-gateway with nothing but their login; it holds every tenant's pipeline executions and artifact locations, so they can read those of vision",
            ]);
            expect(findings[0]!.path).toContain(
                "NetworkPolicy vision/allow-platform-services allows egress to pods matching component=metadata-grpc-server in namespaces matching kubernetes.io/metadata.name in (kubeflow) on TCP 8080",
            );
            expect(findings[0]!.path.slice(-2)).toEqual([
                "AuthorizationPolicy kubeflow/metadata-grpc-service admits it by rule 1: {}, for a caller that names no user",
                "the records of tenant nlp",
            ]);
            expect(findings[2]!.path.slice(-2)).toEqual([
                'AuthorizationPolicy kubeflow/ml-pipeline admits it by rule 2: {"to":[{"operation":{"ports":["8887"],"paths":["/api.TaskService/CreateTaskV1","/api.TaskService/ListTasksV1"]}}],"when":[{"key":"request.headers[kubeflow-userid]","notValues":["*"]}]}, for a caller that names no user',
                "the records of tenant nlp",
            ]);
            expect(findings[4]!.path.slice(-2)).toEqual([
                'Deployment kubeflow/katib-db-manager runs without an Istio sidecar (sidecar.istio.io/inject: "false"), so no AuthorizationPolicy checks its callers',
                "the records of tenant nlp",
            ]);
        });

        it("is recorded with its reason as a plan warning when acknowledged, as the prod stack does, which acknowledges no shared key", async () => {
            expect(
                unacknowledged(
                    auditTenancy(
                        prod.map((record) => (record.type === TENANCY_FACTS_TYPE ? { ...record, props: { ...record.props, acknowledge: [] } } : record)),
                    ),
                ).map((finding) => finding.id),
            ).not.toContain("shared-object-store-key");
            const warnings = (await plannedStack("prod")).summary.warnings.filter((warning) => warning.startsWith("Tenancy audit"));
            expect(warnings).toHaveLength(3);
            expect(warnings[0]).toMatch(/^Tenancy audit finding unauthenticated-mlmd \(Pods of tenant vision can call ML Metadata/);
            expect(warnings[0]).toMatch(/; acknowledged: The v2 driver and launcher in tenant pods must reach ML Metadata's gRPC server/);
        });
    });

    it("finds every pair of tenants reachable when the cluster enforces no NetworkPolicy, whatever the policies say", () => {
        const noAgent = prod.map((record) =>
            record.type === "aws:eks/addon:Addon" && record.props["addonName"] === "vpc-cni"
                ? { ...record, props: { ...record.props, configurationValues: "{}" } }
                : record,
        );
        const network = unacknowledged(auditTenancy(noAgent)).filter((finding) => finding.kind === "network");
        // Every namespace reaches the tenants, not only the platform's entry points.
        expect(network.map((finding) => finding.id)).toContain("network:kube-system:vision");
        const findings = network.filter((finding) => ["network:nlp:vision", "network:vision:nlp"].includes(finding.id));
        expect(findings.map((finding) => [finding.id, finding.message])).toEqual([
            ["network:nlp:vision", "Pods of tenant nlp can open connections to pods of tenant vision (all)"],
            ["network:vision:nlp", "Pods of tenant vision can open connections to pods of tenant nlp (all)"],
        ]);
        expect(findings[0]!.path).toEqual([
            'EKS cluster "kfstack-prod" enforces no NetworkPolicy: it plans the vpc-cni add-on "kfstack-prod-vpc-cni" with enableNetworkPolicy not set, so its network policy agent stays off; set its configurationValues to {"enableNetworkPolicy":"true"}',
        ]);
    });
});
