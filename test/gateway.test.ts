// The Kubeflow gateway's certificate, names and DNS-01 credentials, proven on
// the offline plans of the shipped stacks and the gke-prod fixture.
import { beforeAll, describe, expect, it } from "vitest";
import { irsaTrustPolicy } from "../components/cluster/aws/workload-identity";
import type { Plan } from "../engine/plan";
import { Unknown } from "../engine/values";
import { resource, resourcesOfType } from "./helpers";
import { plannedStack } from "./planned-stacks";

const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const INGRESS_SERVICE_URN_SUFFIX = "kubernetes:core/v1:Service::istio-system/istio-ingressgateway";

function issuerOfCertificate(plan: Plan): unknown {
    return (resource(plan, CERTIFICATE, "istio-system/kubeflow-gateway-tls").inputs.spec as { issuerRef: unknown }).issuerRef;
}

function annotationsOf(plan: Plan, type: string, name: string): Record<string, unknown> | undefined {
    return (resource(plan, type, name).inputs.metadata as { annotations?: Record<string, unknown> }).annotations;
}

function servingDomains(plan: Plan): { knative: unknown; kserve: unknown } {
    const configDomain = resource(plan, "kubernetes:core/v1:ConfigMap", "knative-serving/config-domain").inputs.data as Record<string, string>;
    const kserve = resource(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/inferenceservice-config").inputs.data as Record<string, string>;
    return { knative: Object.keys(configDomain), kserve: (JSON.parse(kserve["ingress"]!) as { ingressDomain: string }).ingressDomain };
}

describe("the gateway of the prod stack (acme with Route 53)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("prod");
    });

    it("signs the gateway's certificate with an ACME ClusterIssuer that solves DNS-01 in the Route 53 zone with ambient credentials", () => {
        expect(resource(plan, CLUSTER_ISSUER, "kfstack-gateway").inputs).toEqual({
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: "kfstack-gateway" },
            spec: {
                acme: {
                    email: "ml-platform@example.com",
                    server: "https://acme-v02.api.letsencrypt.org/directory",
                    privateKeySecretRef: { name: "kfstack-gateway-acme-account" },
                    solvers: [
                        {
                            selector: { dnsNames: ["kubeflow.example.com"] },
                            dns01: { route53: { region: "us-east-1", hostedZoneID: "Z0123456789ABCDEFGHIJ" } },
                        },
                    ],
                },
            },
        });
        expect(issuerOfCertificate(plan)).toEqual({ kind: "ClusterIssuer", name: "kfstack-gateway", group: "cert-manager.io" });
    });

    it("gives cert-manager an IRSA role that may change only the hosts' _acme-challenge TXT records, never the node role", () => {
        expect(resource(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "kfstack-prod-oidc").inputs).toEqual({
            clientIdLists: ["sts.amazonaws.com"],
            url: Unknown.instance,
        });
        expect(JSON.parse(resource(plan, "aws:iam/rolePolicy:RolePolicy", "kfstack-prod-cert-manager-dns01").inputs.policy as string)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: "route53:ChangeResourceRecordSets",
                    Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
                    Condition: {
                        "ForAllValues:StringEquals": {
                            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.kubeflow.example.com"],
                        },
                    },
                },
                { Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
            ],
        });
        expect(annotationsOf(plan, "kubernetes:core/v1:ServiceAccount", "cert-manager/cert-manager")).toEqual({
            "eks.amazonaws.com/role-arn": Unknown.instance,
        });
        // On the pod template too, so turning acme on restarts the controller, which is when the webhook injects the credentials.
        const controller = resource(plan, "kubernetes:apps/v1:Deployment", "cert-manager/cert-manager").inputs as {
            spec: { template: { metadata: { annotations: unknown } } };
        };
        expect(controller.spec.template.metadata.annotations).toMatchObject({ "eks.amazonaws.com/role-arn": Unknown.instance });
    });

    it("points the host at the gateway's load balancer with a CNAME that waits for the Service", () => {
        const record = resource(plan, "aws:route53/record:Record", "kfstack-prod-gateway-kubeflow.example.com");
        expect(record.inputs).toEqual({ zoneId: "Z0123456789ABCDEFGHIJ", name: "kubeflow.example.com", type: "CNAME", ttl: 300, records: [Unknown.instance] });
        expect(record.dependsOn.filter((urn) => urn.endsWith(INGRESS_SERVICE_URN_SUFFIX))).toHaveLength(1);
    });

    it("serves KServe under the zone: Knative's default domain and KServe's ingress domain", () => {
        expect(servingDomains(plan)).toEqual({ knative: ["example.com"], kserve: "example.com" });
    });
});

describe("the gateway of the gke-prod stack (acme with Cloud DNS)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("gke-prod");
    });

    it("solves DNS-01 in the named Cloud DNS zone of its project", () => {
        const spec = resource(plan, CLUSTER_ISSUER, "kfstack-gateway").inputs.spec as { acme: { server: string; solvers: unknown[] } };
        expect(spec.acme.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
        expect(spec.acme.solvers).toEqual([
            { selector: { dnsNames: ["kubeflow.ml.example.com"] }, dns01: { cloudDNS: { project: "example-dns-zones", hostedZoneName: "ml-example-com" } } },
        ]);
    });

    it("gives cert-manager a Google service account through Workload Identity, with the solver's own permissions on that zone only", () => {
        expect(resource(plan, "gcp:serviceaccount/iAMMember:IAMMember", "kfstack-gke-prod-cert-manager").inputs).toMatchObject({
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:example-ml-platform.svc.id.goog[cert-manager/cert-manager]",
        });
        expect(resource(plan, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember", "kfstack-gke-prod-gateway-dns01").inputs).toMatchObject({
            project: "example-dns-zones",
            managedZone: "ml-example-com",
            role: Unknown.instance,
        });
        expect(resource(plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "kfstack-gke-prod-gateway-dns01").inputs).toMatchObject({
            project: "example-dns-zones",
            roleId: "kfstack_gke_prod_gateway_dns01",
            permissions: [
                "dns.changes.create",
                "dns.changes.get",
                "dns.resourceRecordSets.list",
                "dns.resourceRecordSets.create",
                "dns.resourceRecordSets.delete",
                "dns.resourceRecordSets.update",
            ],
        });
        expect(resourcesOfType(plan, "gcp:projects/iAMMember:IAMMember").map((member) => member.inputs.role)).not.toContain("roles/dns.admin");
        expect(annotationsOf(plan, "kubernetes:core/v1:ServiceAccount", "cert-manager/cert-manager")).toEqual({
            "iam.gke.io/gcp-service-account": Unknown.instance,
        });
    });

    it("points the host at the internal load balancer's address with an A record", () => {
        expect(resource(plan, "gcp:dns/recordSet:RecordSet", "kfstack-gke-prod-gateway-kubeflow.ml.example.com").inputs).toEqual({
            project: "example-dns-zones",
            managedZone: "ml-example-com",
            name: "kubeflow.ml.example.com.",
            type: "A",
            ttl: 300,
            rrdatas: [Unknown.instance],
        });
        expect(servingDomains(plan)).toEqual({ knative: ["ml.example.com"], kserve: "ml.example.com" });
    });
});

describe("the gateway of the dev stack (selfSigned, no zone)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await plannedStack("dev");
    });

    it("keeps Kubeflow's self-signing issuer and adds no issuer, record, identity provider or serving domain", () => {
        expect(issuerOfCertificate(plan)).toEqual({ kind: "ClusterIssuer", name: "kubeflow-self-signing-issuer", group: "cert-manager.io" });
        expect(resourcesOfType(plan, CLUSTER_ISSUER).map((issuer) => issuer.name)).toEqual(["cert-manager/kubeflow-self-signing-issuer"]);
        expect(resourcesOfType(plan, "aws:route53/record:Record")).toEqual([]);
        expect(resourcesOfType(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
        expect(annotationsOf(plan, "kubernetes:core/v1:ServiceAccount", "cert-manager/cert-manager")).toBeUndefined();
        expect(servingDomains(plan)).toEqual({ knative: ["_example"], kserve: "example.com" });
    });
});

describe("the gateway of the airgap stack (the enclave's CA)", () => {
    it("signs the gateway's certificate with a CA ClusterIssuer reading the enclave's CA Secret", async () => {
        const plan = await plannedStack("airgap");
        expect(resource(plan, CLUSTER_ISSUER, "kfstack-gateway").inputs).toEqual({
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: "kfstack-gateway" },
            spec: { ca: { secretName: "enclave-ca" } },
        });
        expect(issuerOfCertificate(plan)).toEqual({ kind: "ClusterIssuer", name: "kfstack-gateway", group: "cert-manager.io" });
    });
});

describe("irsaTrustPolicy", () => {
    it("lets only the named ServiceAccount assume the role, with a token for STS from the cluster's issuer", async () => {
        const policy = await new Promise<string>((resolve) =>
            irsaTrustPolicy(
                {
                    arn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
                    url: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
                },
                { namespace: "cert-manager", name: "cert-manager" },
            ).apply(resolve),
        );
        expect(JSON.parse(policy)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:cert-manager:cert-manager",
                            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                        },
                    },
                },
            ],
        });
    });
});
