// `kfstack audit <stack>`: the tenancy audit of a stack's offline plan — an
// RBAC matrix and a network matrix — and exit 1 when any tenant can reach
// into another beyond what the stack declares or acknowledges.
import { type AuditFinding, type TenancyAudit, unacknowledged } from "../engine/audit/tenancy-audit";
import { planStack } from "../engine/plan";
import { EXIT_INVALID } from "./errors";
import { markdownTable } from "./format";

export interface AuditOptions {
    config?: string;
    json?: boolean;
}

export function renderAudit(stack: string, audit: TenancyAudit): string {
    if (audit.tenants.length === 0) return `Stack ${stack} declares no tenants (kfstack:tenants); nothing to audit.`;
    const subjects = [...new Map(audit.rbac.map((cell) => [`${cell.tenant} ${cell.subject}`, cell])).values()];
    const rbac = markdownTable(
        ["tenant", "subject", ...audit.tenants.map((tenant) => `in ${tenant}`)],
        subjects.map((row) => [
            row.tenant,
            row.subject,
            ...audit.tenants.map(
                (namespace) => audit.rbac.find((cell) => cell.tenant === row.tenant && cell.subject === row.subject && cell.namespace === namespace)!.access,
            ),
        ]),
    );
    const sources = [...new Set(audit.network.map((cell) => cell.from))];
    const network = markdownTable(
        ["from \\ to", ...audit.tenants],
        sources.map((from) => [
            from,
            ...audit.tenants.map((to) =>
                from === to
                    ? "(same)"
                    : audit.network.find((cell) => cell.from === from && cell.to === to)?.allowed
                      ? `allowed: ${audit.network.find((cell) => cell.from === from && cell.to === to)!.ports}`
                      : "denied",
            ),
        ]),
    );
    const open = unacknowledged(audit);
    const accepted = audit.findings.filter((finding) => finding.acknowledged !== undefined);
    const listed = (finding: AuditFinding) => [`  [${finding.id}] ${finding.message}`, ...finding.path.map((step) => `    ${step}`)];
    const findings = [
        ...(open.length
            ? [
                  "",
                  `${open.length} finding${open.length === 1 ? "" : "s"}: a tenant can reach into another beyond what the stack declares.`,
                  ...open.flatMap(listed),
              ]
            : ["", "No tenant can read, write or delete in another tenant's namespace or reach its pods beyond what the stack declares or acknowledges."]),
        ...(accepted.length
            ? [
                  "",
                  `${accepted.length} acknowledged (kfstack:tenancy.acknowledge): known limitations the stack accepts.`,
                  ...accepted.flatMap((finding) => [...listed(finding), `    acknowledged: ${finding.acknowledged}`]),
              ]
            : []),
    ];
    return [
        `Tenancy audit of stack ${stack}: ${audit.tenants.length} tenants (${audit.tenants.join(", ")}).`,
        "",
        "RBAC: what each tenant's people and service accounts can do with the work in each tenant namespace (none / read / write):",
        rbac,
        "",
        "Network: whether pods of a namespace can open connections to pods of a tenant namespace:",
        network,
        ...findings,
    ].join("\n");
}

export async function auditCommand(stack: string, options: AuditOptions): Promise<void> {
    const { tenancy } = await planStack(stack, options.config ? { configFile: options.config } : {});
    console.log(options.json ? JSON.stringify(tenancy, null, 2) : renderAudit(stack, tenancy));
    if (unacknowledged(tenancy).length > 0) process.exitCode = EXIT_INVALID;
}
