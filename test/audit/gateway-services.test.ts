// Platform services any signed-in user reaches through the ingress gateway:
// ML Metadata's web endpoint (metadata-envoy, no sidecar) is reported and prod
// acknowledges it; the Pipelines UI's artifact endpoints are reported unless
// kfstack's guard stands in front of them, and the guard's Lua, run for real
// (fengari), refuses every artifact request that names no namespace.
import { beforeAll, describe, expect, it } from "vitest";
import { lauxlib, lua, lualib, to_luastring } from "fengari";
import { ARTIFACTS_NEED_NAMESPACE_LUA } from "../../components/kubeflow/mesh-isolation";
import { auditTenancy, unacknowledged } from "../../engine/audit/tenancy-audit";
import { type PolicyRecord, policyRecordsOf } from "../../engine/policy-check";
import { plannedStack } from "../planned-stacks";

/** Runs the guard's envoy_on_request for one :path, as Envoy's Lua filter calls it; the status it responds with, or undefined when it lets the request through. */
function guardStatus(path: string): string | undefined {
    const state = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(state);
    const handle = `
        local responded = nil
        handle = {
            headers = function(self) return { get = function(_, name) if name == ":path" then return ${JSON.stringify(path)} end end } end,
            respond = function(self, headers, body) responded = headers[":status"] end,
        }
        ${ARTIFACTS_NEED_NAMESPACE_LUA}
        envoy_on_request(handle)
        return responded`;
    if (lauxlib.luaL_dostring(state, to_luastring(handle)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(state, -1));
    return lua.lua_isnil(state, -1) ? undefined : lua.lua_tojsstring(state, -1);
}

describe("the Pipelines UI's artifact guard (Lua, as Envoy runs it)", () => {
    it.each([
        "/pipeline/artifacts/get?source=minio&bucket=mlpipeline&key=artifacts%2Fnlp-run%2Fmodel",
        "/pipeline/artifacts/minio/mlpipeline/artifacts/nlp-run/model.tgz",
        "/pipeline/ARTIFACTS/get?source=minio&bucket=mlpipeline&key=x",
        "/pipeline/%61rtifacts/get?source=minio&bucket=mlpipeline&key=x",
        "/artifacts/get?source=minio&bucket=mlpipeline&key=x&xnamespace=nlp",
        "/pipeline/artifacts/get?namespace=&source=minio",
        "/pipeline/artifacts/get?%6eamespace=nlp&source=minio",
    ])("refuses %s, which names no namespace", (path) => {
        expect(guardStatus(path)).toBe("403");
    });

    it.each(["/pipeline/artifacts/get?source=minio&bucket=mlpipeline&key=x&namespace=vision", "/pipeline/apis/v2beta1/runs?namespace=vision", "/pipeline/"])(
        "lets %s through",
        (path) => {
            expect(guardStatus(path)).toBeUndefined();
        },
    );
});

describe("the tenancy audit's gateway-reached services on the prod plan", () => {
    let prod: PolicyRecord[];
    beforeAll(async () => {
        prod = policyRecordsOf((await plannedStack("prod")).resources);
    });
    const serviceFindings = (records: PolicyRecord[]) => auditTenancy(records).findings.filter((finding) => finding.kind === "service");

    it("reports ML Metadata's web endpoint, which prod acknowledges, with gateway → route → no sidecar", () => {
        const mlmd = serviceFindings(prod).filter((finding) => finding.path[0]!.startsWith("gateway "));
        expect(mlmd.map((finding) => [finding.id, finding.acknowledged !== undefined])).toEqual([
            ["unauthenticated-mlmd", true],
            ["unauthenticated-mlmd", true],
        ]);
        expect(mlmd[0]!.path.slice(0, 3)).toEqual([
            "gateway kubeflow/kubeflow-gateway (any signed-in user)",
            "VirtualService kubeflow/metadata-grpc routes /ml_metadata to Deployment kubeflow/metadata-envoy-deployment port 9090",
            'Deployment kubeflow/metadata-envoy-deployment runs without an Istio sidecar (sidecar.istio.io/inject: "false"), so no AuthorizationPolicy checks who the gateway carries',
        ]);
    });

    it("reports the Pipelines UI's artifact endpoints once kfstack's guard is gone, and not while it stands", () => {
        expect(unacknowledged(auditTenancy(prod))).toEqual([]);
        const unguarded = prod.filter((record) => !(record.props["kind"] === "EnvoyFilter" && record.name.endsWith("ml-pipeline-ui-artifacts-by-namespace")));
        expect(unguarded.length).toBe(prod.length - 1);
        const findings = unacknowledged(auditTenancy(unguarded));
        expect(findings.map((finding) => finding.id)).toEqual(["pipelines-ui-artifacts", "pipelines-ui-artifacts"]);
        expect(findings[0]!.message).toMatch(/^People of tenant vision can reach the Pipelines UI's artifact endpoints .* so they can read those of nlp$/);
        expect(findings[0]!.path[2]).toBe(
            'AuthorizationPolicy kubeflow/ml-pipeline-ui admits it by rule 1: {"from":[{"source":{"namespaces":["istio-system"]}}]}, for any user the gateway signed in',
        );
    });
});
