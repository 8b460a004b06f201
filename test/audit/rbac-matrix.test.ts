// The offline RBAC evaluator: its access matrix, how it spells requests, and the input it rejects.
import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "../../core/objects";
import { buildRbac } from "../../core/rbac/authorizer";
import { type AccessPath, describeRequest } from "../../core/rbac/model";
import { alice, clusterRole, clusterRoleBinding, group, readPods, roleBinding, user } from "./rbac-fixtures";

describe("Rbac.matrix", () => {
    const rbac = buildRbac([
        clusterRole("pod-reader", [readPods]),
        clusterRole("node-reader", [{ apiGroups: [""], resources: ["nodes"], verbs: ["list"] }]),
        roleBinding("team-a", "alice-pods", { kind: "ClusterRole", name: "pod-reader" }, [alice]),
        clusterRoleBinding("ops-nodes", { kind: "ClusterRole", name: "node-reader" }, [group("ops")]),
    ]);

    it("tells for each subject and namespace which checks are allowed, with one path each; namespace * checks cluster-wide requests", () => {
        const checks = [
            { verb: "list", apiGroup: "", resource: "pods" },
            { verb: "list", apiGroup: "", resource: "nodes" },
        ];
        const podsPath: AccessPath = {
            subject: alice,
            binding: "RoleBinding team-a/alice-pods",
            role: "ClusterRole pod-reader",
            rule: readPods,
            scope: "team-a",
        };
        const nodesPath: AccessPath = {
            subject: group("ops"),
            binding: "ClusterRoleBinding ops-nodes",
            role: "ClusterRole node-reader",
            rule: { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
            scope: "*",
        };
        const bob = user("bob@example.com");
        expect(rbac.matrix([alice, bob], ["team-a", "*"], checks, (subject) => (subject === bob ? ["ops"] : []))).toEqual([
            { subject: "User alice@example.com", namespace: "team-a", allowed: { "list pods": podsPath }, denied: ["list nodes"] },
            { subject: "User alice@example.com", namespace: "*", allowed: {}, denied: ["list pods", "list nodes"] },
            { subject: "User bob@example.com", namespace: "team-a", allowed: { "list nodes": nodesPath }, denied: ["list pods"] },
            { subject: "User bob@example.com", namespace: "*", allowed: { "list nodes": nodesPath }, denied: ["list pods"] },
        ]);
    });
});

describe("describeRequest", () => {
    it("spells a check as kubectl does: verb resource[.group][/subresource]", () => {
        expect([
            describeRequest({ verb: "create", apiGroup: "kubeflow.org", resource: "notebooks" }),
            describeRequest({ verb: "create", apiGroup: "", resource: "pods", subresource: "exec" }),
            describeRequest({ verb: "update", apiGroup: "apps", resource: "deployments", subresource: "scale" }),
        ]).toEqual(["create notebooks.kubeflow.org", "create pods/exec", "update deployments.apps/scale"]);
    });
});

describe("buildRbac input errors", () => {
    it("rejects a binding without a roleRef name, naming the binding", () => {
        const binding = { ...roleBinding("team-a", "broken", { kind: "ClusterRole", name: "x" }, [alice]), roleRef: { kind: "ClusterRole" } };
        expect(() => buildRbac([binding])).toThrow(
            new Error(
                'RoleBinding team-a/broken has roleRef {"kind":"ClusterRole"}; the API server requires roleRef with apiGroup rbac.authorization.k8s.io, kind Role or ClusterRole, and a name.',
            ),
        );
    });

    const binding = roleBinding("team-a", "broken", { kind: "ClusterRole", name: "x" }, [alice]);
    it.each<[string, KubernetesObject, string]>([
        [
            "a rule whose verbs are not a list",
            clusterRole("bad", [{ apiGroups: [""], resources: ["pods"], verbs: "get" as unknown as string[] }]),
            'verbs of rules[0] of ClusterRole bad is "get"; it must be a list.',
        ],
        [
            "a rule whose resources hold a number",
            clusterRole("bad", [{ apiGroups: [""], resources: [7 as unknown as string], verbs: ["get"] }]),
            "resources of rules[0] of ClusterRole bad holds 7; every entry must be a string.",
        ],
        [
            "a binding whose subjects are not a list",
            { ...binding, subjects: { kind: "User" } },
            'subjects of RoleBinding team-a/broken is {"kind":"User"}; it must be a list.',
        ],
        [
            "a subject without a name",
            { ...binding, subjects: [{ kind: "User" }] },
            'subjects[0] of RoleBinding team-a/broken is {"kind":"User"}; a subject needs a kind (User, Group or ServiceAccount) and a name.',
        ],
        [
            "a RoleBinding without a namespace",
            { ...binding, metadata: { name: "broken" } },
            "RoleBinding broken has no metadata.namespace; a RoleBinding grants in its namespace only, so set it.",
        ],
    ])("rejects %s, naming where it is", (_, object, message) => {
        expect(() => buildRbac([object])).toThrow(new Error(message));
    });

    it("reports a binding with a roleRef kind other than Role or ClusterRole as dangling", () => {
        expect(buildRbac([{ ...binding, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "x" } }]).danglingBindings()).toEqual([
            {
                binding: "RoleBinding team-a/broken",
                roleRef: "Group x",
                message: 'RoleBinding team-a/broken has roleRef.kind "Group"; it must be Role or ClusterRole, so the binding grants nothing. Fix roleRef.kind.',
            },
        ]);
    });

    it("leaves out nonResourceURLs rules, which it does not evaluate", () => {
        const rbac = buildRbac([
            { ...clusterRole("health", []), rules: [{ nonResourceURLs: ["/healthz"], verbs: ["get"] }] },
            clusterRoleBinding("health", { kind: "ClusterRole", name: "health" }, [group("system:authenticated")]),
        ]);
        expect(rbac.grantsOf(alice)).toEqual([]);
    });
});
