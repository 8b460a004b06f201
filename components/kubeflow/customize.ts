// kfstack's changes to the upstream Kubeflow objects, applied before anything
// is registered: no default credentials, tenant roles that grant exactly what
// they say, and the ingress gateway exposed the way the stack says (its HTTPS
// is in gateway-tls.ts).
import type * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import type { IdentityConfig } from "../config/schema";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { CustomizeError } from "../manifests/customize";
import type { GatewayExposure } from "./gateway-settings";

/** Per-stack values the upstream defaults are replaced with; secrets stay Pulumi secrets. */
export interface Credentials {
    /** Shared by Dex (static client) and oidc-authservice. */
    oidcClientSecret: pulumi.Output<string>;
    minioAccessKey: pulumi.Output<string>;
    minioSecretKey: pulumi.Output<string>;
    /** The Pipelines MySQL root password, which ML Metadata shares (upstream ships ""). */
    pipelinesMysqlPassword: pulumi.Output<string>;
    /** Katib's MySQL root password (upstream ships "test"). */
    katibMysqlPassword: pulumi.Output<string>;
    /** The stack's identity secret: a bcrypt hash or the connector's client secret. */
    identitySecret: pulumi.Output<string>;
}

export const OIDC_CLIENT_ID = "kubeflow-oidc-authservice";
const ADMIN_HASH_ENV = "DEX_ADMIN_PASSWORD_HASH";
const CONNECTOR_SECRET_ENV = "DEX_CONNECTOR_CLIENT_SECRET";

/** The upstream objects that carry default credentials, and what replaces them. */
type Replacement = (object: KubernetesObject, identity: IdentityConfig, credentials: Credentials) => void;

function dexConfig(object: KubernetesObject, identity: IdentityConfig): void {
    const data = object["data"] as Record<string, string>;
    const config = parse(data["config.yaml"] ?? "") as Record<string, unknown>;
    delete config["staticPasswords"];
    if (identity.staticAdmin) {
        config["enablePasswordDB"] = true;
        // The hash comes from the dex-oidc-client Secret through the environment, never from this ConfigMap.
        config["staticPasswords"] = [{ email: identity.staticAdmin.email, hashFromEnv: ADMIN_HASH_ENV, username: "admin", userID: identity.staticAdmin.email }];
    } else if (identity.oidc) {
        config["enablePasswordDB"] = false;
        config["connectors"] = [
            {
                type: "oidc",
                id: "sso",
                name: identity.oidc.name,
                config: {
                    issuer: identity.oidc.issuer,
                    clientID: identity.oidc.clientId,
                    // Dex expands $VARIABLES in connector configuration from its environment.
                    clientSecret: `$${CONNECTOR_SECRET_ENV}`,
                    redirectURI: identity.oidc.redirectUri,
                    scopes: ["openid", "profile", "email", "groups"],
                },
            },
        ];
    }
    data["config.yaml"] = stringify(config);
}

function replaceSecretData(object: KubernetesObject, stringData: Record<string, pulumi.Input<string>>): void {
    delete object["data"];
    object["stringData"] = stringData;
}

const REPLACEMENTS: Record<string, Replacement> = {
    "/ConfigMap/auth/dex": (object, identity) => dexConfig(object, identity),
    "/Secret/auth/dex-oidc-client": (object, identity, credentials) =>
        replaceSecretData(object, {
            OIDC_CLIENT_ID: OIDC_CLIENT_ID,
            OIDC_CLIENT_SECRET: credentials.oidcClientSecret,
            [identity.staticAdmin ? ADMIN_HASH_ENV : CONNECTOR_SECRET_ENV]: credentials.identitySecret,
        }),
    "/Secret/istio-system/oidc-authservice-client": (object, _identity, credentials) =>
        replaceSecretData(object, { CLIENT_ID: OIDC_CLIENT_ID, CLIENT_SECRET: credentials.oidcClientSecret }),
    "/Secret/kubeflow/mlpipeline-minio-artifact": (object, _identity, credentials) =>
        replaceSecretData(object, { accesskey: credentials.minioAccessKey, secretkey: credentials.minioSecretKey }),
    "/Secret/kubeflow/mysql-secret": (object, _identity, credentials) =>
        replaceSecretData(object, { username: "root", password: credentials.pipelinesMysqlPassword }),
    "/Secret/kubeflow/katib-mysql-secrets": (object, _identity, credentials) =>
        replaceSecretData(object, { MYSQL_ROOT_PASSWORD: credentials.katibMysqlPassword }),
};

/**
 * Replaces every upstream default credential. Each replacement must find its
 * object: if an upstream release moves one, the install stops rather than
 * shipping the default.
 */
export function replaceDefaultCredentials(objects: KubernetesObject[], identity: IdentityConfig, credentials: Credentials): void {
    const byKey = new Map(objects.map((object) => [objectKey(object), object]));
    for (const [key, replace] of Object.entries(REPLACEMENTS)) {
        const object = byKey.get(key);
        if (!object) {
            const [, kind, namespace, name] = key.split("/");
            throw new CustomizeError(
                `kfstack replaces the default credentials in ${kind} ${namespace}/${name}, but the rendered manifests have no such object; update components/kubeflow/customize.ts for this release.`,
            );
        }
        replace(object, identity, credentials);
    }
}

/** ClusterRoles with this label prefix are aggregated into kubeflow-admin, kubeflow-edit or kubeflow-view: what tenants get. */
const TENANT_ROLE_LABEL = "rbac.authorization.kubeflow.org/aggregate-to-kubeflow-";

export function tenantClusterRoles(objects: readonly KubernetesObject[]): KubernetesObject[] {
    return objects.filter(
        (object) => object.kind === "ClusterRole" && Object.keys(object.metadata.labels ?? {}).some((label) => label.startsWith(TENANT_ROLE_LABEL)),
    );
}
const EVERY_VERB = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
/** Verbs that let the holder take permissions it was not given (RBAC escalation prevention's exceptions). */
const PRIVILEGE_VERBS = new Set(["escalate", "bind", "impersonate"]);

interface RbacRule {
    apiGroups?: string[];
    resources?: string[];
    verbs: string[];
    [key: string]: unknown;
}

/**
 * Tenant roles state exactly what they grant (RBAC-02): "*" verbs become the
 * list of ordinary verbs, "*" resources the resources the install's CRDs
 * define in that API group (a group with none is dropped), and escalate, bind
 * and impersonate go. Upstream's Knative, Istio and Pipelines tenant roles use
 * wildcards; kubeflow-kubernetes-edit lets tenants impersonate service accounts.
 */
export function narrowTenantRoles(objects: KubernetesObject[]): void {
    const resourcesOfGroup = new Map<string, string[]>();
    for (const crd of objects.filter((object) => object.kind === "CustomResourceDefinition")) {
        const spec = crd["spec"] as { group: string; names: { plural: string } };
        resourcesOfGroup.set(spec.group, [...(resourcesOfGroup.get(spec.group) ?? []), spec.names.plural].sort());
    }
    for (const role of tenantClusterRoles(objects)) {
        const rules = (role["rules"] as RbacRule[] | undefined) ?? [];
        role["rules"] = rules.flatMap((rule): RbacRule[] => {
            const verbs = rule.verbs.includes("*") ? EVERY_VERB : rule.verbs.filter((verb) => !PRIVILEGE_VERBS.has(verb));
            if (verbs.length === 0) return [];
            if (!rule.resources?.includes("*")) return [{ ...rule, verbs }];
            return (rule.apiGroups ?? []).flatMap((group) => {
                const resources = resourcesOfGroup.get(group) ?? [];
                return resources.length ? [{ ...rule, apiGroups: [group], resources, verbs }] : [];
            });
        });
    }
}

/** Annotations that keep a LoadBalancer Service internal, per cloud. */
const INTERNAL_LOAD_BALANCER: Record<"aws" | "gcp" | "existing", Record<string, string>> = {
    aws: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal", "service.beta.kubernetes.io/aws-load-balancer-internal": "true" },
    gcp: { "networking.gke.io/load-balancer-type": "Internal" },
    existing: {},
};

export function exposeGateway(objects: KubernetesObject[], exposure: GatewayExposure, cloud: "aws" | "gcp" | "existing"): void {
    const gateway = objects.find((object) => objectKey(object) === "/Service/istio-system/istio-ingressgateway");
    if (!gateway) throw new CustomizeError("The rendered manifests have no Service istio-system/istio-ingressgateway to expose.");
    const spec = gateway["spec"] as Record<string, unknown>;
    if (exposure === "clusterIP") {
        spec["type"] = "ClusterIP";
        return;
    }
    spec["type"] = "LoadBalancer";
    gateway.metadata.annotations = { ...gateway.metadata.annotations, ...INTERNAL_LOAD_BALANCER[cloud] };
}
