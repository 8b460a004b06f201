import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { serviceExposure } from "../../policies/tenancy/net-03-service-exposure";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { service } from "./fixtures-tenancy";

const gateway = (annotations?: Record<string, string>) => service("istio-system", "istio-ingressgateway", "LoadBalancer", annotations);
const PUBLIC =
    'Service "istio-system/istio-ingressgateway" is a LoadBalancer without an internal annotation, so the cloud gives it a public address; add one of service.beta.kubernetes.io/aws-load-balancer-scheme: "internal", service.beta.kubernetes.io/aws-load-balancer-internal: "true", networking.gke.io/load-balancer-type: "Internal", or make it ClusterIP.';

describe("NET-03 service exposure", () => {
    it("accepts ClusterIP Services and Services without a type", async () => {
        const plain = changed(service("kubeflow", "centraldashboard", "ClusterIP"), ["props", "spec", "type"], undefined);
        expect(await violationsOf(serviceExposure, [service("kubeflow", "ml-pipeline", "ClusterIP"), plain])).toEqual([]);
    });

    it.each([
        [{ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }],
        [{ "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }],
        [{ "networking.gke.io/load-balancer-type": "Internal" }],
        [{ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal", "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }],
    ])("accepts a LoadBalancer with the internal annotation %j", async (annotations) => {
        expect(await messagesOf(serviceExposure, [gateway(annotations)])).toEqual([]);
    });

    it("rejects a LoadBalancer without an internal annotation", async () => {
        const bad = gateway();
        expect(await violationsOf(serviceExposure, [bad])).toEqual([mandatoryViolation({ policy: "net-03-service-exposure", id: "NET-03" }, bad, PUBLIC)]);
    });

    it("rejects a LoadBalancer whose internal annotation has another value", async () => {
        expect(await messagesOf(serviceExposure, [gateway({ "service.beta.kubernetes.io/aws-load-balancer-internal": "false" })])).toEqual([PUBLIC]);
        expect(await messagesOf(serviceExposure, [gateway({ "networking.gke.io/load-balancer-type": "External" })])).toEqual([PUBLIC]);
    });

    it("rejects an internet-facing AWS scheme even next to the legacy internal annotation", async () => {
        const bad = gateway({
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        });
        expect(await messagesOf(serviceExposure, [bad])).toEqual([
            'Service "istio-system/istio-ingressgateway" is a LoadBalancer with service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing, which gives it a public address; set service.beta.kubernetes.io/aws-load-balancer-scheme to internal.',
        ]);
    });

    it("rejects every NodePort Service, naming its node ports", async () => {
        const nodePort = changed(service("kubeflow", "minio-service", "NodePort"), ["props", "spec", "ports", 0, "nodePort"], 30900);
        expect(await messagesOf(serviceExposure, [nodePort])).toEqual([
            'Service "kubeflow/minio-service" is of type NodePort, which opens node port 30900 on every node; make it ClusterIP behind the ingress gateway, or an internal LoadBalancer.',
        ]);
        expect(
            await messagesOf(serviceExposure, [service("kubeflow", "minio-service", "NodePort", { "networking.gke.io/load-balancer-type": "Internal" })]),
        ).toEqual([
            'Service "kubeflow/minio-service" is of type NodePort, which opens a port on every node; make it ClusterIP behind the ingress gateway, or an internal LoadBalancer.',
        ]);
    });

    it("takes the internal annotations from the config, e.g. a MetalLB pool on premises", async () => {
        const metallb = gateway({ "metallb.universe.tf/address-pool": "internal" });
        expect(await messagesOf(serviceExposure, [metallb])).toEqual([PUBLIC]);
        expect(
            await messagesOf(serviceExposure, [metallb], {
                "net-03-service-exposure": { internalLoadBalancerAnnotations: ["metallb.universe.tf/address-pool=internal"] },
            }),
        ).toEqual([]);
    });

    it("is undecided while the annotations are unknown", async () => {
        expect(
            (await undecidedOf(serviceExposure, [changed(gateway(), ["props", "metadata", "annotations"], Unknown.instance)])).map((entry) => entry.policy),
        ).toEqual(["net-03-service-exposure"]);
    });
});
