import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBEFLOW_FACTS_TYPE, TENANCY_FACTS_TYPE } from "../core/facts";
import { type PolicyRecord, type PolicyReport, evaluatePolicies, policyRecordsOf, providerResource } from "../engine/policy-check";
import { resolvePackConfig } from "../engine/policy-config";
import { importSpecifiersOf, typeScriptModulesUnder } from "../engine/source-imports";
import { projectDirectory } from "../engine/stack-file";
import { ALL_POLICIES } from "../policies/all";
import { type AnalyzerClient, analyzerParts, call, installPack, rpcOf, startAnalyzer, wireValue } from "./policy-analyzer";
import { plannedStack } from "./planned-stacks";

const ROOT = projectDirectory();
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

type Verdicts = Pick<PolicyReport, "violations" | "undecided">;
const sorted = <T>(items: T[]) => items.map((item) => JSON.stringify(item)).sort();

describe("the policy pack under Pulumi's policy runtime, called as the engine calls it", () => {
    let pack: string;
    let analyzer: ChildProcess;
    let client: AnalyzerClient;
    let rpc: ReturnType<typeof rpcOf>;

    beforeAll(async () => {
        pack = installPack();
        rpc = rpcOf(pack);
        const started = startAnalyzer(pack);
        analyzer = started.child;
        const port = await started.port;
        client = new rpc.rpc.AnalyzerClient(`127.0.0.1:${port}`, rpc.grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
        });
    }, 60_000);
    afterAll(() => {
        client?.close();
        analyzer?.kill();
    });

    /** Configure as the CLI does after reconciling the pack config: every policy, its level and its settings with defaults. */
    async function configure(config: PolicyPackConfig): Promise<void> {
        const request = new rpc.pb.ConfigureAnalyzerRequest();
        for (const [name, { enforcementLevel, properties }] of resolvePackConfig(ALL_POLICIES, config)) {
            const entry = new rpc.pb.PolicyConfig()
                .setEnforcementlevel(LEVELS.indexOf(enforcementLevel))
                .setProperties(rpc.Struct.fromJavaScript(properties as never));
            request.getPolicyconfigMap().set(name, entry);
        }
        await call(client.configure.bind(client), request);
    }

    /** Analyze for every resource, then AnalyzeStack once, and the verdicts as `npm run check` words them. */
    async function judge(records: PolicyRecord[], config: PolicyPackConfig): Promise<Verdicts> {
        await configure(config);
        const byUrn = new Map(records.map((record) => [record.urn ?? record.name, { type: record.type, name: record.name, props: record.props }]));
        const provider = (record: PolicyRecord, urn: string) => {
            const found = providerResource({ ...record, id: urn }, byUrn);
            return new rpc.pb.AnalyzerProviderResource()
                .setType(found.type)
                .setName(found.name)
                .setUrn(found.urn)
                .setProperties(rpc.Struct.fromJavaScript(wireValue(found.props) as never));
        };
        // As the engine sends them: the parent, and the options the plan records (DRIFT-01 reads ignoreChanges).
        const options = (record: PolicyRecord) =>
            new rpc.pb.AnalyzerResourceOptions()
                .setParent(record.parent ?? "")
                .setProtect(record.options?.protect ?? false)
                .setIgnorechangesList(record.options?.ignoreChanges ?? []);
        const verdicts: Verdicts = { violations: [], undecided: [] };
        const collect = (
            response: {
                getDiagnosticsList(): ReturnType<typeof rpc.pb.AnalyzeResponse.prototype.getDiagnosticsList>;
                getNotApplicableList(): ReturnType<typeof rpc.pb.AnalyzeResponse.prototype.getNotApplicableList>;
            },
            subject: string,
        ) => {
            for (const diagnostic of response.getDiagnosticsList()) {
                const policy = diagnostic.getPolicyname();
                const preview = /^can't run policy '[^']+' from policy pack '[^']+' during preview: ([\s\S]*)$/.exec(diagnostic.getMessage());
                if (preview) {
                    verdicts.undecided.push({ policy, resource: subject, reason: preview[1]! });
                    continue;
                }
                const known = ALL_POLICIES.find((candidate) => candidate.name === policy)!;
                verdicts.violations.push({
                    policy,
                    id: known.id,
                    enforcement: LEVELS[diagnostic.getEnforcementlevel()],
                    resource: diagnostic.getUrn() || subject,
                    message: diagnostic.getMessage().slice(`${known.description}\n`.length),
                });
            }
            for (const skipped of response.getNotApplicableList()) {
                verdicts.undecided.push({ policy: skipped.getPolicyName(), resource: subject, reason: skipped.getReason() || "Policy does not apply" });
            }
        };
        // The engine analyzes resources as it registers them, many at once.
        await Promise.all(
            records.map(async (record) => {
                const { urn, inputs } = analyzerParts(record);
                const request = new rpc.pb.AnalyzeRequest()
                    .setType(record.type)
                    .setUrn(urn)
                    .setName(record.name)
                    .setProperties(rpc.Struct.fromJavaScript(wireValue(inputs) as never))
                    .setOptions(options(record))
                    .setProvider(provider(record, urn));
                collect(await call(client.analyze.bind(client), request), urn);
            }),
        );
        const stack = new rpc.pb.AnalyzeStackRequest().setResourcesList(
            records.map((record) => {
                const { urn, outputs } = analyzerParts(record);
                return new rpc.pb.AnalyzerResource()
                    .setType(record.type)
                    .setUrn(urn)
                    .setName(record.name)
                    .setProperties(rpc.Struct.fromJavaScript(wireValue(outputs) as never))
                    .setOptions(options(record))
                    .setProvider(provider(record, urn))
                    .setParent(record.parent ?? "")
                    .setDependenciesList(record.dependsOn ?? []);
            }),
        );
        collect(await call(client.analyzeStack.bind(client), stack), "stack");
        return verdicts;
    }

    async function expectSameVerdicts(records: PolicyRecord[], config: PolicyPackConfig = {}): Promise<Verdicts> {
        const check = await evaluatePolicies(records, { config });
        const served = await judge(records, config);
        expect(sorted(served.violations)).toEqual(sorted(check.violations));
        expect(sorted(served.undecided)).toEqual(sorted(check.undecided));
        return check;
    }

    it("is installed with only what policies/package.json declares, and the pack imports nothing else", () => {
        const declared = Object.keys((JSON.parse(readFileSync(join(ROOT, "policies", "package.json"), "utf8")) as { dependencies: object }).dependencies);
        const imported = [...typeScriptModulesUnder(ROOT, "policies"), ...typeScriptModulesUnder(ROOT, "core")]
            .flatMap((module) => importSpecifiersOf(join(ROOT, module)))
            .filter((specifier) => !specifier.startsWith(".") && !specifier.startsWith("node:"))
            .map((specifier) =>
                specifier
                    .split("/")
                    .slice(0, specifier.startsWith("@") ? 2 : 1)
                    .join("/"),
            );
        expect([...new Set(imported)].filter((name) => !declared.includes(name))).toEqual([]);
        expect(declared).toContain("typescript");
    });

    it("lists every policy with its enforcement level and config schema (GetAnalyzerInfo), and the policy SDK's version (GetPluginInfo)", async () => {
        const info = await call(client.getAnalyzerInfo.bind(client), new rpc.Empty());
        expect(info.getName()).toBe("kfstack");
        expect(info.getSupportsconfig()).toBe(true);
        const served = info.getPoliciesList().map((policy) => ({
            name: policy.getName(),
            enforcementLevel: LEVELS[policy.getEnforcementlevel()],
            schema: policy.getConfigschema()?.getProperties()?.toJavaScript() ?? null,
            required: policy.getConfigschema()?.getRequiredList() ?? [],
        }));
        expect(served).toEqual(
            ALL_POLICIES.map((policy) => ({
                name: policy.name,
                enforcementLevel: policy.enforcementLevel,
                schema: policy.configSchema ? (JSON.parse(JSON.stringify(policy.configSchema.properties)) as object) : null,
                required: policy.configSchema?.required ?? [],
            })),
        );
        const plugin = await call(client.getPluginInfo.bind(client), new rpc.Empty());
        const lock = JSON.parse(readFileSync(join(ROOT, "policies", "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
        expect(plugin.getVersion().replace(/^v/, "")).toBe(lock.packages["node_modules/@pulumi/policy"]!.version);
    });

    it("judges the prod plan as `npm run check -- prod` does: the same violations and undecided policies", async () => {
        const plan = await plannedStack("prod");
        const records = policyRecordsOf(plan.resources);
        const check = await expectSameVerdicts(records);
        expect(check).toMatchObject({ violations: plan.policy.violations, undecided: plan.policy.undecided });
        expect(check.undecided.length).toBeGreaterThan(0);
    }, 60_000);

    it("reports a resource policy's violation and a stack policy's, and a stack policy left undecided by missing facts, as the check does", async () => {
        const plan = await plannedStack("prod");
        const records = policyRecordsOf(plan.resources).map((record) => {
            // VER-03 fails on a Kubernetes version outside the Kubeflow window.
            if (record.type === KUBEFLOW_FACTS_TYPE) return { ...record, props: { ...record.props, kubernetesVersion: "1.22" } };
            // TEN-01 cannot decide on a tenant without readsFrom.
            if (record.type === TENANCY_FACTS_TYPE) {
                const [first, ...others] = record.props["tenants"] as Record<string, unknown>[];
                const { readsFrom: _, ...withoutReadsFrom } = first!;
                return { ...record, props: { ...record.props, tenants: [withoutReadsFrom, ...others] } };
            }
            // NET-03 fails on a NodePort Service.
            if (record.type === "kubernetes:core/v1:Service" && record.name === "kubeflow/ml-pipeline-ui") {
                return { ...record, props: { ...record.props, spec: { ...(record.props["spec"] as object), type: "NodePort" } } };
            }
            return record;
        });
        const check = await expectSameVerdicts(records);
        expect(new Set(check.violations.map((violation) => violation.id))).toEqual(new Set(["VER-03", "NET-03"]));
        expect(check.undecided.map((entry) => entry.policy)).toContain("ten-01-cross-tenant-bindings");
    }, 60_000);
});
