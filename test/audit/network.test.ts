// The offline NetworkPolicy evaluator: isolation, peers and representative pods, case by case.
import { describe, expect, it } from "vitest";
import { buildNetwork } from "../../core/network-policy/network";
import { allowed, bare, build, defaultDeny, denied, deployment, namespaceNamed, namespaceObject, networkPolicy, tenantNamespace } from "./network-fixtures";

const sameNamespace = (namespace: string) =>
    networkPolicy(namespace, "allow-same-namespace", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] });

describe("Network.canReach: isolation", () => {
    it("allows every connection when no NetworkPolicy exists", () => {
        expect(build().canReach("team-a", "team-b")).toEqual(
            allowed("all", [
                `${bare("team-a")} → ${bare("team-b")}`,
                `no NetworkPolicy selects ${bare("team-a")} for egress`,
                `no NetworkPolicy selects ${bare("team-b")} for ingress`,
            ]),
        );
    });

    it("denies ingress under a default deny for Ingress but leaves the namespace's egress open", () => {
        const network = build(defaultDeny("team-b", ["Ingress"]));
        expect(network.canReach("team-a", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-a")}`,
            ]),
        );
        expect(network.canReach("team-b", "team-a").allowed).toBe(true);
        expect(network.egressToCidr("team-b", "0.0.0.0/0")).toEqual(
            allowed("all", [`${bare("team-b")} → 0.0.0.0/0`, `no NetworkPolicy selects ${bare("team-b")} for egress`]),
        );
    });

    it("denies the namespace's own connections too under a default deny for Ingress and Egress", () => {
        const network = build(defaultDeny("team-b"));
        expect(network.canReach("team-b", "team-a")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for egress",
                `no NetworkPolicy selecting ${bare("team-b")} allows egress to ${bare("team-a")}`,
            ]),
        );
        expect(network.canReach("team-b", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for egress",
                `no NetworkPolicy selecting ${bare("team-b")} allows egress to ${bare("team-b")}`,
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-b")}`,
            ]),
        );
        expect(network.egressToCidr("team-b", "0.0.0.0/0")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for egress",
                `no NetworkPolicy selecting ${bare("team-b")} allows egress to 0.0.0.0/0`,
            ]),
        );
    });

    it("defaults policyTypes to Ingress and Egress for a policy with egress rules, so its silence on ingress denies all ingress", () => {
        const network = build(networkPolicy("team-b", "egress-within", { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] }));
        expect(network.canReach("team-b", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/egress-within selects every pod of team-b for ingress",
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-b")}`,
            ]),
        );
        expect(network.canReach("team-b", "team-a")).toEqual(
            denied([
                "NetworkPolicy team-b/egress-within selects every pod of team-b for egress",
                `no NetworkPolicy selecting ${bare("team-b")} allows egress to ${bare("team-a")}`,
            ]),
        );
    });

    it("defaults policyTypes to Ingress alone for a policy whose egress list is empty", () => {
        const network = build(networkPolicy("team-b", "no-egress-rules", { podSelector: {}, egress: [] }));
        expect(network.canReach("team-b", "team-a").allowed).toBe(true);
        expect(network.canReach("team-a", "team-b").allowed).toBe(false);
    });

    it("ignores ingress rules when policyTypes lists only Egress, leaving ingress open", () => {
        const network = build(networkPolicy("team-b", "egress-only", { podSelector: {}, policyTypes: ["Egress"], ingress: [{ from: [{ podSelector: {} }] }] }));
        expect(network.canReach("team-a", "team-b")).toEqual(
            allowed("all", [
                `${bare("team-a")} → ${bare("team-b")}`,
                `no NetworkPolicy selects ${bare("team-a")} for egress`,
                `no NetworkPolicy selects ${bare("team-b")} for ingress`,
            ]),
        );
        expect(network.canReach("team-b", "team-a").allowed).toBe(false);
    });

    it("selects with an empty podSelector every pod of the policy's namespace, labelled workloads included", () => {
        const network = build(deployment("team-b", "web", { app: "web" }), defaultDeny("team-b", ["Ingress"]));
        expect(network.pods("team-b")).toEqual([
            { namespace: "team-b", description: "pods of Deployment team-b/web", labels: { app: "web" }, symbolic: false },
            { namespace: "team-b", description: bare("team-b"), labels: {}, symbolic: true },
        ]);
        expect(network.canReach("team-a", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                `no NetworkPolicy selecting pods of Deployment team-b/web allows ingress from ${bare("team-a")}`,
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-a")}`,
            ]),
        );
    });

    it("never lets a policy select pods of another namespace, even pods with the labels it selects", () => {
        const network = build(
            deployment("team-b", "web", { app: "web" }),
            defaultDeny("team-a", ["Ingress"]),
            networkPolicy("team-a", "isolate-web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"] }),
        );
        expect(network.canReach("kubeflow", "team-b")).toEqual(
            allowed("all", [
                `${bare("kubeflow")} → pods of Deployment team-b/web`,
                `no NetworkPolicy selects ${bare("kubeflow")} for egress`,
                "no NetworkPolicy selects pods of Deployment team-b/web for ingress",
            ]),
        );
    });
});

describe("Network.canReach: peers", () => {
    it("allows traffic within the namespace through a podSelector {} peer, and only within it", () => {
        const network = build(defaultDeny("team-b"), sameNamespace("team-b"));
        expect(network.canReach("team-b", "team-b")).toEqual(
            allowed("all", [
                `${bare("team-b")} → ${bare("team-b")}`,
                "NetworkPolicy team-b/default-deny selects every pod of team-b for egress",
                "NetworkPolicy team-b/allow-same-namespace allows egress to every pod of team-b on all ports",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-same-namespace allows ingress from every pod of team-b on all ports",
            ]),
        );
        expect(network.canReach("team-a", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-a")}`,
            ]),
        );
    });

    it("admits every pod of the selected namespaces through a namespaceSelector alone", () => {
        const network = build(
            deployment("kubeflow", "ml-pipeline", { app: "ml-pipeline" }),
            defaultDeny("team-b", ["Ingress"]),
            networkPolicy("team-b", "allow-from-kubeflow", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: namespaceNamed("kubeflow") }] }] }),
        );
        expect(network.canReach("kubeflow", "team-b")).toEqual(
            allowed("all", [
                `pods of Deployment kubeflow/ml-pipeline → ${bare("team-b")}`,
                "no NetworkPolicy selects pods of Deployment kubeflow/ml-pipeline for egress",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-from-kubeflow allows ingress from namespaces matching kubernetes.io/metadata.name=kubeflow on all ports",
            ]),
        );
        expect(network.canReach("team-a", "team-b").allowed).toBe(false);
    });

    it("admits, for namespaceSelector and podSelector in one peer, only the labelled pods of the selected namespaces (AND)", () => {
        const network = build(
            defaultDeny("team-b", ["Ingress"]),
            networkPolicy("team-b", "allow-clients", {
                podSelector: {},
                ingress: [{ from: [{ namespaceSelector: namespaceNamed("team-a"), podSelector: { matchLabels: { role: "client" } } }] }],
            }),
        );
        expect(network.canReach("team-a", "team-b")).toEqual(
            allowed("all", [
                `a pod of team-a labelled role=client → ${bare("team-b")}`,
                "no NetworkPolicy selects a pod of team-a labelled role=client for egress",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-clients allows ingress from pods matching role=client in namespaces matching kubernetes.io/metadata.name=team-a on all ports",
            ]),
        );
        expect(network.pods("team-b").map((pod) => pod.description)).toEqual([bare("team-b")]);
        expect(network.canReach("team-b", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-b")}`,
            ]),
        );
        expect(network.canReach("kubeflow", "team-b").allowed).toBe(false);
    });

    it("admits, for the same selectors as two peers, every pod of the namespace or the labelled pods of the policy's own namespace (OR)", () => {
        const network = build(
            defaultDeny("team-b", ["Ingress"]),
            networkPolicy("team-b", "allow-clients", {
                podSelector: {},
                ingress: [{ from: [{ namespaceSelector: namespaceNamed("team-a") }, { podSelector: { matchLabels: { role: "client" } } }] }],
            }),
        );
        expect(network.canReach("team-a", "team-b")).toEqual(
            allowed("all", [
                `${bare("team-a")} → ${bare("team-b")}`,
                `no NetworkPolicy selects ${bare("team-a")} for egress`,
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-clients allows ingress from namespaces matching kubernetes.io/metadata.name=team-a on all ports",
            ]),
        );
        expect(network.canReach("team-b", "team-b")).toEqual(
            allowed("all", [
                `a pod of team-b labelled role=client → ${bare("team-b")}`,
                "no NetworkPolicy selects a pod of team-b labelled role=client for egress",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-clients allows ingress from pods of team-b matching role=client on all ports",
            ]),
        );
        expect(network.canReach("kubeflow", "team-b").allowed).toBe(false);
    });

    it("matches namespaces on the labels of their Namespace objects, the name label the API server sets, and the labels the caller passes", () => {
        const network = buildNetwork(
            [
                namespaceObject("kubeflow", { "control-plane": "kubeflow", "kubernetes.io/metadata.name": "spoofed" }),
                deployment("kube-system", "coredns", { "k8s-app": "kube-dns" }),
                defaultDeny("team-b", ["Ingress"]),
                networkPolicy("team-b", "allow-platform", {
                    podSelector: {},
                    ingress: [
                        { from: [{ namespaceSelector: { matchLabels: { "control-plane": "kubeflow" } } }, { namespaceSelector: namespaceNamed("spoofed") }] },
                    ],
                }),
                networkPolicy("team-b", "allow-profiles", {
                    podSelector: {},
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "app.kubernetes.io/part-of": "kubeflow-profile" } } }] }],
                }),
            ],
            [tenantNamespace("team-a"), { name: "team-b", labels: {} }],
        );
        expect(network.namespaces()).toEqual(["kube-system", "kubeflow", "team-a", "team-b"]);
        expect(network.canReach("kubeflow", "team-b").because.at(-1)).toBe(
            "NetworkPolicy team-b/allow-platform allows ingress from namespaces matching control-plane=kubeflow on all ports",
        );
        expect(network.canReach("team-a", "team-b").because.at(-1)).toBe(
            "NetworkPolicy team-b/allow-profiles allows ingress from namespaces matching app.kubernetes.io/part-of=kubeflow-profile on all ports",
        );
        expect(network.canReach("kube-system", "team-b").allowed).toBe(false);
    });
});

describe("Network.canReach: representative pods", () => {
    it("counts a pod a user could create with the labels a podSelector-specific allow rule names", () => {
        const network = build(
            defaultDeny("team-b", ["Ingress"]),
            networkPolicy("team-b", "allow-notebook-clients", {
                podSelector: { matchLabels: { app: "notebook" } },
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: namespaceNamed("team-a"),
                                podSelector: { matchExpressions: [{ key: "role", operator: "In", values: ["client", "admin"] }] },
                            },
                        ],
                    },
                ],
            }),
        );
        expect(network.pods("team-a").map((pod) => pod.description)).toEqual([
            bare("team-a"),
            "a pod of team-a labelled role=client",
            "a pod of team-a labelled role=admin",
        ]);
        expect(network.pods("team-b").map((pod) => pod.description)).toEqual([bare("team-b"), "a pod of team-b labelled app=notebook"]);
        expect(network.canReach("team-a", "team-b")).toEqual(
            allowed("all", [
                "a pod of team-a labelled role=client → a pod of team-b labelled app=notebook",
                "no NetworkPolicy selects a pod of team-a labelled role=client for egress",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-notebook-clients allows ingress from pods matching role in (client,admin) in namespaces matching kubernetes.io/metadata.name=team-a on all ports",
            ]),
        );
    });

    it("counts a pod carrying two named label sets at once: one its own egress allow needs, one the destination's ingress allow needs", () => {
        const network = build(
            defaultDeny("team-a", ["Egress"]),
            networkPolicy("team-a", "allow-exporter-out", { podSelector: { matchLabels: { app: "exporter" } }, policyTypes: ["Egress"], egress: [{}] }),
            defaultDeny("team-b", ["Ingress"]),
            networkPolicy("team-b", "allow-clients", {
                podSelector: {},
                ingress: [{ from: [{ namespaceSelector: namespaceNamed("team-a"), podSelector: { matchLabels: { role: "client" } } }] }],
            }),
        );
        expect(network.pods("team-a").map((pod) => pod.labels)).toEqual([{}, { app: "exporter" }, { role: "client" }, { app: "exporter", role: "client" }]);
        expect(network.canReach("team-a", "team-b")).toEqual(
            allowed("all", [
                `a pod of team-a labelled app=exporter, role=client → ${bare("team-b")}`,
                "NetworkPolicy team-a/default-deny selects every pod of team-a for egress",
                "NetworkPolicy team-a/allow-exporter-out allows egress to every destination on all ports",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-clients allows ingress from pods matching role=client in namespaces matching kubernetes.io/metadata.name=team-a on all ports",
            ]),
        );
    });
});
