// The gateway served over HTTPS: a cert-manager Certificate for the stack's
// hosts, signed by the issuer its tls mode names (Kubeflow's self-signing one,
// an ACME CA through DNS-01 in the stack's zone, or the site's CA), and an
// HTTPS server on kubeflow-gateway.
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../../core/objects";
import type { GatewayTls } from "../config/gateway-schema";
import { CustomizeError } from "../manifests/customize";
import type { GatewaySettings, GatewayZone } from "./gateway-settings";

export const GATEWAY_TLS_SECRET = "kubeflow-gateway-tls";
/** Kubeflow's own issuer (common/cert-manager/kubeflow-issuer), which selfSigned keeps. */
export const KUBEFLOW_SELF_SIGNING_ISSUER = "kubeflow-self-signing-issuer";
/** The ClusterIssuer kfstack adds for acme and ca. */
export const GATEWAY_ISSUER = "kfstack-gateway";
/** cert-manager's controller: the one that solves DNS-01 challenges, so the one given DNS credentials. */
export const CERT_MANAGER_SERVICE_ACCOUNT = { namespace: "cert-manager", name: "cert-manager" } as const;

/**
 * The DNS-01 solver of the zone, for the gateway's hosts only: a Certificate for any other name in
 * the zone finds no solver. Its credentials are ambient (the controller's ServiceAccount), which
 * cert-manager allows ClusterIssuers by default.
 */
function dns01Solver(zone: GatewayZone, hosts: readonly string[]): Record<string, unknown> {
    const dns01 =
        zone.service === "route53"
            ? { route53: { region: zone.region, hostedZoneID: zone.hostedZoneId } }
            : { cloudDNS: { project: zone.project, hostedZoneName: zone.managedZone } };
    return { selector: { dnsNames: [...hosts] }, dns01 };
}

/** The ClusterIssuer of an acme or ca gateway; undefined for selfSigned, which uses Kubeflow's. */
export function gatewayIssuer(tls: GatewayTls, zone: GatewayZone | undefined, hosts: readonly string[]): KubernetesObject | undefined {
    if (tls.mode === "selfSigned") return undefined;
    let spec: Record<string, unknown>;
    if (tls.mode === "ca") {
        spec = { ca: { secretName: tls.secretName } };
    } else {
        // The rules require a zone for acme; a stack without one never gets here.
        if (!zone) throw new CustomizeError("An acme gateway issuer needs kubeflow.gateway.dns to solve DNS-01 challenges in.");
        spec = {
            acme: {
                email: tls.email,
                server: tls.server,
                privateKeySecretRef: { name: `${GATEWAY_ISSUER}-acme-account` },
                solvers: [dns01Solver(zone, hosts)],
            },
        };
    }
    return { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: GATEWAY_ISSUER }, spec };
}

/**
 * Serves Kubeflow over HTTPS: an HTTPS server on kubeflow-gateway and the
 * Certificate it reads, in istio-system where the ingress gateway runs. Behind
 * a load balancer, plain HTTP redirects to HTTPS; on a ClusterIP gateway it
 * stays for `kubectl port-forward`. Returns the objects kfstack adds: the
 * Certificate and, unless self-signed, its ClusterIssuer.
 */
export function addGatewayTls(objects: KubernetesObject[], gateway: GatewaySettings): KubernetesObject[] {
    const kubeflowGateway = objects.find(
        (object) => object.kind === "Gateway" && object.metadata.namespace === "kubeflow" && object.metadata.name === "kubeflow-gateway",
    );
    if (!kubeflowGateway) throw new CustomizeError("The rendered manifests have no Gateway kubeflow/kubeflow-gateway to serve HTTPS on.");
    const spec = kubeflowGateway["spec"] as { servers: Record<string, unknown>[] };
    const redirect = gateway.exposure === "internalLoadBalancer";
    spec.servers = [
        ...spec.servers.map((server) => (redirect ? { ...server, tls: { httpsRedirect: true } } : server)),
        { hosts: gateway.hosts, port: { name: "https", number: 443, protocol: "HTTPS" }, tls: { mode: "SIMPLE", credentialName: GATEWAY_TLS_SECRET } },
    ];
    const issuer = gatewayIssuer(gateway.tls, gateway.zone, gateway.hosts);
    const certificate: KubernetesObject = {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: GATEWAY_TLS_SECRET, namespace: "istio-system" },
        spec: {
            secretName: GATEWAY_TLS_SECRET,
            dnsNames: gateway.hosts,
            issuerRef: { kind: "ClusterIssuer", name: issuer?.metadata.name ?? KUBEFLOW_SELF_SIGNING_ISSUER, group: "cert-manager.io" },
        },
    };
    return issuer ? [issuer, certificate] : [certificate];
}

/** Gives cert-manager's controller the cloud identity its DNS-01 solver uses: the annotations that bind its ServiceAccount. */
export function annotateCertManager(objects: KubernetesObject[], annotations: Readonly<Record<string, pulumi.Input<string>>>): void {
    const { namespace, name } = CERT_MANAGER_SERVICE_ACCOUNT;
    const account = objects.find((object) => object.kind === "ServiceAccount" && object.metadata.namespace === namespace && object.metadata.name === name);
    if (!account) throw new CustomizeError(`The rendered manifests have no ServiceAccount ${namespace}/${name} to give the DNS-01 solver's credentials.`);
    // The values are outputs (a role ARN, a service account's email), resolved when the object registers.
    account.metadata.annotations = { ...account.metadata.annotations, ...(annotations as Record<string, string>) };
    const controller = objects.find((object) => object.kind === "Deployment" && object.metadata.namespace === namespace && object.metadata.name === name);
    if (!controller)
        throw new CustomizeError(`The rendered manifests have no Deployment ${namespace}/${name} to restart with the DNS-01 solver's credentials.`);
    // The same annotations on the pod template: credentials are injected when a pod starts, so a stack that turns acme on rolls the controller.
    const template = (controller["spec"] as { template: { metadata?: { annotations?: Record<string, string> } } }).template;
    template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, ...(annotations as Record<string, string>) } };
}
