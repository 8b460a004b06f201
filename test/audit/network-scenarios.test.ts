// The offline NetworkPolicy evaluator: egress to address blocks, kfstack's and upstream Kubeflow's tenants, and the input it rejects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "../../core/objects";
import { buildNetwork } from "../../core/network-policy/network";
import { allowed, NAMESPACES, allowAllNamespaces, bare, build, defaultDeny, denied, networkPolicy, tenantNamespace, twoTenants } from "./network-fixtures";
import { fixturesDirectory, skipWithoutFixtures } from "../requirements";

describe("Network.egressToCidr", () => {
    const httpsOut = networkPolicy("team-a", "allow-https-out", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.169.254/32"] } }, { ipBlock: { cidr: "::/0" } }], ports: [{ port: 443 }] },
        ],
    });
    const objects = [defaultDeny("team-a"), httpsOut];
    const isolation = "NetworkPolicy team-a/default-deny selects every pod of team-a for egress";

    it("allows a block inside an ipBlock, and says whether the rule covers all of it or part", () => {
        const network = build(...objects);
        expect(network.egressToCidr("team-a", "52.216.0.0/15")).toEqual(
            allowed("TCP 443", [
                `${bare("team-a")} → 52.216.0.0/15`,
                isolation,
                "NetworkPolicy team-a/allow-https-out allows egress to ipBlock 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32 (all of 52.216.0.0/15) on TCP 443",
            ]),
        );
        expect(network.egressToCidr("team-a", "0.0.0.0/0").because.at(-1)).toBe(
            "NetworkPolicy team-a/allow-https-out allows egress to ipBlock 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32 (part of 0.0.0.0/0) on TCP 443",
        );
        expect(network.egressToCidr("team-a", "2001:db8::/64").because.at(-1)).toBe(
            "NetworkPolicy team-a/allow-https-out allows egress to ipBlock ::/0 (all of 2001:db8::/64) on TCP 443",
        );
    });

    it.each(["169.254.169.254/32", "10.20.0.0/16"])("denies %s, which an except block removes", (cidr) => {
        expect(build(...objects).egressToCidr("team-a", cidr)).toEqual(
            denied([isolation, `no NetworkPolicy selecting ${bare("team-a")} allows egress to ${cidr}`]),
        );
    });

    it("never matches a pod with an ipBlock unless told the pod network, and then only where the block still covers it", () => {
        const inCluster = denied([isolation, `no NetworkPolicy selecting ${bare("team-a")} allows egress to ${bare("team-b")}`]);
        expect(build(...objects).canReach("team-a", "team-b")).toEqual(inCluster);
        expect(buildNetwork(objects, NAMESPACES, { podCidrs: ["10.0.0.0/16"] }).canReach("team-a", "team-b")).toEqual(inCluster);
        expect(buildNetwork(objects, NAMESPACES, { podCidrs: ["100.64.0.0/16"] }).canReach("team-a", "team-b")).toEqual(
            allowed("TCP 443", [
                `${bare("team-a")} → ${bare("team-b")}`,
                isolation,
                "NetworkPolicy team-a/allow-https-out allows egress to ipBlock 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32 (overlapping the pod network 100.64.0.0/16) on TCP 443",
                `no NetworkPolicy selects ${bare("team-b")} for ingress`,
            ]),
        );
    });
});

describe("Network: two kfstack tenants", () => {
    const NAMESPACE_ORDER = ["team-a", "team-b", "kubeflow", "istio-system", "kube-system"];
    const summary = (network: ReturnType<typeof buildNetwork>) =>
        network.matrix(NAMESPACE_ORDER).map(({ from, to, verdict }) => `${from} → ${to}: ${verdict.allowed ? verdict.ports : "denied"}`);
    const tenantDenial = (from: string, to: string) => [
        `NetworkPolicy ${from}/default-deny selects every pod of ${from} for egress`,
        `no NetworkPolicy selecting ${bare(from)} allows egress to ${bare(to)}`,
        `NetworkPolicy ${to}/default-deny selects every pod of ${to} for ingress`,
        `no NetworkPolicy selecting ${bare(to)} allows ingress from ${bare(from)}`,
    ];

    it("keeps team-a and team-b apart while both reach DNS, istiod and MinIO and the platform reaches them", () => {
        const { objects, namespaces } = twoTenants();
        const network = buildNetwork(objects, namespaces);
        expect(summary(network)).toEqual([
            "team-a → team-a: all",
            "team-a → team-b: denied",
            "team-a → kubeflow: TCP 9000",
            "team-a → istio-system: TCP 15012",
            "team-a → kube-system: TCP 53, UDP 53",
            "team-b → team-a: denied",
            "team-b → team-b: all",
            "team-b → kubeflow: TCP 9000",
            "team-b → istio-system: TCP 15012",
            "team-b → kube-system: TCP 53, UDP 53",
            "kubeflow → team-a: all",
            "kubeflow → team-b: all",
            "kubeflow → kubeflow: all",
            "kubeflow → istio-system: all",
            "kubeflow → kube-system: all",
            "istio-system → team-a: all",
            "istio-system → team-b: all",
            "istio-system → kubeflow: all",
            "istio-system → istio-system: all",
            "istio-system → kube-system: all",
            "kube-system → team-a: denied",
            "kube-system → team-b: denied",
            "kube-system → kubeflow: all",
            "kube-system → istio-system: all",
            "kube-system → kube-system: all",
        ]);
        expect(network.canReach("team-a", "team-b")).toEqual(denied(tenantDenial("team-a", "team-b")));
        expect(network.canReach("team-b", "team-a")).toEqual(denied(tenantDenial("team-b", "team-a")));
        expect(network.canReach("team-a", "kube-system")).toEqual(
            allowed("TCP 53, UDP 53", [
                `${bare("team-a")} → pods of Deployment kube-system/coredns`,
                "NetworkPolicy team-a/default-deny selects every pod of team-a for egress",
                "NetworkPolicy team-a/allow-egress allows egress to pods matching k8s-app=kube-dns in namespaces matching kubernetes.io/metadata.name=kube-system on TCP 53, UDP 53",
                "no NetworkPolicy selects pods of Deployment kube-system/coredns for ingress",
            ]),
        );
        expect(network.canReach("istio-system", "team-b")).toEqual(
            allowed("all", [
                `pods of Deployment istio-system/istiod → ${bare("team-b")}`,
                "no NetworkPolicy selects pods of Deployment istio-system/istiod for egress",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-ingress-platform allows ingress from namespaces matching kubernetes.io/metadata.name in (istio-system,kubeflow,knative-serving,monitoring) on all ports",
            ]),
        );
    });

    it("lets each tenant reach only its own networks outside the cluster", () => {
        const { objects, namespaces } = twoTenants();
        const network = buildNetwork(objects, namespaces);
        const outside = ["52.216.0.0/15", "192.168.10.0/24", "203.0.113.7/32"].flatMap((cidr) =>
            ["team-a", "team-b"].map((tenant) => {
                const verdict = network.egressToCidr(tenant, cidr);
                return `${tenant} → ${cidr}: ${verdict.allowed ? verdict.ports : "denied"}`;
            }),
        );
        expect(outside).toEqual([
            "team-a → 52.216.0.0/15: TCP 443",
            "team-b → 52.216.0.0/15: TCP 443",
            "team-a → 192.168.10.0/24: all",
            "team-b → 192.168.10.0/24: denied",
            "team-a → 203.0.113.7/32: denied",
            "team-b → 203.0.113.7/32: denied",
        ]);
    });

    it("still keeps team-a out when team-b admits every namespace, because team-a's egress is isolated too", () => {
        const { objects, namespaces } = twoTenants();
        const network = buildNetwork([...objects, allowAllNamespaces("team-b")], namespaces);
        expect(network.canReach("team-a", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-a/default-deny selects every pod of team-a for egress",
                `no NetworkPolicy selecting ${bare("team-a")} allows egress to ${bare("team-b")}`,
            ]),
        );
        expect(network.canReach("kube-system", "team-b")).toEqual(
            allowed("all", [
                `pods of Deployment kube-system/coredns → ${bare("team-b")}`,
                "no NetworkPolicy selects pods of Deployment kube-system/coredns for egress",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-all-namespaces allows ingress from every namespace on all ports",
            ]),
        );
    });

    it("opens team-a → team-b when team-b admits every namespace on EKS, where pods take VPC addresses that team-a's API-server ipBlock covers", () => {
        const { objects, namespaces } = twoTenants();
        const eks = { podCidrs: ["10.0.0.0/16"] };
        expect(buildNetwork(objects, namespaces, eks).canReach("team-a", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                `no NetworkPolicy selecting ${bare("team-b")} allows ingress from ${bare("team-a")}`,
            ]),
        );
        expect(buildNetwork([...objects, allowAllNamespaces("team-b")], namespaces, eks).canReach("team-a", "team-b")).toEqual(
            allowed("TCP 443", [
                `${bare("team-a")} → ${bare("team-b")}`,
                "NetworkPolicy team-a/default-deny selects every pod of team-a for egress",
                "NetworkPolicy team-a/allow-egress allows egress to ipBlock 10.0.0.0/16 (overlapping the pod network 10.0.0.0/16) on TCP 443",
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-all-namespaces allows ingress from every namespace on all ports",
            ]),
        );
    });
});

const skipFixtures = skipWithoutFixtures("the upstream Kubeflow 1.9.1 NetworkPolicies");

describe.skipIf(skipFixtures)("Network: the upstream Kubeflow 1.9.1 NetworkPolicies", () => {
    const upstream = () => {
        const files = ["10-kubeflow-namespace.yaml", "11-networkpolicies.yaml"].map((file) =>
            readFileSync(join(fixturesDirectory(), "kubeflow-v1.9.1", file), "utf8"),
        );
        return files.flatMap((text) => loadAll(text) as KubernetesObject[]).filter(Boolean);
    };

    it("let every profile namespace reach katib-db-manager on all ports, and any namespace the webhooks", () => {
        const network = buildNetwork(upstream(), [tenantNamespace("team-a"), { name: "team-b", labels: {} }]);
        expect(network.canReach("team-a", "kubeflow")).toEqual(
            allowed("all", [
                `${bare("team-a")} → a pod of kubeflow labelled katib.kubeflow.org/component=db-manager`,
                `no NetworkPolicy selects ${bare("team-a")} for egress`,
                "NetworkPolicy kubeflow/katib-db-manager selects pods of kubeflow matching katib.kubeflow.org/component in (db-manager) for ingress",
                "NetworkPolicy kubeflow/katib-db-manager allows ingress from namespaces matching app.kubernetes.io/part-of in (kubeflow-profile) on all ports",
            ]),
        );
        expect(network.canReach("team-b", "kubeflow").ports).toBe("TCP 4443, TCP 8443, TCP 9443");
    });
});

describe("buildNetwork errors", () => {
    const bad = (spec: Record<string, unknown>) => () => build(networkPolicy("team-b", "bad", { podSelector: {}, ...spec }));

    it.each([
        [
            "an empty peer",
            { ingress: [{ from: [{}] }] },
            "NetworkPolicy team-b/bad: spec.ingress[0].from[0] names no peer; set podSelector, namespaceSelector or ipBlock (namespaceSelector: {} admits every namespace).",
        ],
        [
            "an ipBlock with a selector",
            { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, namespaceSelector: {} }] }] },
            "NetworkPolicy team-b/bad: spec.egress[0].to[0] sets ipBlock together with namespaceSelector; an ipBlock peer may set nothing else, so make them two peers.",
        ],
        [
            "a malformed cidr",
            { egress: [{ to: [{ ipBlock: { cidr: "10.0.0/8" } }] }] },
            'NetworkPolicy team-b/bad: spec.egress[0].to[0].ipBlock.cidr is "10.0.0/8"; use a CIDR block such as 10.0.0.0/8 or 2001:db8::/64.',
        ],
        [
            "an except block outside the cidr",
            { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["11.0.0.0/16"] } }] }] },
            "NetworkPolicy team-b/bad: spec.egress[0].to[0].ipBlock.except[0] 11.0.0.0/16 is not strictly inside cidr 10.0.0.0/8; every except block must be a smaller block within cidr.",
        ],
        [
            "a policy type in the wrong case",
            { policyTypes: ["ingress"] },
            'NetworkPolicy team-b/bad: spec.policyTypes[0] is "ingress"; use "Ingress" or "Egress".',
        ],
        [
            "an unknown protocol",
            { ingress: [{ ports: [{ protocol: "ICMP" }] }] },
            'NetworkPolicy team-b/bad: spec.ingress[0].ports[0].protocol is "ICMP"; use TCP, UDP or SCTP.',
        ],
        [
            "a port out of range",
            { ingress: [{ ports: [{ port: 70000 }] }] },
            "NetworkPolicy team-b/bad: spec.ingress[0].ports[0].port is 70000; use a number from 1 to 65535 or a container port's name.",
        ],
        [
            "a port number written as a string",
            { ingress: [{ ports: [{ port: "8080" }] }] },
            "NetworkPolicy team-b/bad: spec.ingress[0].ports[0].port is \"8080\"; use a number from 1 to 65535 or a container port's name (at most 15 lowercase letters, digits and '-', with a letter).",
        ],
        [
            "an endPort below the port",
            { ingress: [{ ports: [{ port: 8080, endPort: 80 }] }] },
            "NetworkPolicy team-b/bad: spec.ingress[0].ports[0].endPort is 80; it must be a port from 8080 (the port) to 65535.",
        ],
        [
            "an endPort on a named port",
            { ingress: [{ ports: [{ port: "http", endPort: 90 }] }] },
            'NetworkPolicy team-b/bad: spec.ingress[0].ports[0].endPort is set but port is "http"; endPort needs a numeric port.',
        ],
        [
            "an unknown selector operator",
            { podSelector: { matchExpressions: [{ key: "app", operator: "Equals", values: ["web"] }] } },
            'Invalid label selector: NetworkPolicy team-b/bad spec.podSelector, matchExpressions[0] has operator "Equals"; use one of In, NotIn, Exists, DoesNotExist.',
        ],
    ])("rejects %s", (_case, spec, message) => {
        expect(bad(spec)).toThrow(new Error(message));
    });

    it("rejects a namespace the plan does not know", () => {
        expect(() => build().canReach("team-z", "team-a")).toThrow(
            new Error(
                'Namespace "team-z" is not in the plan: no Namespace object, object or NetworkPolicy names it. Pass it in extraNamespaces with its labels (tenant namespaces are created by the Kubeflow profile controller at run time).',
            ),
        );
    });

    it("rejects a malformed CIDR to audit and a malformed pod network", () => {
        expect(() => build().egressToCidr("team-a", "0.0.0.0")).toThrow(
            new Error('egressToCidr: "0.0.0.0" is not a CIDR block; use one such as 0.0.0.0/0, 52.216.0.0/15 or 2001:db8::/64.'),
        );
        expect(() => buildNetwork([], [], { podCidrs: ["10.0.0.0/33"] })).toThrow(
            new Error('podCidrs[0] is "10.0.0.0/33"; use the CIDR block pods take their addresses from, such as 10.0.0.0/16.'),
        );
    });
});
