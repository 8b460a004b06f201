// The tenancy audit at the size of a real organisation: the prod stack with
// synthetic tenants added must audit its own tenants exactly as the prod stack
// alone does (computing each subject's grants once changes no answer), and
// every synthetic tenant alike. Speed is measured by `npm run bench`, not here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RbacCell, TenancyAudit } from "../../engine/audit/tenancy-audit";
import { planStack } from "../../engine/plan";
import { syntheticTenant, writeTenantStack } from "../../engine/synthetic-tenants";
import { plannedStack } from "../planned-stacks";

const TENANTS = 20;
const OWN = ["vision", "nlp"];

/** A tenant's rows in its own namespace as another tenant's would read: its name (in namespaces and people's domains) replaced by "<tenant>". */
function ownRowsOf(audit: TenancyAudit, tenant: string): RbacCell[] {
    const general = (text: string) => text.split(tenant).join("<tenant>");
    return audit.rbac
        .filter((cell) => cell.tenant === tenant && cell.namespace === tenant)
        .map((cell) => ({
            ...cell,
            subject: general(cell.subject),
            tenant: general(cell.tenant),
            namespace: general(cell.namespace),
            paths: cell.paths.map(general),
        }));
}

describe("the tenancy audit of a stack with many tenants", () => {
    let directory: string;
    let prod: TenancyAudit;
    let many: TenancyAudit;
    beforeAll(async () => {
        directory = mkdtempSync(join(tmpdir(), "kfstack-tenant-scaling-"));
        prod = (await plannedStack("prod")).tenancy;
        many = (await planStack("prod", { configFile: writeTenantStack(directory, TENANTS) })).tenancy;
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it("audits the prod stack's own tenants among 20 exactly as the prod stack alone", () => {
        expect(many.tenants).toHaveLength(TENANTS);
        const ownRows = (audit: TenancyAudit) => audit.rbac.filter((cell) => OWN.includes(cell.tenant) && OWN.includes(cell.namespace));
        expect(ownRows(many)).toEqual(ownRows(prod));
        // The acknowledged limitations (ML Metadata, the Pipelines cache and katib-db-manager) are a path from each tenant.
        const ids = (audit: TenancyAudit) => audit.findings.map((finding) => `${finding.id} ${finding.acknowledged === undefined ? "open" : "acknowledged"}`);
        const limitations = (tenants: number) =>
            // unauthenticated-mlmd twice: from tenant pods, and through the gateway (metadata-envoy).
            ["unauthenticated-mlmd", "unauthenticated-pipelines-cache", "unauthenticated-katib-db-manager", "unauthenticated-mlmd"].flatMap((id) =>
                Array<string>(tenants).fill(`${id} acknowledged`),
            );
        expect(ids(prod)).toEqual(limitations(OWN.length));
        expect(ids(many)).toEqual(limitations(TENANTS));
    });

    it("gives every synthetic tenant's people and service accounts the same access, and none beyond their own namespace", () => {
        const synthetic = Array.from({ length: TENANTS - OWN.length }, (_, index) => syntheticTenant(index)["name"] as string);
        const expected = ownRowsOf(many, synthetic[0]!);
        expect(expected.map((cell) => `${cell.subject} ${cell.access} ${cell.namespace}`)).toEqual([
            "User lead@<tenant>.example.com write <tenant>",
            "User dev@<tenant>.example.com write <tenant>",
            "User analyst@<tenant>.example.com read <tenant>",
            "ServiceAccount <tenant>/default-editor write <tenant>",
            "ServiceAccount <tenant>/default-viewer read <tenant>",
            "ServiceAccount <tenant>/default none <tenant>",
        ]);
        for (const name of synthetic.slice(1)) expect(ownRowsOf(many, name), name).toEqual(expected);
        const beyond = many.rbac.filter((cell) => synthetic.includes(cell.tenant) && cell.namespace !== cell.tenant);
        expect(beyond).toHaveLength(synthetic.length * expected.length * (TENANTS - 1));
        expect(beyond.filter((cell) => cell.access !== "none")).toEqual([]);
    });
});
