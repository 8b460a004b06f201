// What every managed data plane (S3 + RDS, GCS + Cloud SQL) must make of Kubeflow, asserted alike on each cloud's plan.
import { expect } from "vitest";
import type { Plan } from "../engine/plan";
import { Secret, Unknown } from "../engine/values";
import { resource } from "./helpers";

interface Container {
    name: string;
    image: string;
    env?: { name: string; value?: unknown; valueFrom?: unknown }[];
}

/** A Deployment container's environment: each variable's value, or where it comes from. */
export function envOf(plan: Plan, deployment: string, container: string): Record<string, unknown> {
    const spec = resource(plan, "kubernetes:apps/v1:Deployment", deployment).inputs["spec"] as unknown as { template: { spec: { containers: Container[] } } };
    const env = spec.template.spec.containers.find((candidate) => candidate.name === container)!.env ?? [];
    return Object.fromEntries(env.map((variable) => [variable.name, variable.value ?? variable.valueFrom]));
}

/**
 * Pipelines, ML Metadata and Katib use the managed database (its host, unknown to a preview, its user, and its secret
 * password), the bucket's name is Pipelines', and the profile controller hands tenants no object-store key.
 */
export function expectManagedDatabaseAndKeys(plan: Plan): void {
    const install = resource(plan, "kubernetes:core/v1:ConfigMap", "kubeflow/pipeline-install-config").inputs["data"] as Record<string, unknown>;
    expect(install).toMatchObject({ dbHost: Unknown.instance, mysqlHost: Unknown.instance, dbPort: "3306", bucketName: Unknown.instance });
    const mysql = resource(plan, "kubernetes:core/v1:Secret", "kubeflow/mysql-secret").inputs["stringData"] as Record<string, unknown>;
    expect(mysql["username"]).toBe("kubeflow");
    expect(mysql["password"]).toBeInstanceOf(Secret);
    expect(envOf(plan, "kubeflow/katib-db-manager", "katib-db-manager")).toMatchObject({
        DB_USER: "kubeflow",
        KATIB_MYSQL_DB_HOST: Unknown.instance,
        KATIB_MYSQL_DB_PORT: "3306",
    });
    // components/kubeflow/object-store.ts: sync.py no longer copies a key, and the controller no longer holds one.
    const profileController = envOf(plan, "kubeflow/kubeflow-pipelines-profile-controller", "profile-controller");
    for (const name of ["MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"]) expect(profileController, name).not.toHaveProperty(name);
}

/** The bundled MinIO and MySQL servers, their claims and Services are not planned, nor is any container running their images. */
export function expectNoBundledStores(plan: Plan): void {
    const names = plan.resources.filter((planned) => planned.type.startsWith("kubernetes:")).map((planned) => planned.name);
    for (const name of ["kubeflow/minio", "kubeflow/minio-service", "kubeflow/minio-pvc", "kubeflow/mysql", "kubeflow/mysql-pv-claim", "kubeflow/katib-mysql"])
        expect(names, name).not.toContain(name);
    const images = plan.resources
        .filter((planned) => planned.type.startsWith("kubernetes:apps/v1:") || planned.type === "kubernetes:batch/v1:CronJob")
        .flatMap((planned) => (planned.inputs["spec"] as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec?.containers ?? [])
        .map((container) => container.image);
    expect(images.filter((image) => /minio|mysql/.test(image))).toEqual([]);
}
