// SEC-02: no Secret or ConfigMap carries a credential that upstream
// manifests publish: in Secret data (base64-decoded) and stringData,
// ConfigMap data and binaryData, and inside configuration text they hold;
// and no database runs with an empty password.
import { resourcePolicy } from "../lib/policy";
import { containersOf, describeResource, kubernetesKind } from "../../core/kubernetes-resources";
import { isRecord } from "../../core/records";

export interface KnownDefault {
    /** What it is, for the message. */
    name: string;
    value: string;
    /** Only under these keys (a data key, or `KEY: value` / `KEY=value` in text): for values too common to match anywhere. */
    keys?: string[];
    fix: string;
}

/** Credentials published in upstream manifests; every Kubeflow install that keeps one is open to anyone who read them. */
export const KNOWN_DEFAULTS: readonly KnownDefault[] = [
    {
        name: "the upstream Dex static password hash (user@example.com / 12341234)",
        value: "$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72",
        fix: "set a stack's own hash in kfstack:identity.staticAdmin.passwordHash (htpasswd -nbBC 12), or use an OIDC connector",
    },
    {
        name: "the upstream OIDC client secret of Dex and oidc-authservice",
        value: "pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok",
        fix: "generate a per-stack client secret (kfstack's RandomPassword) and give it to Dex and the authservice",
    },
    {
        // Kubeflow 1.9.1: whoever knows it can forge any user's oauth2-proxy session cookie.
        name: "the upstream oauth2-proxy cookie secret",
        value: "7d16fee92f8d11b8940b081b3f8b8acb",
        fix: "generate a per-stack cookie secret (kfstack's RandomPassword, 32 characters) for oauth2-proxy",
    },
    {
        name: "the upstream MinIO secret key of Kubeflow Pipelines",
        value: "minio123",
        fix: "generate a per-stack MinIO secret key (kfstack's RandomPassword) for mlpipeline-minio-artifact",
    },
    {
        name: "Grafana's built-in admin password",
        value: "admin",
        keys: ["admin_password", "GF_SECURITY_ADMIN_PASSWORD"],
        fix: "give Grafana a per-stack admin password (kfstack:monitoring.grafanaAdminPassword, or the generated one) through GF_SECURITY_ADMIN_PASSWORD from a Secret",
    },
    {
        name: "the upstream Katib MySQL root password",
        value: "test",
        // Katib's MySQL reads it as MYSQL_ROOT_PASSWORD, katib-db-manager as DB_PASSWORD.
        keys: ["MYSQL_ROOT_PASSWORD", "DB_PASSWORD"],
        fix: "generate a per-stack password (a RandomPassword) for katib-mysql-secrets",
    },
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The known defaults in one value stored under `key`: the whole value, or embedded in configuration text (plain or as base64). */
function defaultsIn(key: string, text: string): KnownDefault[] {
    return KNOWN_DEFAULTS.filter((known) => {
        if (known.keys) {
            if (known.keys.includes(key)) return text.trim() === known.value;
            const keys = known.keys.map(escape).join("|");
            return new RegExp(`(?<![\\w-])(?:${keys})["']?\\s*[:=]\\s*["']?${escape(known.value)}["']?(?![\\w-])`).test(text);
        }
        return [known.value, base64(known.value)].some((needle) => new RegExp(`(?<![\\w+/$])${escape(needle)}(?![\\w+/])`).test(text));
    });
}

const decode = (value: string) => Buffer.from(value, "base64").toString("utf8");

/** Keys that hold a database password: the MySQL image's, Katib's and Pipelines' (DBCONFIG_PASSWORD from mysql-secret's `password`). */
const DATABASE_PASSWORD_KEYS = ["MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD", "DB_PASSWORD", "DBCONFIG_PASSWORD"];
const DATABASE_FIX = "generate a per-stack password (a RandomPassword) and give it to the database and its clients";

/** Whether `key` of a Secret's values is a password that may not be empty: a database password key, or `password` beside `username`. */
const isPasswordKey = (key: string, values: Record<string, unknown>) => DATABASE_PASSWORD_KEYS.includes(key) || (key === "password" && "username" in values);

interface EnvVar {
    name?: unknown;
    value?: unknown;
}

/** A database container that lets its root user have no password, or whose environment writes an empty or published one. */
function databaseEnvProblems(env: readonly EnvVar[]): string[] {
    return env.flatMap((variable) => {
        const { name, value } = variable;
        if (typeof name !== "string" || typeof value !== "string") return [];
        if (name === "MYSQL_ALLOW_EMPTY_PASSWORD" && value !== "")
            return [
                `sets MYSQL_ALLOW_EMPTY_PASSWORD, so the MySQL root user may have no password; remove it and set MYSQL_ROOT_PASSWORD from a Secret; ${DATABASE_FIX}`,
            ];
        if (!DATABASE_PASSWORD_KEYS.includes(name)) return [];
        if (value === "") return [`sets ${name} to an empty password; set it from a Secret instead; ${DATABASE_FIX}`];
        return defaultsIn(name, value).map((known) => `sets ${name} to ${known.name}; ${known.fix}`);
    });
}

/** Grafana starts with admin/admin unless its admin password is set; kfstack sets it through the environment. */
const GRAFANA_IMAGE = /(^|\/)grafana\/grafana(:|@|$)/;
const GRAFANA_PASSWORD_ENV = ["GF_SECURITY_ADMIN_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD__FILE"];

export const defaultCredentials = resourcePolicy({
    id: "SEC-02",
    slug: "default-credentials",
    description:
        "No Secret or ConfigMap holds a credential published in upstream manifests: the Dex static password hash, the Dex/oidc-authservice client secret (oauth2-proxy's from Kubeflow 1.9.1), oauth2-proxy's cookie secret, the MinIO secret key minio123, Grafana's admin password admin or the Katib MySQL root password; checked in Secret data (base64-decoded) and stringData, ConfigMap data and binaryData, and inside the configuration text they hold. No Grafana container starts without GF_SECURITY_ADMIN_PASSWORD (or its __FILE form), which leaves admin/admin. No database password is empty or published: no container sets MYSQL_ALLOW_EMPTY_PASSWORD or writes an empty or published MYSQL_ROOT_PASSWORD, MYSQL_PASSWORD, DB_PASSWORD or DBCONFIG_PASSWORD, and no Secret holds an empty value under those keys or an empty `password` beside a `username` (the Pipelines mysql-secret).",
    reason: "These values are in every copy of kubeflow/manifests and Grafana's documentation: a platform that keeps one lets anyone log in as the example user or Grafana's admin, impersonate the authservice, or read and overwrite every pipeline artifact.",
    remediation:
        "Replace the value with a per-stack secret: kfstack:identity for the Dex password or OIDC connector, and generated RandomPasswords for client secrets and service passwords (components/kubeflow/customize.ts).",
    validateResource: (args, reportViolation) => {
        const kind = kubernetesKind(args.type);
        if (!kind) return;
        for (const { container } of containersOf(kind.kind, args.props)) {
            for (const problem of databaseEnvProblems((container["env"] as EnvVar[] | undefined) ?? []))
                reportViolation(`Container "${container.name}" of ${describeResource(kind.kind, args.props, args.name)} ${problem}.`);
            if (typeof container.image !== "string" || !GRAFANA_IMAGE.test(container.image)) continue;
            const env = ((container.env as { name?: unknown }[] | undefined) ?? []).map((variable) => variable.name);
            if (!GRAFANA_PASSWORD_ENV.some((name) => env.includes(name))) {
                reportViolation(
                    `Container "${container.name}" of ${describeResource(kind.kind, args.props, args.name)} runs Grafana without GF_SECURITY_ADMIN_PASSWORD, so it logs in as admin/admin; set it from a Secret with a per-stack password (kfstack:monitoring.grafanaAdminPassword, or the generated one).`,
                );
            }
        }
        if (kind.kind !== "Secret" && kind.kind !== "ConfigMap") return;
        const what = describeResource(kind.kind, args.props, args.name);
        const fields: Record<string, (value: string) => string> =
            kind.kind === "Secret" ? { data: decode, stringData: (value: string) => value } : { data: (value: string) => value, binaryData: decode };
        for (const [field, read] of Object.entries(fields)) {
            const values: unknown = args.props[field];
            if (!isRecord(values)) continue;
            for (const [key, value] of Object.entries(values)) {
                if (typeof value !== "string") continue;
                if (kind.kind === "Secret" && isPasswordKey(key, values) && read(value) === "")
                    reportViolation(`${what} holds an empty password in ${field}[${JSON.stringify(key)}]; ${DATABASE_FIX}.`);
                for (const known of defaultsIn(key, read(value))) {
                    reportViolation(`${what} holds ${known.name} in ${field}[${JSON.stringify(key)}]; ${known.fix}.`);
                }
            }
        }
    },
});
