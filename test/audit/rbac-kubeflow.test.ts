// The offline RBAC evaluator on the real Kubeflow 1.8.1 roles.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { KubernetesObject } from "../../core/objects";
import { buildRbac } from "../../core/rbac/authorizer";
import type { AccessPath, PolicyRule, ResourceRequest } from "../../core/rbac/model";
import { alice } from "./rbac-fixtures";
import { fixturesDirectory, skipWithoutFixtures } from "../requirements";

// The real Kubeflow 1.8.1 roles (12-kubeflow-roles.yaml and the ClusterRoles of every other component),
// with the RoleBinding KFAM writes when alice@example.com is made a contributor (edit) of Profile team-a.
const skipFixtures = skipWithoutFixtures("the RBAC tests on the Kubeflow 1.8.1 roles");

function readKubeflowRoles(directory: string): KubernetesObject[] {
    const kubeflow = join(directory, "kubeflow-v1.8.1");
    return readdirSync(kubeflow)
        .filter((file) => /^\d\d-.*\.yaml$/.test(file))
        .sort()
        .flatMap((file) =>
            (loadAll(readFileSync(join(kubeflow, file), "utf8")) as (KubernetesObject | null)[]).filter(
                (object): object is KubernetesObject => object !== null && (file === "12-kubeflow-roles.yaml" || object.kind === "ClusterRole"),
            ),
        );
}

describe.skipIf(skipFixtures)("Rbac on the Kubeflow 1.8.1 roles", () => {
    let rbac: ReturnType<typeof buildRbac>;
    const binding = "RoleBinding team-a/user-alice-example-com-clusterrole-edit";
    const viaEdit = (aggregatedFrom: string, rule: PolicyRule, via: string[] = []): AccessPath => ({
        subject: alice,
        binding,
        role: "ClusterRole kubeflow-edit",
        aggregatedFrom,
        via,
        rule,
        scope: "team-a",
    });
    const inTeamA = (verb: string, apiGroup: string, resource: string, extra: Partial<ResourceRequest> = {}): ResourceRequest => ({
        verb,
        apiGroup,
        resource,
        namespace: "team-a",
        ...extra,
    });

    beforeAll(() => {
        // As KFAM's BindingClient.Create writes it (components/access-management/kfam/bindings.go).
        const kfamBinding: KubernetesObject = {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "user-alice-example-com-clusterrole-edit", namespace: "team-a", annotations: { user: "alice@example.com", role: "edit" } },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kubeflow-edit" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice@example.com" }],
        };
        rbac = buildRbac([...readKubeflowRoles(fixturesDirectory()), kfamBinding]);
    });

    it("builds kubeflow-edit from these aggregated roles, kubeflow-view and kubeflow-pipelines-edit among them", () => {
        const sources = new Set(rbac.rulesOf("ClusterRole", "kubeflow-edit")!.map((rule) => [...rule.via!, rule.aggregatedFrom].join(" > ")));
        expect([...sources]).toEqual([
            "ClusterRole admission-webhook-kubeflow-poddefaults-edit > ClusterRole admission-webhook-kubeflow-poddefaults-view",
            "ClusterRole jupyter-web-app-kubeflow-notebook-ui-edit",
            "ClusterRole knative-eventing-namespaced-edit",
            "ClusterRole knative-serving-namespaced-edit",
            "ClusterRole kubeflow-istio-edit",
            "ClusterRole kubeflow-katib-edit",
            "ClusterRole kubeflow-kserve-edit",
            "ClusterRole kubeflow-kubernetes-edit",
            "ClusterRole kubeflow-pipelines-edit > ClusterRole aggregate-to-kubeflow-pipelines-edit",
            "ClusterRole kubeflow-pipelines-edit > ClusterRole kubeflow-pipelines-view > ClusterRole aggregate-to-kubeflow-pipelines-view",
            "ClusterRole kubeflow-training-edit",
            "ClusterRole kubeflow-view > ClusterRole jupyter-web-app-kubeflow-notebook-ui-view",
            "ClusterRole kubeflow-view > ClusterRole knative-eventing-namespaced-view",
            "ClusterRole kubeflow-view > ClusterRole knative-serving-namespaced-view",
            "ClusterRole kubeflow-view > ClusterRole kubeflow-istio-view",
            "ClusterRole kubeflow-view > ClusterRole kubeflow-katib-view",
            "ClusterRole kubeflow-view > ClusterRole kubeflow-kserve-view",
            "ClusterRole kubeflow-view > ClusterRole kubeflow-kubernetes-view",
            "ClusterRole kubeflow-view > ClusterRole kubeflow-training-view",
            "ClusterRole kubeflow-view > ClusterRole notebook-controller-kubeflow-notebooks-view",
            "ClusterRole kubeflow-view > ClusterRole tensorboards-web-app-kubeflow-tensorboard-ui-view",
            "ClusterRole kubeflow-view > ClusterRole volumes-web-app-kubeflow-volume-ui-view",
            "ClusterRole notebook-controller-kubeflow-notebooks-edit",
            "ClusterRole tensorboards-web-app-kubeflow-tensorboard-ui-edit",
            "ClusterRole volumes-web-app-kubeflow-volume-ui-edit",
        ]);
    });

    it("lets alice create notebooks.kubeflow.org in team-a through the Jupyter web app's and the notebook controller's edit roles", () => {
        expect(rbac.can(alice, inTeamA("create", "kubeflow.org", "notebooks"))).toEqual([
            viaEdit("ClusterRole jupyter-web-app-kubeflow-notebook-ui-edit", {
                apiGroups: ["kubeflow.org"],
                resources: ["notebooks", "notebooks/finalizers", "poddefaults"],
                verbs: ["get", "list", "create", "delete"],
            }),
            viaEdit("ClusterRole notebook-controller-kubeflow-notebooks-edit", {
                apiGroups: ["kubeflow.org"],
                resources: ["notebooks", "notebooks/status"],
                verbs: ["get", "list", "watch", "create", "delete", "deletecollection", "patch", "update"],
            }),
        ]);
    });

    it("lets alice create pytorchjobs.kubeflow.org in team-a through kubeflow-training-edit", () => {
        expect(rbac.can(alice, inTeamA("create", "kubeflow.org", "pytorchjobs"))).toEqual([
            viaEdit("ClusterRole kubeflow-training-edit", {
                apiGroups: ["kubeflow.org"],
                resources: ["mpijobs", "tfjobs", "pytorchjobs", "mxjobs", "xgboostjobs", "paddlejobs"],
                verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
            }),
        ]);
    });

    it("lets alice create pipeline runs in team-a through kubeflow-pipelines-edit, two aggregation levels down", () => {
        expect(rbac.can(alice, inTeamA("create", "pipelines.kubeflow.org", "runs"))).toEqual([
            viaEdit(
                "ClusterRole aggregate-to-kubeflow-pipelines-edit",
                {
                    apiGroups: ["pipelines.kubeflow.org"],
                    resources: ["runs"],
                    verbs: ["archive", "create", "delete", "retry", "terminate", "unarchive", "reportMetrics", "readArtifact"],
                },
                ["ClusterRole kubeflow-pipelines-edit"],
            ),
        ]);
    });

    it("lets alice read and write secrets, exec into pods and impersonate service accounts in team-a, all through kubeflow-kubernetes-edit", () => {
        const readRule = {
            apiGroups: [""],
            resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
            verbs: ["get", "list", "watch"],
        };
        const podsRule = {
            apiGroups: [""],
            resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
            verbs: ["create", "delete", "deletecollection", "patch", "update"],
        };
        const writeRule = {
            apiGroups: [""],
            resources: [
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
            verbs: ["create", "delete", "deletecollection", "patch", "update"],
        };
        const impersonateRule = { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] };
        const fromKubernetesEdit = (rule: PolicyRule) => viaEdit("ClusterRole kubeflow-kubernetes-edit", rule);
        expect([
            rbac.can(alice, inTeamA("list", "", "secrets")),
            rbac.can(alice, inTeamA("update", "", "secrets", { name: "mlpipeline-minio-artifact" })),
            rbac.can(alice, inTeamA("create", "", "pods", { subresource: "exec", name: "notebook-0" })),
            rbac.can(alice, inTeamA("impersonate", "", "serviceaccounts", { name: "default-editor" })),
        ]).toEqual([[fromKubernetesEdit(readRule)], [fromKubernetesEdit(writeRule)], [fromKubernetesEdit(podsRule)], [fromKubernetesEdit(impersonateRule)]]);
    });

    it("denies alice roles and rolebindings in team-a, which only kubeflow-admin holds", () => {
        expect([
            rbac.can(alice, inTeamA("create", "rbac.authorization.k8s.io", "rolebindings")),
            rbac.can(alice, inTeamA("create", "security.istio.io", "authorizationpolicies")),
        ]).toEqual([[], []]);
    });

    it("grants alice nothing outside team-a: no grant elsewhere, nothing in team-b, and no cluster-wide read of secrets", () => {
        const checks = [
            inTeamA("get", "", "pods", { namespace: "team-b" }),
            inTeamA("create", "kubeflow.org", "notebooks", { namespace: "team-b" }),
            inTeamA("list", "", "secrets", { namespace: "team-b" }),
            inTeamA("list", "", "secrets", { namespace: undefined }),
            inTeamA("get", "", "secrets", { namespace: undefined, name: "s" }),
        ];
        expect([new Set(rbac.grantsOf(alice).map((grant) => grant.namespace)), ...checks.map((request) => rbac.can(alice, request))]).toEqual([
            new Set(["team-a"]),
            [],
            [],
            [],
            [],
            [],
        ]);
    });

    it("finds no dangling binding", () => {
        expect(rbac.danglingBindings()).toEqual([]);
    });
});
