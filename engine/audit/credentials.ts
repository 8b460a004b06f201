// Object-store credentials that reach another tenant's artifacts: for each key
// a tenant namespace receives (core/object-store-credentials.ts: Secrets planned
// there, and the Pipelines profile controller's copy of the root key when it
// still makes one), whether the tenant's people can read it and whether its
// policy lets it read, write or list under another tenant's prefixes. Per-tenant
// keys confined to their own prefixes give no finding.
import { tenantArtifactPrefixes } from "../../core/artifact-prefixes";
import type { TenantFacts } from "../../core/facts";
import { type TenantCredential, reachInto, tenantCredentials } from "../../core/object-store-credentials";
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

/** The first way one of the tenant's people can read the credential's Secret, if any. */
function readerOf(tenant: TenantFacts, credential: TenantCredential, rbac: Rbac) {
    const people: Subject[] = [{ kind: "User", name: tenant.owner }, ...tenant.members.map((member) => ({ kind: "User" as const, name: member.email }))];
    return people
        .map((subject) =>
            rbac.can(subject, { verb: "get", apiGroup: "", resource: "secrets", namespace: credential.namespace, name: credential.secret }, [
                "system:authenticated",
            ]),
        )
        .find((paths) => paths.length > 0)?.[0];
}

/** For each credential a tenant's people can read that reaches other tenants' prefixes: the path from the person to those artifacts. */
export function auditCredentials(tenants: readonly TenantFacts[], objects: readonly KubernetesObject[], rbac: Rbac): CredentialFinding[] {
    const names = tenants.map((tenant) => tenant.name);
    return tenantCredentials(objects, names).flatMap((credential) => {
        const tenant = tenants.find((candidate) => candidate.name === credential.namespace)!;
        const reached = names
            .filter((other) => other !== tenant.name)
            .map((other) => ({ other, reach: reachInto(credential, other) }))
            .filter(({ reach }) => reach.length > 0);
        const reader = reached.length ? readerOf(tenant, credential, rbac) : undefined;
        if (!reader) return [];
        const secret = `Secret ${credential.namespace}/${credential.secret}`;
        return [
            {
                id: "shared-object-store-key",
                kind: "credential" as const,
                message: `People of tenant ${tenant.name} can read ${secret}, an object-store key ${credential.source === "planned in the namespace" ? "planned in their namespace" : "the Pipelines profile controller copies into every tenant namespace"}, and with it read, overwrite or delete the artifacts of ${reached.map(({ other }) => other).join(", ")}`,
                path: [
                    ...describePath(reader),
                    secret,
                    credential.source,
                    credential.policyFrom,
                    ...reached.map(({ other, reach }) => `the artifacts of ${other} (${tenantArtifactPrefixes(other).join(", ")}): ${reach.join("; ")}`),
                ],
            },
        ];
    });
}
