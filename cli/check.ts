// `kfstack check <stack>` evaluates the policy pack over the offline plan of a
// stack; `kfstack check --resources <file>` over a JSON list of resources, for
// CI where no credentials exist. Exit 1 on a mandatory violation, 2 on input
// that cannot be read.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type ResolvedStack, resolveStack } from "../components/stack";
import { planStack } from "../engine/plan";
import { type PolicyRecord, type PolicyReport, evaluatePolicies, hasMandatory } from "../engine/policy-check";
import { withPlaceholdersForUnsetSecrets } from "../engine/unset-secrets";
import { loadStackSettings } from "../engine/stack-file";
import { EXIT_INVALID, UnreadableInputError } from "./errors";

export interface CheckOptions {
    config?: string;
    resources?: string;
    stackConfig?: string;
    policyConfig?: string;
    json?: boolean;
}

const RecordsSchema = z.array(
    z.strictObject({
        type: z.string().min(1),
        name: z.string().min(1),
        urn: z.string().optional(),
        props: z.record(z.string(), z.unknown()),
        dependsOn: z.array(z.string()).optional(),
        provider: z.string().nullable().optional(),
        options: z.strictObject({ protect: z.boolean(), ignoreChanges: z.array(z.string()) }).optional(),
    }),
);

const PackConfigSchema = z.record(
    z.string(),
    z.union([
        z.enum(["advisory", "mandatory", "remediate", "disabled"]),
        z.looseObject({ enforcementLevel: z.enum(["advisory", "mandatory", "remediate", "disabled"]).optional() }),
    ]),
);

function readJson(file: string, what: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new UnreadableInputError(
            `Cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}.`,
        );
    }
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new UnreadableInputError(`${what} ${file} is not valid JSON: ${(error as Error).message}.`);
    }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => `  ${issue.path.length ? issue.path.join(".") : "(top level)"}: ${issue.message}`);
    throw new UnreadableInputError([`${what} ${file} is not in the expected shape:`, ...problems].join("\n"));
}

/** Records for the platform facts of a stack file, so stack policies can judge a bare list of resources. */
export function stackFactRecords(stackFile: string): PolicyRecord[] {
    let stack: ResolvedStack;
    try {
        stack = resolveStack({
            stack: "check",
            config: withPlaceholdersForUnsetSecrets(loadStackSettings("check", { configFile: stackFile })).settings.config,
        });
    } catch (error) {
        throw new UnreadableInputError(`The stack config ${stackFile} cannot be used: ${(error as Error).message}`);
    }
    const cluster = { existing: "ExistingCluster", aws: "EksCluster", gcp: "GkeCluster" }[stack.config.cloud];
    return [
        { type: `kfstack:cluster:${cluster}`, name: "stack-config", props: { ...stack.facts.cluster } },
        { type: "kfstack:kubeflow:Kubeflow", name: "stack-config", props: { ...stack.facts.kubeflow } },
    ];
}

export function renderReport(subject: string, report: PolicyReport): string {
    const mandatory = report.violations.filter((violation) => violation.enforcement === "mandatory").length;
    const lines = [
        `Policy check of ${subject}: ${report.evaluated.resources} resources, ${report.evaluated.policies} policies; ` +
            `${mandatory} mandatory and ${report.violations.length - mandatory} advisory violations, ${report.undecided.length} undecided until deployment.`,
    ];
    const byPolicy = Map.groupBy(report.violations, (violation) => violation.policy);
    for (const [policy, violations] of byPolicy) {
        lines.push("", `${policy} (${violations[0]!.id}, ${violations[0]!.enforcement}):`);
        for (const [resource, found] of Map.groupBy(violations, (violation) => violation.resource)) {
            lines.push(`  ${resource}`, ...found.map((violation) => `    ${violation.message}`));
        }
    }
    if (report.undecided.length) {
        lines.push(
            "",
            "Undecided (values known only after deployment):",
            ...report.undecided.map((entry) => `  ${entry.policy} on ${entry.resource}: ${entry.reason}`),
        );
    }
    return lines.join("\n");
}

export async function checkCommand(stack: string | undefined, options: CheckOptions): Promise<void> {
    if ((stack === undefined) === (options.resources === undefined)) {
        throw new UnreadableInputError("Name a stack (`check prod`) or a resource file (`check --resources <file.json>`), not both.");
    }
    const config = options.policyConfig ? parsed(PackConfigSchema, readJson(options.policyConfig, "policy config"), options.policyConfig, "policy config") : {};
    let report: PolicyReport;
    let subject: string;
    if (options.resources) {
        const records = parsed(RecordsSchema, readJson(options.resources, "resource file"), options.resources, "resource file");
        report = await evaluatePolicies(options.stackConfig ? [...records, ...stackFactRecords(options.stackConfig)] : records, { config });
        subject = options.resources;
    } else {
        report = (await planStack(stack!, { policyConfig: config, ...(options.config ? { configFile: options.config } : {}) })).policy;
        subject = `stack ${stack}`;
    }
    if (options.json) {
        const violations = report.violations.map(({ policy, enforcement, resource, message }) => ({ policy, enforcement, resource, message }));
        console.log(JSON.stringify({ violations }, null, 2));
    } else {
        console.log(renderReport(subject, report));
    }
    if (hasMandatory(report)) process.exitCode = EXIT_INVALID;
}
