// The Grafana dashboards kfstack provisions (components/monitoring/dashboards/*.json):
// who they are, which data source they read, and their PromQL, which promtool must
// accept and which may only read metrics the platform's exporters really export.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { itWithPromtool, promtool, writeYamlFiles } from "./tools";
import { GRAFANA_VARIABLES, KNOWN_METRICS, metricNames, promqlOfVariableQuery, substituteVariables, variableNames } from "./dashboard-promql";

const DASHBOARDS_DIR = join(__dirname, "..", "..", "components", "monitoring", "dashboards");

/** The Prometheus data source provisioned into Grafana: every reference must be exactly this one. */
const DATASOURCE = { type: "prometheus", uid: "prometheus" };

interface Target {
    refId?: string;
    expr?: string;
}

interface Panel {
    id?: number;
    type?: string;
    title?: string;
    gridPos?: unknown;
    targets?: Target[];
    panels?: Panel[];
}

interface Variable {
    name?: string;
    type?: string;
    query?: string | { query?: string };
    definition?: string;
}

interface DashboardJson {
    uid?: unknown;
    title?: unknown;
    tags?: unknown;
    editable?: unknown;
    id?: unknown;
    panels?: Panel[];
    templating?: { list?: Variable[] };
}

interface Dashboard {
    file: string;
    json: DashboardJson;
}

/** One PromQL expression of a dashboard, with where it was found. */
interface Query {
    dashboard: Dashboard;
    where: string;
    /** As written in the dashboard, Grafana variables and all. */
    expr: string;
}

function loadDashboards(): Dashboard[] {
    const files = readdirSync(DASHBOARDS_DIR)
        .filter((name) => name.endsWith(".json"))
        .sort();
    return files.map((file) => {
        const text = readFileSync(join(DASHBOARDS_DIR, file), "utf8");
        try {
            return { file, json: JSON.parse(text) as DashboardJson };
        } catch (error) {
            throw new Error(`components/monitoring/dashboards/${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
        }
    });
}

/** Every panel, the panels of collapsed rows included. */
function panelsOf(dashboard: DashboardJson): Panel[] {
    return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

const hasNoQueries = (panel: Panel) => panel.type === "row" || panel.type === "text";

function variablesOf(dashboard: DashboardJson): Variable[] {
    return dashboard.templating?.list ?? [];
}

function label(dashboard: Dashboard): string {
    return `${String(dashboard.json.title)} (${dashboard.file})`;
}

function queriesOf(dashboard: Dashboard): Query[] {
    const queries: Query[] = [];
    for (const panel of panelsOf(dashboard.json)) {
        for (const target of panel.targets ?? []) {
            if (typeof target.expr === "string") queries.push({ dashboard, where: `panel "${panel.title}", target ${target.refId}`, expr: target.expr });
        }
    }
    for (const variable of variablesOf(dashboard.json)) {
        if (variable.type !== "query") continue;
        const texts = new Set([typeof variable.query === "string" ? variable.query : variable.query?.query, variable.definition]);
        for (const text of texts) {
            const expr = text === undefined ? undefined : promqlOfVariableQuery(text);
            if (expr) queries.push({ dashboard, where: `variable $${variable.name}`, expr });
        }
    }
    return queries;
}

const dashboards = loadDashboards();
const queries = dashboards.flatMap(queriesOf);

describe("the Grafana dashboards kfstack provisions", () => {
    it("are there to check: JSON files, each with PromQL", () => {
        expect(dashboards.length).toBeGreaterThan(0);
        expect(dashboards.filter((dashboard) => !queries.some((query) => query.dashboard === dashboard)).map((dashboard) => dashboard.file)).toEqual([]);
    });

    it("each have a stable kfstack uid, a 'kfstack / ' title, the kfstack tag, no id, and are read-only", () => {
        const problems = dashboards.flatMap(({ file, json }) => [
            ...(typeof json.uid === "string" && /^kfstack-[a-z0-9-]+$/.test(json.uid) && json.uid.length <= 40
                ? []
                : [`${file}: uid ${JSON.stringify(json.uid)} is not "kfstack-<name>" (lower case, at most 40 characters)`]),
            ...(typeof json.title === "string" && json.title.startsWith("kfstack / ")
                ? []
                : [`${file}: title ${JSON.stringify(json.title)} does not start with "kfstack / "`]),
            ...(JSON.stringify(json.tags) === JSON.stringify(["kfstack"]) ? [] : [`${file}: tags are ${JSON.stringify(json.tags)}, not ["kfstack"]`]),
            ...(json.id === undefined || json.id === null ? [] : [`${file}: id is ${JSON.stringify(json.id)}; leave it null, Grafana assigns it`]),
            ...(json.editable === false ? [] : [`${file}: editable is ${JSON.stringify(json.editable)}; provisioned dashboards are read-only (false)`]),
        ]);
        expect(problems).toEqual([]);
    });

    it("have distinct uids", () => {
        const files = new Map<unknown, string[]>();
        for (const { file, json } of dashboards) files.set(json.uid, [...(files.get(json.uid) ?? []), file]);
        expect([...files].filter(([, names]) => names.length > 1).map(([uid, names]) => `uid ${JSON.stringify(uid)} is used by ${names.join(", ")}`)).toEqual(
            [],
        );
    });

    it("refer to no data source but the provisioned Prometheus one, and declare no data source variable", () => {
        const problems: string[] = [];
        const walk = (file: string, path: string, value: unknown): void => {
            if (Array.isArray(value)) value.forEach((item, index) => walk(file, `${path}[${index}]`, item));
            else if (value !== null && typeof value === "object") {
                for (const [key, child] of Object.entries(value)) {
                    if (key === "datasource" && JSON.stringify(child) !== JSON.stringify(DATASOURCE)) {
                        problems.push(`${file}: ${path}.datasource is ${JSON.stringify(child)}; use ${JSON.stringify(DATASOURCE)}`);
                    } else walk(file, `${path}.${key}`, child);
                }
            }
        };
        for (const { file, json } of dashboards) {
            walk(file, "$", json);
            for (const variable of variablesOf(json).filter((candidate) => candidate.type === "datasource")) {
                problems.push(`${file}: variable $${variable.name} picks a data source; read the provisioned one, ${JSON.stringify(DATASOURCE)}`);
            }
        }
        expect(problems).toEqual([]);
    });

    it("give every panel but rows and text a PromQL target, a place on the grid and an id of its own", () => {
        const problems = dashboards.flatMap((dashboard) => {
            const panels = panelsOf(dashboard.json);
            const ids = panels.map((panel) => panel.id);
            return panels.flatMap((panel) => [
                ...(hasNoQueries(panel) || (panel.targets ?? []).some((target) => target.expr?.trim())
                    ? []
                    : [`${label(dashboard)}: ${panel.type} panel "${panel.title}" has no PromQL target`]),
                ...(panel.gridPos ? [] : [`${label(dashboard)}: panel "${panel.title}" has no gridPos`]),
                ...(typeof panel.id === "number" && ids.indexOf(panel.id) === ids.lastIndexOf(panel.id)
                    ? []
                    : [`${label(dashboard)}: panel "${panel.title}" has id ${panel.id}, missing or shared`]),
            ]);
        });
        expect(problems).toEqual([]);
    });

    it("use only template variables they define, and Grafana's own", () => {
        const problems = queries.flatMap(({ dashboard, where, expr }) => {
            const defined = new Set(variablesOf(dashboard.json).map((variable) => variable.name));
            return variableNames(expr)
                .filter((name) => !defined.has(name) && !(name in GRAFANA_VARIABLES))
                .map((name) => `${label(dashboard)}, ${where}: $${name} is not a variable of the dashboard: ${expr}`);
        });
        expect(problems).toEqual([]);
    });

    it("read only metrics that the platform's exporters export", () => {
        const problems = queries.flatMap(({ dashboard, where, expr }) =>
            metricNames(substituteVariables(expr))
                .filter((name) => !KNOWN_METRICS.has(name))
                .map(
                    (name) => `${label(dashboard)}, ${where}: metric ${name} is not one the platform's exporters export (EXPORTED_METRICS lists them): ${expr}`,
                ),
        );
        expect(problems).toEqual([]);
    });

    itWithPromtool(__filename)("have PromQL that promtool check rules accepts", () => {
        const counts = new Map<Dashboard, number>();
        const rules = queries.map((query) => {
            const n = counts.get(query.dashboard) ?? 0;
            counts.set(query.dashboard, n + 1);
            return { record: `kfstack:dashboard:${String(query.dashboard.json.uid).replace(/\W/g, "_")}:${n}`, expr: substituteVariables(query.expr), query };
        });
        const directory = writeYamlFiles({
            "dashboards.rules.yaml": { groups: [{ name: "kfstack-dashboards", rules: rules.map(({ record, expr }) => ({ record, expr })) }] },
        });
        const result = promtool(["check", "rules", "dashboards.rules.yaml"], directory);
        const rejected = rules
            .filter(({ record }) => result.output.includes(`"${record}":`))
            .map(
                ({ record, expr, query }) =>
                    `${label(query.dashboard)}, ${query.where}: ${expr}\n  ${result.output
                        .split("\n")
                        .find((line) => line.includes(`"${record}":`))
                        ?.trim()}`,
            );
        expect(rejected).toEqual([]);
        expect(result.status, result.output).toBe(0);
    });
});
