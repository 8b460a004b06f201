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
    /** Shared by Dex (static client) and the gateway's authenticator (oidc-authservice, or oauth2-proxy from 1.9.1). */
    oidcClientSecret: pulumi.Output<string>;
    /** The key oauth2-proxy encrypts its session cookie with; only a release that installs oauth2-proxy has one. */
    cookieSecret?: pulumi.Output<string>;
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

/** An upstream object that carries a default credential: the BOM component that renders it, its objectKey, and what replaces the credential. */
interface CredentialReplacement {
    readonly component: string;
    readonly object: string;
    readonly replace: Replacement;
}

/** Objects every release has. */
const SHARED_REPLACEMENTS: readonly CredentialReplacement[] = [
    { component: "dex", object: "/ConfigMap/auth/dex", replace: (object, identity) => dexConfig(object, identity) },
    {
        component: "dex",
        object: "/Secret/auth/dex-oidc-client",
        replace: (object, identity, credentials) =>
            replaceSecretData(object, {
                OIDC_CLIENT_ID: OIDC_CLIENT_ID,
                OIDC_CLIENT_SECRET: credentials.oidcClientSecret,
                [identity.staticAdmin ? ADMIN_HASH_ENV : CONNECTOR_SECRET_ENV]: credentials.identitySecret,
            }),
    },
    {
        component: "pipelines",
        object: "/Secret/kubeflow/mlpipeline-minio-artifact",
        replace: (object, _identity, credentials) =>
            replaceSecretData(object, { accesskey: credentials.minioAccessKey, secretkey: credentials.minioSecretKey }),
    },
    {
        component: "pipelines",
        object: "/Secret/kubeflow/mysql-secret",
        replace: (object, _identity, credentials) => replaceSecretData(object, { username: "root", password: credentials.pipelinesMysqlPassword }),
    },
    {
        component: "katib",
        object: "/Secret/kubeflow/katib-mysql-secrets",
        replace: (object, _identity, credentials) => replaceSecretData(object, { MYSQL_ROOT_PASSWORD: credentials.katibMysqlPassword }),
    },
];

/**
 * What differs by release. 1.9.1 replaces oidc-authservice by oauth2-proxy, whose Secret kustomize names with a hash of
 * its (pinned) content, and moves Dex's example password hash into a Secret of its own that Dex reads through envFrom;
 * kfstack's Dex configuration no longer reads it, so it is emptied rather than removed (the Deployment still names it).
 */
const RELEASE_REPLACEMENTS: Readonly<Record<string, readonly CredentialReplacement[]>> = {
    "kubeflow-1.8.1": [
        {
            component: "oidc-authservice",
            object: "/Secret/istio-system/oidc-authservice-client",
            replace: (object, _identity, credentials) => replaceSecretData(object, { CLIENT_ID: OIDC_CLIENT_ID, CLIENT_SECRET: credentials.oidcClientSecret }),
        },
    ],
    "kubeflow-1.9.1": [
        {
            component: "oauth2-proxy",
            object: "/Secret/oauth2-proxy/oauth2-proxy-h675gf55ht",
            replace: (object, _identity, credentials) =>
                replaceSecretData(object, {
                    "client-id": OIDC_CLIENT_ID,
                    "client-secret": credentials.oidcClientSecret,
                    "cookie-secret": credentials.cookieSecret ?? missingCredential("oauth2-proxy's cookie secret"),
                }),
        },
        { component: "dex", object: "/Secret/auth/dex-passwords", replace: (object) => replaceSecretData(object, {}) },
    ],
};

function missingCredential(what: string): never {
    throw new CustomizeError(`kfstack has no ${what} to install; components/kubeflow/kubeflow.ts generates it for a release that installs its component.`);
}

/** The default credentials `release` ships, by component: what kfstack replaces, and so which components it customizes for them. */
export function credentialReplacements(release: string): readonly CredentialReplacement[] {
    const own = RELEASE_REPLACEMENTS[release];
    if (!own)
        throw new CustomizeError(
            `kfstack does not know where ${release} keeps its default credentials (known: ${Object.keys(RELEASE_REPLACEMENTS).join(", ")}); add the release to components/kubeflow/customize.ts.`,
        );
    return [...SHARED_REPLACEMENTS, ...own];
}

/**
 * Replaces every default credential of `release`. Each replacement must find its
 * object: if an upstream release moves one, the install stops rather than
 * shipping the default.
 */
export function replaceDefaultCredentials(objects: KubernetesObject[], release: string, identity: IdentityConfig, credentials: Credentials): void {
    const byKey = new Map(objects.map((object) => [objectKey(object), object]));
    for (const { component, object: key, replace } of credentialReplacements(release)) {
        const object = byKey.get(key);
        if (!object) {
            const [, kind, namespace, name] = key.split("/");
            throw new CustomizeError(
                `kfstack replaces the default credentials in ${kind} ${namespace}/${name} (${component}), but the rendered manifests have no such object; update components/kubeflow/customize.ts for this release.`,
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
