// The Kubeflow gateway's section of the stack file: how the Istio ingress
// gateway is exposed, the names it serves, the DNS zone kfstack keeps its
// record in, and who signs its certificate. Rules across these keys live in
// components/kubeflow/gateway-rules.ts.
import { z } from "zod";

const dnsName = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { error: "must be a DNS name such as kubeflow.example.com" });

/** Let's Encrypt's production directory; its staging directory is https://acme-staging-v02.api.letsencrypt.org/directory. */
export const LETS_ENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";

const DEFAULT_HOSTS = ["kubeflow.local"];

const dns = z
    .strictObject({
        route53: z
            .strictObject({
                hostedZoneId: z
                    .string()
                    .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
                    .describe("The hosted zone's id."),
                zoneName: dnsName.describe("The hosted zone's domain, without the trailing dot (every host must be in it)."),
            })
            .optional()
            .describe("aws: a Route 53 hosted zone."),
        cloudDns: z
            .strictObject({
                project: z.string().min(1).optional().describe("Project of the managed zone; defaults to gcp.project."),
                managedZone: z.string().min(1).describe("The managed zone's name."),
                dnsName: dnsName.describe("The managed zone's domain, without the trailing dot (every host must be in it)."),
            })
            .optional()
            .describe("gcp: a Cloud DNS managed zone."),
    })
    .optional()
    .describe(
        "The zone that holds the hosts: kfstack points each host at the gateway's load balancer, serves KServe under the zone, and solves ACME DNS-01 challenges there. Exactly one of route53 or cloudDns.",
    );

const tls = z
    .discriminatedUnion(
        "mode",
        [
            z.strictObject({ mode: z.literal("selfSigned") }),
            z.strictObject({
                mode: z.literal("acme"),
                email: z.email({ error: "must be the email address the ACME CA sends expiry notices to" }).describe("acme: the ACME account's email."),
                server: z
                    .url({ protocol: /^https$/, error: "must be the https URL of an ACME directory" })
                    .default(LETS_ENCRYPT_PRODUCTION)
                    .describe("acme: the ACME directory (Let's Encrypt production by default; its staging directory for trials)."),
            }),
            z.strictObject({
                mode: z.literal("ca"),
                secretName: z
                    .string()
                    .regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, { error: "must be a Secret name (lowercase letters, digits, '-' and '.')" })
                    .describe("ca: a Secret in the cert-manager namespace holding the CA's tls.crt and tls.key (the site creates it)."),
            }),
        ],
        { error: "must have mode selfSigned (testing), acme (an ACME CA through DNS-01) or ca (the site's CA)" },
    )
    .default({ mode: "selfSigned" })
    .describe(
        "Who signs the gateway's certificate. selfSigned: Kubeflow's self-signing issuer (testing); acme: an ACME CA such as Let's Encrypt, through DNS-01 in kubeflow.gateway.dns; ca: the site's own CA (enclaves).",
    );

export const gateway = z
    .strictObject({
        exposure: z
            .enum(["clusterIP", "internalLoadBalancer"])
            .optional()
            .describe(
                "clusterIP (reach it with kubectl port-forward; the default for testing and existing clusters) or an internal load balancer (the default for production on aws and gcp).",
            ),
        hosts: z.array(dnsName).min(1).default(DEFAULT_HOSTS).describe("DNS names Kubeflow is served at over HTTPS; the gateway's certificate covers them."),
        dns,
        tls,
        acknowledgeSelfSigned: z
            .strictObject({
                reason: z
                    .string()
                    .trim()
                    .min(10, { error: "must say why a self-signed certificate is acceptable here (10+ characters)" })
                    .describe("Why clients may be asked to trust a self-signed certificate."),
            })
            .optional()
            .describe("Run a production stack on a self-signed gateway certificate, saying why."),
    })
    .default({ hosts: DEFAULT_HOSTS, tls: { mode: "selfSigned" } })
    .describe("How the Istio ingress gateway is exposed and who signs its certificate; never to the internet.");

export type GatewayConfig = z.infer<typeof gateway>;
export type GatewayTls = GatewayConfig["tls"];
export type GatewayDnsZone = NonNullable<GatewayConfig["dns"]>;
