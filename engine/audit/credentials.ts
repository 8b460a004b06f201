// Credentials whose value reaches another tenant's data. The Pipelines profile
// controller (14-pipelines.yaml, Deployment kubeflow/kubeflow-pipelines-profile-controller,
// sync.py served to Metacontroller's CompositeController) reads MINIO_ACCESS_KEY and
// MINIO_SECRET_KEY from Secret kubeflow/mlpipeline-minio-artifact and returns, as a
// child of every Profile namespace, a Secret mlpipeline-minio-artifact with that same
// key. Artifact keys carry no namespace, so whoever reads the copy in one tenant reads,
// overwrites or deletes every tenant's artifacts.
import type { TenantFacts } from "../../core/facts";
import type { KubernetesObject } from "../../core/objects";
import type { Rbac } from "../../core/rbac/authorizer";
import type { Subject } from "../../core/rbac/model";
import { describePath } from "./rbac-audit";

export interface CredentialFinding {
    id: string;
    kind: "credential";
    message: string;
    path: string[];
}

const CONTROLLER = { namespace: "kubeflow", name: "kubeflow-pipelines-profile-controller" };
const SECRET = "mlpipeline-minio-artifact";

interface EnvVar {
    name?: string;
    valueFrom?: { secretKeyRef?: { name?: string } };
}

/** Whether the planned Pipelines profile controller copies the object-store key Secret (its env names that Secret). */
function copiesObjectStoreKey(objects: readonly KubernetesObject[]): boolean {
    const controller = objects.find(
        (object) => object.kind === "Deployment" && object.metadata.namespace === CONTROLLER.namespace && object.metadata.name === CONTROLLER.name,
    );
    const spec = controller?.["spec"] as { template?: { spec?: { containers?: { env?: EnvVar[] }[] } } } | undefined;
    const env = spec?.template?.spec?.containers?.flatMap((container) => container.env ?? []) ?? [];
    return env.some((variable) => variable.name === "MINIO_ACCESS_KEY" && variable.valueFrom?.secretKeyRef?.name === SECRET);
}

/** For each tenant whose people can read their copy of the shared key while another tenant has one: a path to the other tenants' artifacts. */
export function auditCredentials(tenants: readonly TenantFacts[], objects: readonly KubernetesObject[], rbac: Rbac): CredentialFinding[] {
    if (tenants.length < 2 || !copiesObjectStoreKey(objects)) return [];
    return tenants.flatMap((tenant) => {
        const people: Subject[] = [{ kind: "User", name: tenant.owner }, ...tenant.members.map((member) => ({ kind: "User" as const, name: member.email }))];
        const reader = people
            .map((subject) =>
                rbac.can(subject, { verb: "get", apiGroup: "", resource: "secrets", namespace: tenant.name, name: SECRET }, ["system:authenticated"]),
            )
            .find((paths) => paths.length > 0)?.[0];
        if (!reader) return [];
        const others = tenants.filter((other) => other.name !== tenant.name).map((other) => other.name);
        return [
            {
                id: "shared-object-store-key",
                kind: "credential" as const,
                message: `People of tenant ${tenant.name} can read Secret ${tenant.name}/${SECRET}, the object-store key the Pipelines profile controller copies into every tenant namespace, and with it read, overwrite or delete the artifacts of ${others.join(", ")}`,
                path: [
                    ...describePath(reader),
                    `Secret ${tenant.name}/${SECRET}`,
                    `copied from Secret ${CONTROLLER.namespace}/${SECRET} by Deployment ${CONTROLLER.namespace}/${CONTROLLER.name} (env MINIO_ACCESS_KEY) into every Profile namespace`,
                    `the same key in ${others.map((other) => `Secret ${other}/${SECRET}`).join(", ")}`,
                    "object store bucket mlpipeline, whose artifact keys carry no namespace",
                ],
            },
        ];
    });
}
