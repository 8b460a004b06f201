import { describe, expect, it } from "vitest";
import { evaluatePolicies } from "../../engine/policy-check";
import { Secret, Unknown } from "../../engine/values";
import { defaultCredentials } from "../../policies/workloads/sec-02-default-credentials";
import { changed, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { SKIP_UPSTREAM, asRecord, base64, configMap, secret, upstreamObject, upstreamObjects } from "./fixtures-workloads";

const DEX_HASH = "$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72";
const OIDC_SECRET = "pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok";
const DEX_FIX = "set a stack's own hash in kfstack:identity.staticAdmin.passwordHash (htpasswd -nbBC 12), or use an OIDC connector.";
const OIDC_FIX = "generate a per-stack client secret (kfstack's RandomPassword) and give it to Dex and the authservice.";
const DATABASE_FIX = "generate a per-stack password (a RandomPassword) and give it to the database and its clients";
const MINIO_FIX = "generate a per-stack MinIO secret key (kfstack's RandomPassword) for mlpipeline-minio-artifact.";

/** The credentials as kfstack writes them: per-stack values. */
const oidcClient = () =>
    secret("dex-oidc-client", "auth", {
        stringData: {
            OIDC_CLIENT_ID: "kubeflow-oidc-authservice",
            OIDC_CLIENT_SECRET: "Zm9yLXRoaXMtc3RhY2stb25seQ",
            DEX_ADMIN_PASSWORD_HASH: "$2y$12$abcdefghijklmnopqrstuuYx1nRk1Tt1kXkqUqCnbZ3xV5V8xq1bS",
        },
    });
const minio = () => secret("mlpipeline-minio-artifact", "kubeflow", { data: { accesskey: base64("minio-kf"), secretkey: base64("Qk3v9x7LmP2sT8wZ") } });
const dexConfig = () =>
    configMap("dex", "auth", {
        "config.yaml": [
            "issuer: http://dex.auth.svc.cluster.local:5556/dex",
            "staticClients:",
            "- idEnv: OIDC_CLIENT_ID",
            "  secretEnv: OIDC_CLIENT_SECRET",
            "staticPasswords:",
            "- email: admin@example.com",
            "  hashFromEnv: DEX_ADMIN_PASSWORD_HASH",
            "",
        ].join("\n"),
    });

describe("SEC-02 default credentials", () => {
    it("accepts Secrets and ConfigMaps with per-stack credentials", async () => {
        expect(await messagesOf(defaultCredentials, [oidcClient(), minio(), dexConfig()])).toEqual([]);
    });

    it("rejects the upstream OIDC client secret in stringData", async () => {
        const bad = changed(oidcClient(), ["props", "stringData", "OIDC_CLIENT_SECRET"], OIDC_SECRET);
        expect(await violationsOf(defaultCredentials, [bad])).toEqual([
            mandatoryViolation(
                { policy: "sec-02-default-credentials", id: "SEC-02" },
                bad,
                `Secret "auth/dex-oidc-client" holds the upstream OIDC client secret of Dex and oidc-authservice in stringData["OIDC_CLIENT_SECRET"]; ${OIDC_FIX}`,
            ),
        ]);
    });

    it("rejects the upstream OIDC client secret base64-encoded in data", async () => {
        const bad = secret("oidc-authservice-client", "istio-system", {
            data: { CLIENT_ID: base64("kubeflow-oidc-authservice"), CLIENT_SECRET: base64(OIDC_SECRET) },
        });
        expect(await messagesOf(defaultCredentials, [bad])).toEqual([
            `Secret "istio-system/oidc-authservice-client" holds the upstream OIDC client secret of Dex and oidc-authservice in data["CLIENT_SECRET"]; ${OIDC_FIX}`,
        ]);
    });

    it("rejects the upstream oauth2-proxy cookie secret, base64-encoded in data as Kubeflow 1.9.1 ships it", async () => {
        const proxy = secret("oauth2-proxy-h675gf55ht", "oauth2-proxy", { data: { "cookie-secret": base64("7d16fee92f8d11b8940b081b3f8b8acb") } });
        expect(await messagesOf(defaultCredentials, [proxy])).toEqual([
            'Secret "oauth2-proxy/oauth2-proxy-h675gf55ht" holds the upstream oauth2-proxy cookie secret in data["cookie-secret"]; generate a per-stack cookie secret (kfstack\'s RandomPassword, 32 characters) for oauth2-proxy.',
        ]);
    });

    it("rejects the upstream Dex password hash as a stack's own admin hash", async () => {
        const bad = changed(oidcClient(), ["props", "stringData", "DEX_ADMIN_PASSWORD_HASH"], DEX_HASH);
        expect(await messagesOf(defaultCredentials, [bad])).toEqual([
            `Secret "auth/dex-oidc-client" holds the upstream Dex static password hash (user@example.com / 12341234) in stringData["DEX_ADMIN_PASSWORD_HASH"]; ${DEX_FIX}`,
        ]);
    });

    it("rejects the Dex password hash and the client secret embedded in Dex's configuration text", async () => {
        const upstream = [
            "staticClients:",
            "- id: kubeflow-oidc-authservice",
            `  secret: ${OIDC_SECRET}`,
            "staticPasswords:",
            "- email: user@example.com",
            `  hash: "${DEX_HASH}"`,
        ].join("\n");
        expect(await messagesOf(defaultCredentials, [changed(dexConfig(), ["props", "data", "config.yaml"], upstream)])).toEqual([
            `ConfigMap "auth/dex" holds the upstream Dex static password hash (user@example.com / 12341234) in data["config.yaml"]; ${DEX_FIX}`,
            `ConfigMap "auth/dex" holds the upstream OIDC client secret of Dex and oidc-authservice in data["config.yaml"]; ${OIDC_FIX}`,
        ]);
    });

    it("rejects minio123 in data, in stringData and in configuration text, but not a longer word that contains it", async () => {
        const inData = changed(minio(), ["props", "data", "secretkey"], base64("minio123"));
        const inStringData = secret("minio-creds", "team-a", { stringData: { MINIO_SECRET_KEY: "minio123" } });
        const inText = configMap("pipeline-env", "team-a", {
            "env.sh": "export MINIO_ACCESS_KEY=minio\nexport MINIO_SECRET_KEY=minio123\n",
            notes: "minio1234 is not it",
        });
        expect(await messagesOf(defaultCredentials, [inData, inStringData, inText])).toEqual([
            `Secret "kubeflow/mlpipeline-minio-artifact" holds the upstream MinIO secret key of Kubeflow Pipelines in data["secretkey"]; ${MINIO_FIX}`,
            `Secret "team-a/minio-creds" holds the upstream MinIO secret key of Kubeflow Pipelines in stringData["MINIO_SECRET_KEY"]; ${MINIO_FIX}`,
            `ConfigMap "team-a/pipeline-env" holds the upstream MinIO secret key of Kubeflow Pipelines in data["env.sh"]; ${MINIO_FIX}`,
        ]);
    });

    it("finds a base64-encoded default inside configuration text, and in ConfigMap binaryData", async () => {
        const manifest = configMap("bootstrap", "team-a", { "secret.yaml": `kind: Secret\ndata:\n  secretkey: ${base64("minio123")}\n` });
        const binary = changed(configMap("blob", "team-a", {}), ["props", "binaryData"], { "creds.txt": base64(`client_secret=${OIDC_SECRET}\n`) });
        expect(await messagesOf(defaultCredentials, [manifest, binary])).toEqual([
            `ConfigMap "team-a/bootstrap" holds the upstream MinIO secret key of Kubeflow Pipelines in data["secret.yaml"]; ${MINIO_FIX}`,
            `ConfigMap "team-a/blob" holds the upstream OIDC client secret of Dex and oidc-authservice in binaryData["creds.txt"]; ${OIDC_FIX}`,
        ]);
    });

    it("rejects the Katib MySQL root password under its key only", async () => {
        const katib = secret("katib-mysql-secrets", "kubeflow", { data: { MYSQL_ROOT_PASSWORD: base64("test") } });
        const elsewhere = configMap("notes", "team-a", { mode: "test", "mysql.env": "MYSQL_ROOT_PASSWORD=test\n" });
        expect(await messagesOf(defaultCredentials, [katib, elsewhere])).toEqual([
            'Secret "kubeflow/katib-mysql-secrets" holds the upstream Katib MySQL root password in data["MYSQL_ROOT_PASSWORD"]; generate a per-stack password (a RandomPassword) for katib-mysql-secrets.',
            'ConfigMap "team-a/notes" holds the upstream Katib MySQL root password in data["mysql.env"]; generate a per-stack password (a RandomPassword) for katib-mysql-secrets.',
        ]);
    });

    const mysql = (env: Record<string, unknown>[]) =>
        asRecord({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "mysql", namespace: "kubeflow" },
            spec: { template: { spec: { containers: [{ name: "mysql", image: "gcr.io/ml-pipeline/mysql:8.0.26", env }] } } },
        });
    const rootFromSecret = { name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql-secret", key: "password" } } };

    it("accepts a database whose root password comes from a Secret that holds one", async () => {
        const pipelinesSecret = secret("mysql-secret", "kubeflow", { stringData: { username: "root", password: "Vb7q2LmX9sK4tR8w" } });
        expect(await messagesOf(defaultCredentials, [mysql([rootFromSecret]), pipelinesSecret])).toEqual([]);
    });

    it("rejects a MySQL container that allows an empty root password, as upstream Pipelines' does", async () => {
        const bad = mysql([{ name: "MYSQL_ALLOW_EMPTY_PASSWORD", value: "true" }]);
        expect(await messagesOf(defaultCredentials, [bad])).toEqual([
            `Container "mysql" of Deployment "kubeflow/mysql" sets MYSQL_ALLOW_EMPTY_PASSWORD, so the MySQL root user may have no password; remove it and set MYSQL_ROOT_PASSWORD from a Secret; ${DATABASE_FIX}.`,
        ]);
    });

    it("rejects an empty or published database password written into a container's environment", async () => {
        const empty = mysql([{ name: "MYSQL_ROOT_PASSWORD", value: "" }]);
        const katib = changed(mysql([{ name: "DB_PASSWORD", value: "test" }]), ["props", "metadata", "name"], "katib-db-manager");
        expect(await messagesOf(defaultCredentials, [empty, katib])).toEqual([
            `Container "mysql" of Deployment "kubeflow/mysql" sets MYSQL_ROOT_PASSWORD to an empty password; set it from a Secret instead; ${DATABASE_FIX}.`,
            'Container "mysql" of Deployment "kubeflow/katib-db-manager" sets DB_PASSWORD to the upstream Katib MySQL root password; generate a per-stack password (a RandomPassword) for katib-mysql-secrets.',
        ]);
    });

    it('rejects an empty database password in a Secret: Pipelines\' mysql-secret (root with ""), or an empty MYSQL_ROOT_PASSWORD', async () => {
        const pipelinesSecret = secret("mysql-secret", "kubeflow", { stringData: { username: "root", password: "" } });
        const katibSecret = secret("katib-mysql-secrets", "kubeflow", { data: { MYSQL_ROOT_PASSWORD: "" } });
        expect(await messagesOf(defaultCredentials, [pipelinesSecret, katibSecret])).toEqual([
            `Secret "kubeflow/mysql-secret" holds an empty password in stringData["password"]; ${DATABASE_FIX}.`,
            `Secret "kubeflow/katib-mysql-secrets" holds an empty password in data["MYSQL_ROOT_PASSWORD"]; ${DATABASE_FIX}.`,
        ]);
    });

    const grafana = (env: Record<string, unknown>[]) =>
        asRecord({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "grafana", namespace: "monitoring" },
            spec: { template: { spec: { containers: [{ name: "grafana", image: "grafana/grafana:12.1.0", env }] } } },
        });
    const GRAFANA_FIX =
        "give Grafana a per-stack admin password (kfstack:monitoring.grafanaAdminPassword, or the generated one) through GF_SECURITY_ADMIN_PASSWORD from a Secret.";

    it("accepts Grafana whose admin password comes from a Secret", async () => {
        const fromSecret = grafana([{ name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-password" } } }]);
        const admin = secret("grafana-admin", "monitoring", { stringData: { "admin-user": "admin", "admin-password": "Vb7q2LmX9sK4tR8w" } });
        expect(await messagesOf(defaultCredentials, [fromSecret, admin])).toEqual([]);
    });

    it("rejects Grafana started without an admin password, which leaves admin/admin", async () => {
        const bad = grafana([]);
        expect(await messagesOf(defaultCredentials, [bad])).toEqual([
            'Container "grafana" of Deployment "monitoring/grafana" runs Grafana without GF_SECURITY_ADMIN_PASSWORD, so it logs in as admin/admin; set it from a Secret with a per-stack password (kfstack:monitoring.grafanaAdminPassword, or the generated one).',
        ]);
    });

    it("rejects admin as Grafana's admin password, in its Secret or in grafana.ini", async () => {
        const inSecret = secret("grafana-admin", "monitoring", { stringData: { GF_SECURITY_ADMIN_PASSWORD: "admin" } });
        const inIni = secret("grafana-config", "monitoring", { stringData: { "grafana.ini": "[security]\nadmin_user = admin\nadmin_password = admin\n" } });
        expect(await messagesOf(defaultCredentials, [inSecret, inIni])).toEqual([
            `Secret "monitoring/grafana-admin" holds Grafana's built-in admin password in stringData["GF_SECURITY_ADMIN_PASSWORD"]; ${GRAFANA_FIX}`,
            `Secret "monitoring/grafana-config" holds Grafana's built-in admin password in stringData["grafana.ini"]; ${GRAFANA_FIX}`,
        ]);
    });

    it.skipIf(SKIP_UPSTREAM)("finds upstream kube-prometheus's Grafana starting as admin/admin", async () => {
        expect(await messagesOf(defaultCredentials, [upstreamObject("kube-prometheus-v0.16.0/grafana-deployment.yaml", "Deployment", "grafana")])).toEqual([
            'Container "grafana" of Deployment "monitoring/grafana" runs Grafana without GF_SECURITY_ADMIN_PASSWORD, so it logs in as admin/admin; set it from a Secret with a per-stack password (kfstack:monitoring.grafanaAdminPassword, or the generated one).',
        ]);
    });

    it("reads secret values in the clear, as the analyzer hands them over", async () => {
        // Evaluated directly: a resource file for `kfstack check` cannot carry a secret marker.
        const bad = changed(oidcClient(), ["props", "stringData", "OIDC_CLIENT_SECRET"], new Secret(OIDC_SECRET));
        const report = await evaluatePolicies([bad], { policies: [defaultCredentials] });
        expect(report.violations.map((violation) => violation.message)).toEqual([
            `Secret "auth/dex-oidc-client" holds the upstream OIDC client secret of Dex and oidc-authservice in stringData["OIDC_CLIENT_SECRET"]; ${OIDC_FIX}`,
        ]);
    });

    it("is undecided, not failed, when a generated secret is unknown during preview", async () => {
        const unknown = changed(oidcClient(), ["props", "stringData", "OIDC_CLIENT_SECRET"], Unknown.instance);
        expect((await undecidedOf(defaultCredentials, [unknown])).map((entry) => entry.reason)).toEqual([
            "string value at .stringData.OIDC_CLIENT_SECRET can't be known during preview",
        ]);
    });

    it.skipIf(SKIP_UPSTREAM)("finds every default credential of upstream Kubeflow 1.8.1, before kfstack replaces them", async () => {
        expect(await messagesOf(defaultCredentials, upstreamObjects("kubeflow-v1.8.1/example.yaml.gz"))).toEqual([
            `ConfigMap "auth/dex" holds the upstream Dex static password hash (user@example.com / 12341234) in data["config.yaml"]; ${DEX_FIX}`,
            `Secret "auth/dex-oidc-client" holds the upstream OIDC client secret of Dex and oidc-authservice in data["OIDC_CLIENT_SECRET"]; ${OIDC_FIX}`,
            `Secret "istio-system/oidc-authservice-client" holds the upstream OIDC client secret of Dex and oidc-authservice in data["CLIENT_SECRET"]; ${OIDC_FIX}`,
            'Secret "kubeflow/katib-mysql-secrets" holds the upstream Katib MySQL root password in data["MYSQL_ROOT_PASSWORD"]; generate a per-stack password (a RandomPassword) for katib-mysql-secrets.',
            `Secret "kubeflow/mlpipeline-minio-artifact" holds the upstream MinIO secret key of Kubeflow Pipelines in stringData["secretkey"]; ${MINIO_FIX}`,
            `Secret "kubeflow/mysql-secret" holds an empty password in stringData["password"]; ${DATABASE_FIX}.`,
            `Container "katib-mysql" of Deployment "kubeflow/katib-mysql" sets MYSQL_ALLOW_EMPTY_PASSWORD, so the MySQL root user may have no password; remove it and set MYSQL_ROOT_PASSWORD from a Secret; ${DATABASE_FIX}.`,
            `Container "mysql" of Deployment "kubeflow/mysql" sets MYSQL_ALLOW_EMPTY_PASSWORD, so the MySQL root user may have no password; remove it and set MYSQL_ROOT_PASSWORD from a Secret; ${DATABASE_FIX}.`,
        ]);
    });

    it.skipIf(SKIP_UPSTREAM)(
        "finds every default credential of upstream Kubeflow 1.9.1 (oauth2-proxy's client and cookie secrets; Dex's hash now in a Secret of its own)",
        async () => {
            expect(await messagesOf(defaultCredentials, upstreamObjects("kubeflow-v1.9.1/example.yaml.gz"))).toEqual([
                `Secret "auth/dex-oidc-client" holds the upstream OIDC client secret of Dex and oidc-authservice in data["OIDC_CLIENT_SECRET"]; ${OIDC_FIX}`,
                `Secret "auth/dex-passwords" holds the upstream Dex static password hash (user@example.com / 12341234) in stringData["DEX_USER_PASSWORD"]; ${DEX_FIX}`,
                'Secret "kubeflow/katib-mysql-secrets" holds the upstream Katib MySQL root password in data["MYSQL_ROOT_PASSWORD"]; generate a per-stack password (a RandomPassword) for katib-mysql-secrets.',
                `Secret "kubeflow/mlpipeline-minio-artifact" holds the upstream MinIO secret key of Kubeflow Pipelines in stringData["secretkey"]; ${MINIO_FIX}`,
                `Secret "kubeflow/mysql-secret" holds an empty password in stringData["password"]; ${DATABASE_FIX}.`,
                `Secret "oauth2-proxy/oauth2-proxy-h675gf55ht" holds the upstream OIDC client secret of Dex and oidc-authservice in data["client-secret"]; ${OIDC_FIX}`,
                'Secret "oauth2-proxy/oauth2-proxy-h675gf55ht" holds the upstream oauth2-proxy cookie secret in data["cookie-secret"]; generate a per-stack cookie secret (kfstack\'s RandomPassword, 32 characters) for oauth2-proxy.',
                `Container "katib-mysql" of Deployment "kubeflow/katib-mysql" sets MYSQL_ALLOW_EMPTY_PASSWORD, so the MySQL root user may have no password; remove it and set MYSQL_ROOT_PASSWORD from a Secret; ${DATABASE_FIX}.`,
                `Container "mysql" of Deployment "kubeflow/mysql" sets MYSQL_ALLOW_EMPTY_PASSWORD, so the MySQL root user may have no password; remove it and set MYSQL_ROOT_PASSWORD from a Secret; ${DATABASE_FIX}.`,
            ]);
        },
    );
});
