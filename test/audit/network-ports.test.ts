// The offline NetworkPolicy evaluator: ports, case by case — numbered and named ports, the ports egress and
// ingress allow in common, and named ports for addresses outside the cluster.
import { describe, expect, it } from "vitest";
import { allowed, bare, build, defaultDeny, denied, deployment, namespaceNamed, networkPolicy } from "./network-fixtures";

describe("Network.canReach: ports", () => {
    const ingressWeb = networkPolicy("team-b", "ingress-web", { podSelector: {}, ingress: [{ ports: [{ port: 443 }, { port: 8080 }] }] });

    it("reads numbered ports as TCP by default, resolves a named port through a workload's containers and keeps it symbolic for a pod a user creates", () => {
        const network = build(
            deployment("team-b", "web", { app: "web" }, [
                { name: "http", containerPort: 8080 },
                { name: "metrics", containerPort: 9090 },
            ]),
            defaultDeny("team-b", ["Ingress"]),
            networkPolicy("team-b", "allow-scrape", {
                podSelector: {},
                ingress: [
                    {
                        from: [{ namespaceSelector: namespaceNamed("kubeflow") }],
                        ports: [{ port: "metrics" }, { port: 8443 }, { protocol: "UDP", port: 30000, endPort: 30100 }],
                    },
                ],
            }),
        );
        expect(network.canReach("kubeflow", "team-b")).toEqual(
            allowed('TCP 8443, TCP 9090, TCP "metrics", UDP 30000-30100', [
                `${bare("kubeflow")} → pods of Deployment team-b/web`,
                `no NetworkPolicy selects ${bare("kubeflow")} for egress`,
                "NetworkPolicy team-b/default-deny selects every pod of team-b for ingress",
                "NetworkPolicy team-b/allow-scrape allows ingress from namespaces matching kubernetes.io/metadata.name=kubeflow on TCP 8443, TCP 9090, UDP 30000-30100",
            ]),
        );
    });

    it("allows only the ports both the source's egress and the destination's ingress allow", () => {
        const network = build(
            networkPolicy("team-a", "egress-low-ports", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 1, endPort: 1024 }] }] }),
            ingressWeb,
        );
        expect(network.canReach("team-a", "team-b")).toEqual(
            allowed("TCP 443", [
                `${bare("team-a")} → ${bare("team-b")}`,
                "NetworkPolicy team-a/egress-low-ports selects every pod of team-a for egress",
                "NetworkPolicy team-a/egress-low-ports allows egress to every destination on TCP 1-1024",
                "NetworkPolicy team-b/ingress-web selects every pod of team-b for ingress",
                "NetworkPolicy team-b/ingress-web allows ingress from every source on TCP 443, TCP 8080",
            ]),
        );
    });

    it("denies a connection when egress and ingress allow no port in common", () => {
        const network = build(
            networkPolicy("team-a", "egress-udp", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP" }] }] }),
            ingressWeb,
        );
        expect(network.canReach("team-a", "team-b")).toEqual(
            denied([
                "NetworkPolicy team-a/egress-udp selects every pod of team-a for egress",
                "NetworkPolicy team-a/egress-udp allows egress to every destination on all UDP",
                "NetworkPolicy team-b/ingress-web selects every pod of team-b for ingress",
                "NetworkPolicy team-b/ingress-web allows ingress from every source on TCP 443, TCP 8080",
                "the ports allowed out (all UDP) and in (TCP 443, TCP 8080) have none in common",
            ]),
        );
    });

    it("resolves no named port for an address outside the cluster", () => {
        const network = build(
            networkPolicy("team-a", "egress-named", {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: "https" }] }],
            }),
        );
        expect(network.egressToCidr("team-a", "52.216.0.0/15")).toEqual(
            denied([
                "NetworkPolicy team-a/egress-named selects every pod of team-a for egress",
                `no NetworkPolicy selecting ${bare("team-a")} allows egress to 52.216.0.0/15`,
            ]),
        );
    });
});
