// The offline RBAC evaluator: hand-worked cases for the rules of the Kubernetes RBAC authorizer it
// follows on rule matching, resourceNames, binding scope, dangling bindings and aggregation.
import { describe, expect, it } from "vitest";
import { buildRbac } from "../../core/rbac/authorizer";
import type { AccessPath, PolicyRule, ResourceRequest } from "../../core/rbac/model";
import { alice, clusterRole, clusterRoleBinding, group, readPods, role, roleBinding, user } from "./rbac-fixtures";

const get = (resource: string, extra: Partial<ResourceRequest> = {}): ResourceRequest => ({
    verb: "get",
    apiGroup: "",
    resource,
    namespace: "team-a",
    ...extra,
});

/** alice bound in team-a to a ClusterRole `tested` holding `rules`. */
function aliceWith(rules: PolicyRule[]) {
    return buildRbac([clusterRole("tested", rules), roleBinding("team-a", "alice-tested", { kind: "ClusterRole", name: "tested" }, [alice])]);
}
const aliceTested = (rule: PolicyRule): AccessPath => ({
    subject: alice,
    binding: "RoleBinding team-a/alice-tested",
    role: "ClusterRole tested",
    rule,
    scope: "team-a",
});

describe("Rbac.can rule matching", () => {
    it("allows a request whose verb, API group and resource a rule lists, with the path that allows it", () => {
        expect(aliceWith([readPods]).can(alice, get("pods", { name: "trainer-0" }))).toEqual([aliceTested(readPods)]);
    });

    it.each<[string, ResourceRequest]>([
        ["another verb", get("pods", { verb: "delete" })],
        ["another API group", get("pods", { apiGroup: "apps" })],
        ["another resource", get("services")],
        ["a subresource of the resource", get("pods", { subresource: "log" })],
    ])("denies %s", (_, request) => {
        expect(aliceWith([readPods]).can(alice, request)).toEqual([]);
    });

    it.each<[string, PolicyRule, ResourceRequest, boolean]>([
        ['verb "*" matches any verb, custom ones too', { apiGroups: [""], resources: ["pods"], verbs: ["*"] }, get("pods", { verb: "escalate" }), true],
        ['apiGroup "*" matches any group', { apiGroups: ["*"], resources: ["deployments"], verbs: ["get"] }, get("deployments", { apiGroup: "apps" }), true],
        [
            'apiGroup "" matches the core group only',
            { apiGroups: [""], resources: ["deployments"], verbs: ["get"] },
            get("deployments", { apiGroup: "apps" }),
            false,
        ],
        ['resource "*" matches every resource', { apiGroups: [""], resources: ["*"], verbs: ["get"] }, get("secrets"), true],
        [
            'resource "*" matches subresources too',
            { apiGroups: [""], resources: ["*"], verbs: ["create"] },
            get("pods", { verb: "create", subresource: "exec", name: "p" }),
            true,
        ],
        [
            'a rule for "pods/log" grants pods/log',
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
            get("pods", { subresource: "log", name: "p" }),
            true,
        ],
        ['a rule for "pods/log" does not grant pods', { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }, get("pods", { name: "p" }), false],
        [
            'a rule for "pods/log" does not grant pods/exec',
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
            get("pods", { subresource: "exec", name: "p" }),
            false,
        ],
        [
            '"*/scale" matches the scale subresource of any resource',
            { apiGroups: ["apps"], resources: ["*/scale"], verbs: ["update"] },
            get("statefulsets", { verb: "update", apiGroup: "apps", subresource: "scale", name: "s" }),
            true,
        ],
        [
            '"*/scale" does not match the resource itself',
            { apiGroups: ["apps"], resources: ["*/scale"], verbs: ["update"] },
            get("statefulsets", { verb: "update", apiGroup: "apps", name: "s" }),
            false,
        ],
        [
            '"*/scale" does not match another subresource',
            { apiGroups: ["apps"], resources: ["*/scale"], verbs: ["update"] },
            get("statefulsets", { verb: "update", apiGroup: "apps", subresource: "status", name: "s" }),
            false,
        ],
        ["matching is case-sensitive", { apiGroups: [""], resources: ["Pods"], verbs: ["GET"] }, get("pods"), false],
    ])("%s", (_, rule, request, allowed) => {
        expect(aliceWith([rule]).can(alice, request)).toEqual(allowed ? [aliceTested(rule)] : []);
    });
});

describe("Rbac.can with resourceNames", () => {
    const named: PolicyRule = {
        apiGroups: [""],
        resources: ["configmaps", "pods/exec"],
        verbs: ["get", "list", "update", "create", "delete", "deletecollection"],
        resourceNames: ["settings"],
    };

    it.each<[string, ResourceRequest, boolean]>([
        ["grants get of a listed name", get("configmaps", { name: "settings" }), true],
        ["grants update of a listed name", get("configmaps", { verb: "update", name: "settings" }), true],
        ["denies get of another name", get("configmaps", { name: "other" }), false],
        ["denies get without a name", get("configmaps"), false],
        ["denies list without a name", get("configmaps", { verb: "list" }), false],
        ["grants list with a metadata.name field selector for a listed name", get("configmaps", { verb: "list", name: "settings" }), true],
        [
            "denies create even when the new object has a listed name, as the API server authorizes create without a name",
            get("configmaps", { verb: "create", name: "settings" }),
            false,
        ],
        ["denies deletecollection, which has no name", get("configmaps", { verb: "deletecollection", name: "settings" }), false],
        [
            "grants create of a subresource of a listed object (pods/exec on pod settings)",
            get("pods", { verb: "create", subresource: "exec", name: "settings" }),
            true,
        ],
    ])("%s", (_, request, allowed) => {
        expect(aliceWith([named]).can(alice, request)).toEqual(allowed ? [aliceTested(named)] : []);
    });
});

describe("Rbac.can binding scope", () => {
    const rbac = buildRbac([
        clusterRole("pod-reader", [readPods]),
        role("team-a", "secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
        roleBinding("team-a", "alice-pods", { kind: "ClusterRole", name: "pod-reader" }, [alice]),
        roleBinding("team-a", "alice-secrets", { kind: "Role", name: "secret-reader" }, [alice]),
        clusterRoleBinding("auditors-read-pods", { kind: "ClusterRole", name: "pod-reader" }, [group("auditors")]),
    ]);

    it("grants a ClusterRole bound by a RoleBinding only in the binding's namespace", () => {
        const path: AccessPath = { subject: alice, binding: "RoleBinding team-a/alice-pods", role: "ClusterRole pod-reader", rule: readPods, scope: "team-a" };
        expect([
            rbac.can(alice, get("pods")),
            rbac.can(alice, get("pods", { namespace: "team-b" })),
            rbac.can(alice, get("pods", { namespace: undefined, verb: "list" })),
        ]).toEqual([[path], [], []]);
    });

    it("grants a Role through a RoleBinding of its namespace", () => {
        const rule = { apiGroups: [""], resources: ["secrets"], verbs: ["get"] };
        expect(rbac.can(alice, get("secrets", { name: "s" }))).toEqual([
            { subject: alice, binding: "RoleBinding team-a/alice-secrets", role: "Role team-a/secret-reader", rule, scope: "team-a" },
        ]);
    });

    it("grants a ClusterRoleBinding in every namespace and for cluster-wide requests", () => {
        const path: AccessPath = {
            subject: group("auditors"),
            binding: "ClusterRoleBinding auditors-read-pods",
            role: "ClusterRole pod-reader",
            rule: readPods,
            scope: "*",
        };
        const bob = user("bob@example.com");
        expect([
            rbac.can(bob, get("pods"), ["auditors"]),
            rbac.can(bob, get("pods", { namespace: "kube-system" }), ["auditors"]),
            rbac.can(bob, get("pods", { verb: "list", namespace: undefined }), ["auditors"]),
            rbac.can(bob, get("pods")),
        ]).toEqual([[path], [path], [path], []]);
    });

    it("lists ClusterRoleBinding paths before RoleBinding paths, as the authorizer consults them", () => {
        expect(rbac.can(alice, get("pods"), ["auditors"]).map((path) => path.binding)).toEqual([
            "ClusterRoleBinding auditors-read-pods",
            "RoleBinding team-a/alice-pods",
        ]);
    });
});

describe("Rbac.danglingBindings", () => {
    const rbac = buildRbac([
        role("team-b", "secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
        roleBinding("team-a", "alice-edit", { kind: "ClusterRole", name: "kubeflow-editt" }, [alice]),
        roleBinding("team-a", "alice-secrets", { kind: "Role", name: "secret-reader" }, [alice]),
        clusterRoleBinding("alice-secrets", { kind: "Role", name: "secret-reader" }, [alice]),
    ]);

    it("reports a binding to a missing ClusterRole, a Role of another namespace, and a ClusterRoleBinding to a Role", () => {
        expect(rbac.danglingBindings()).toEqual([
            {
                binding: "ClusterRoleBinding alice-secrets",
                roleRef: "Role secret-reader",
                message:
                    "ClusterRoleBinding alice-secrets refers to a Role (Role secret-reader), but a ClusterRoleBinding can only refer to a ClusterRole; it grants nothing. Refer to a ClusterRole, or use a RoleBinding in the Role's namespace.",
            },
            {
                binding: "RoleBinding team-a/alice-edit",
                roleRef: "ClusterRole kubeflow-editt",
                message:
                    "RoleBinding team-a/alice-edit refers to ClusterRole kubeflow-editt, which does not exist; it grants nothing. Create the ClusterRole or fix roleRef.name.",
            },
            {
                binding: "RoleBinding team-a/alice-secrets",
                roleRef: "Role team-a/secret-reader",
                message:
                    "RoleBinding team-a/alice-secrets refers to Role team-a/secret-reader, which does not exist; it grants nothing. Create the Role or fix roleRef.name.",
            },
        ]);
    });

    it("grants nothing through a dangling binding", () => {
        expect([rbac.grantsOf(alice), rbac.can(alice, get("secrets", { name: "s", namespace: "team-b" }))]).toEqual([[], []]);
    });
});

describe("Rbac aggregation", () => {
    const label = (name: string) => ({ [`rbac.authorization.kubeflow.org/aggregate-to-${name}`]: "true" });
    const selects = (name: string) => [{ matchLabels: label(name) }];
    const notebooks: PolicyRule = { apiGroups: ["kubeflow.org"], resources: ["notebooks"], verbs: ["create"] };
    const runs: PolicyRule = { apiGroups: ["pipelines.kubeflow.org"], resources: ["runs"], verbs: ["create"] };
    const viewPods: PolicyRule = { apiGroups: [""], resources: ["pods"], verbs: ["get"] };
    // Listed outermost first, so resolving in object order would miss the nested rules.
    const objects = [
        clusterRole("kubeflow-edit", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], { aggregate: selects("kubeflow-edit") }),
        clusterRole("kubeflow-pipelines-edit", [], { labels: label("kubeflow-edit"), aggregate: selects("kubeflow-pipelines-edit") }),
        clusterRole("notebooks-edit", [notebooks], { labels: label("kubeflow-edit") }),
        clusterRole("aggregate-to-kubeflow-pipelines-edit", [runs], { labels: label("kubeflow-pipelines-edit") }),
        clusterRole("kubeflow-view", [], { labels: label("kubeflow-edit"), aggregate: selects("kubeflow-view") }),
        clusterRole("kubernetes-view", [viewPods], { labels: label("kubeflow-view") }),
        clusterRole("unlabelled", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
        roleBinding("team-a", "alice-edit", { kind: "ClusterRole", name: "kubeflow-edit" }, [alice]),
    ];
    const rbac = buildRbac(objects);

    it("replaces an aggregated role's own rules by the selected roles', expanding aggregated roles it selects, selector by selector and role by name", () => {
        expect(rbac.rulesOf("ClusterRole", "kubeflow-edit")).toEqual([
            { rule: runs, aggregatedFrom: "ClusterRole aggregate-to-kubeflow-pipelines-edit", via: ["ClusterRole kubeflow-pipelines-edit"] },
            { rule: viewPods, aggregatedFrom: "ClusterRole kubernetes-view", via: ["ClusterRole kubeflow-view"] },
            { rule: notebooks, aggregatedFrom: "ClusterRole notebooks-edit", via: [] },
        ]);
    });

    it("names the role that holds the rule and the aggregated roles it came through in the path", () => {
        expect([
            rbac.can(alice, { verb: "create", apiGroup: "pipelines.kubeflow.org", resource: "runs", namespace: "team-a" }),
            rbac.can(alice, { verb: "create", apiGroup: "kubeflow.org", resource: "notebooks", namespace: "team-a" }),
        ]).toEqual([
            [
                {
                    subject: alice,
                    binding: "RoleBinding team-a/alice-edit",
                    role: "ClusterRole kubeflow-edit",
                    aggregatedFrom: "ClusterRole aggregate-to-kubeflow-pipelines-edit",
                    via: ["ClusterRole kubeflow-pipelines-edit"],
                    rule: runs,
                    scope: "team-a",
                },
            ],
            [
                {
                    subject: alice,
                    binding: "RoleBinding team-a/alice-edit",
                    role: "ClusterRole kubeflow-edit",
                    aggregatedFrom: "ClusterRole notebooks-edit",
                    via: [],
                    rule: notebooks,
                    scope: "team-a",
                },
            ],
        ]);
    });

    it("does not grant the aggregated role's own rules, nor those of unselected roles", () => {
        expect([rbac.can(alice, get("secrets", { name: "s" })), rbac.can(alice, get("configmaps", { verb: "delete", name: "c" }))]).toEqual([[], []]);
    });

    it("resolves the same rules whatever the order of the objects", () => {
        expect(buildRbac([...objects].reverse()).rulesOf("ClusterRole", "kubeflow-edit")).toEqual(rbac.rulesOf("ClusterRole", "kubeflow-edit"));
    });

    it("selects with matchExpressions: In, NotIn and Exists, all of which must hold", () => {
        const tiered = buildRbac([
            clusterRole("platform", [], {
                aggregate: [
                    {
                        matchExpressions: [
                            { key: "tier", operator: "In", values: ["ml", "data"] },
                            { key: "deprecated", operator: "DoesNotExist" },
                        ],
                    },
                    {
                        matchExpressions: [
                            { key: "extra", operator: "Exists" },
                            { key: "tier", operator: "NotIn", values: ["ml"] },
                        ],
                    },
                ],
            }),
            clusterRole("ml", [notebooks], { labels: { tier: "ml" } }),
            clusterRole("data", [runs], { labels: { tier: "data" } }),
            clusterRole("old-ml", [{ apiGroups: ["kubeflow.org"], resources: ["mxjobs"], verbs: ["create"] }], { labels: { tier: "ml", deprecated: "yes" } }),
            clusterRole("extra-web", [viewPods], { labels: { extra: "" } }),
            clusterRole("extra-ml", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], { labels: { extra: "", tier: "ml", deprecated: "yes" } }),
        ]);
        expect(tiered.rulesOf("ClusterRole", "platform")).toEqual([
            { rule: runs, aggregatedFrom: "ClusterRole data", via: [] },
            { rule: notebooks, aggregatedFrom: "ClusterRole ml", via: [] },
            { rule: viewPods, aggregatedFrom: "ClusterRole extra-web", via: [] },
        ]);
    });

    it("aggregates ClusterRoles only, never a namespaced Role with the label", () => {
        const withRole = buildRbac([
            clusterRole("kubeflow-view", [], { aggregate: selects("kubeflow-view") }),
            { ...role("team-a", "labelled", [viewPods]), metadata: { name: "labelled", namespace: "team-a", labels: label("kubeflow-view") } },
        ]);
        expect(withRole.rulesOf("ClusterRole", "kubeflow-view")).toEqual([]);
    });

    it("ends on aggregated roles that select each other, each with the other's selected rules", () => {
        const cyclic = buildRbac([
            clusterRole("a", [], { labels: { b: "true" }, aggregate: [{ matchLabels: { a: "true" } }] }),
            clusterRole("b", [], { labels: { a: "true" }, aggregate: [{ matchLabels: { b: "true" } }] }),
            clusterRole("leaf", [viewPods], { labels: { a: "true" } }),
        ]);
        expect([cyclic.rulesOf("ClusterRole", "a"), cyclic.rulesOf("ClusterRole", "b")]).toEqual([
            [{ rule: viewPods, aggregatedFrom: "ClusterRole leaf", via: [] }],
            [{ rule: viewPods, aggregatedFrom: "ClusterRole leaf", via: ["ClusterRole a"] }],
        ]);
    });

    it("rejects an invalid clusterRoleSelector, naming the role", () => {
        expect(() => buildRbac([clusterRole("bad", [], { aggregate: [{ matchExpressions: [{ key: "tier", operator: "Equals", values: ["ml"] }] }] })])).toThrow(
            new Error(
                'Invalid label selector: aggregationRule.clusterRoleSelectors[0] of ClusterRole bad, matchExpressions[0] has operator "Equals"; use one of In, NotIn, Exists, DoesNotExist.',
            ),
        );
    });
});
