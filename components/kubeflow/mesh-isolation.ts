// kfstack's changes to Kubeflow's Istio objects so that no tenant can speak
// for another through the mesh: tenant roles that only read Istio objects,
// DestinationRules that stay in their namespace unless they say otherwise,
// and platform services that no longer answer a tenant pod without an
// identity. Each change is checked against what the pinned upstream source
// does (Kubeflow manifests v1.8.1, Pipelines 2.0.5, Istio 1.17.5).
import { parse, stringify } from "yaml";
import { KUBEFLOW_USER_HEADER, isIstioGroup } from "../../core/istio";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { CustomizeError } from "../manifests/customize";
import { tenantClusterRoles } from "./customize";

const READ_VERBS = new Set(["get", "list", "watch"]);

interface RbacRule {
    apiGroups?: string[];
    verbs: string[];
    [key: string]: unknown;
}

/**
 * Tenant roles read Istio objects but never write them: with a VirtualService bound to the shared
 * kubeflow-gateway a tenant sets the kubeflow-userid header every backend trusts, and with a
 * ServiceEntry, DestinationRule, Sidecar or EnvoyFilter it reroutes other namespaces' traffic. Upstream's
 * kubeflow-istio-edit grants those writes to kubeflow-edit and, through kubeflow-istio-admin, to
 * kubeflow-admin. Only controllers (notebooks, Tensorboards, KServe) create tenants' VirtualServices.
 */
export function withoutTenantIstioWrites(objects: KubernetesObject[]): void {
    for (const role of tenantClusterRoles(objects)) {
        const rules = (role["rules"] as RbacRule[] | undefined) ?? [];
        role["rules"] = rules.flatMap((rule): RbacRule[] => {
            const groups = rule.apiGroups ?? [];
            const istio = groups.filter(isIstioGroup);
            if (istio.length === 0) return [rule];
            const others = groups.filter((group) => !isIstioGroup(group));
            const reads = rule.verbs.filter((verb) => READ_VERBS.has(verb));
            return [...(others.length ? [{ ...rule, apiGroups: others }] : []), ...(reads.length ? [{ ...rule, apiGroups: istio, verbs: reads }] : [])];
        });
    }
}

const MESH_CONFIG = "/ConfigMap/istio-system/istio";

/**
 * A DestinationRule without exportTo applies only in its own namespace (Istio's default is every
 * namespace), so one a tenant's controller or a later grant creates for another namespace's host cannot
 * change how other clients reach it (for example turn off mTLS, so the server sees no identity). The
 * platform's own DestinationRules keep the reach they have upstream.
 *
 * defaultVirtualServiceExportTo stays "*": Istio 1.17 matches a gateway's VirtualServices by the namespace
 * of the gateway's pods (PushContext.VirtualServicesForGateway(node.ConfigNamespace, …)), so with "." every
 * VirtualService outside istio-system that the notebook and Tensorboard controllers and KServe create,
 * without exportTo, would vanish from the ingress gateway. defaultServiceExportTo (the field behind
 * ServiceEntries) also sets every Kubernetes Service's visibility, so "." would cut tenant pods off
 * ml-pipeline and the gateway off every backend. Tenants cannot write either kind (withoutTenantIstioWrites).
 *
 * ingressControllerMode OFF: Istio 1.17.5 defaults to STRICT (pkg/config/mesh/mesh.go), under which istiod turns
 * any Kubernetes Ingress annotated kubernetes.io/ingress.class: istio into a Gateway on the istio: ingressgateway
 * pods, kubeflow-gateway's own, with a port-80 server for every host and routes in the Ingress's namespace
 * (pilot/pkg/config/kube/ingressv1/conversion.go): a tenant's route on the shared gateway. Kubeflow uses none.
 */
export function confineMeshConfig(objects: KubernetesObject[]): void {
    const meshConfig = objects.find((object) => objectKey(object) === MESH_CONFIG);
    if (!meshConfig)
        throw new CustomizeError(
            `kfstack sets the mesh config in ConfigMap istio-system/istio, but the rendered manifests have no such object; update components/kubeflow/mesh-isolation.ts for this release.`,
        );
    const data = meshConfig["data"] as Record<string, string>;
    const mesh = (parse(data["mesh"] ?? "") as Record<string, unknown> | null) ?? {};
    data["mesh"] = stringify({ ...mesh, defaultDestinationRuleExportTo: ["."], ingressControllerMode: "OFF" });
    for (const rule of objects.filter((object) => object.kind === "DestinationRule")) {
        const spec = rule["spec"] as Record<string, unknown>;
        spec["exportTo"] ??= ["*"];
    }
}

/** The calls Pipelines 2.0.5's v2 driver and launcher make to ml-pipeline, over gRPC port 8887 and with no identity (backend/src/v2/cacheutils/cache.go). */
export const PIPELINES_CACHE_CALLS = ["/api.TaskService/CreateTaskV1", "/api.TaskService/ListTasksV1"];
const USER_HEADER = `request.headers[${KUBEFLOW_USER_HEADER}]`;

/** The upstream AuthorizationPolicies kfstack replaces, and what replaces their spec. */
const AUTHORIZATION_POLICIES: Record<string, (spec: Record<string, unknown>) => Record<string, unknown>> = {
    // Upstream's second rule admits any caller without a kubeflow-userid header, and Pipelines 2.0.5 skips
    // authorization for shared (namespace-less) pipelines and visualizations (pipeline_server.go
    // canAccessPipeline, visualization_server.go): a tenant pod could replace shared pipelines. Without the
    // header only the driver's and launcher's cache calls remain; people come through ml-pipeline-ui.
    "kubeflow/ml-pipeline": (spec) => ({
        ...spec,
        rules: [
            ...(spec["rules"] as Record<string, unknown>[]).filter((rule) => rule["when"] === undefined),
            { to: [{ operation: { ports: ["8887"], paths: PIPELINES_CACHE_CALLS } }], when: [{ key: USER_HEADER, notValues: ["*"] }] },
        ],
    }),
    // ml-pipeline sends a visualization with an empty namespace, unauthorized, to this server, which runs
    // the request's Python as its own service account; namespaced ones go to the tenant's own server.
    "kubeflow/ml-pipeline-visualizationserver": (spec) => ({ selector: spec["selector"], action: "DENY", rules: [{}] }),
    // The in-cluster gateway still admits every caller (KServe's clients have no common identity), but no
    // request that carries an identity header: no backend trusts one from this gateway, and none may learn to.
    "istio-system/cluster-local-gateway": (spec) => ({ ...spec, action: "ALLOW", rules: [{ when: [{ key: USER_HEADER, notValues: ["*"] }] }] }),
};

/** Replaces the allow-everything and header-less AuthorizationPolicies upstream gives platform services; each must be found. */
export function closePlatformAuthorization(objects: KubernetesObject[]): void {
    const byName = new Map(
        objects
            .filter((object) => object.kind === "AuthorizationPolicy")
            .map((object) => [`${object.metadata.namespace ?? ""}/${object.metadata.name}`, object]),
    );
    for (const [name, replace] of Object.entries(AUTHORIZATION_POLICIES)) {
        const policy = byName.get(name);
        if (!policy)
            throw new CustomizeError(
                `kfstack replaces AuthorizationPolicy ${name}, but the rendered manifests have no such object; update components/kubeflow/mesh-isolation.ts for this release.`,
            );
        policy["spec"] = replace(policy["spec"] as Record<string, unknown>);
    }
}

/**
 * The Pipelines UI serves an artifact request that names no namespace itself, from MinIO with its own key and no check of
 * the caller (Pipelines 2.0.5 frontend/server/handlers/artifacts.ts: getArtifactsProxyHandler forwards only requests with
 * `namespace=`), so any signed-in user read any tenant's artifacts through the gateway. Its sidecar now refuses such a
 * request; one that names a namespace goes to that namespace's artifact server, whose AuthorizationPolicies admit only
 * members. The path is decoded and lower-cased first, as Express matches routes case-insensitively.
 */
export const ARTIFACTS_NEED_NAMESPACE_LUA = `function envoy_on_request(handle)
  local path = handle:headers():get(":path") or ""
  local route, query = string.match(path, "^([^?]*)%??(.*)$")
  local decoded = string.lower((string.gsub(route, "%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end)))
  if string.find(decoded, "artifacts", 1, true) and not string.find("&" .. query, "&namespace=[^&]") then
    handle:respond({[":status"] = "403"}, "kfstack: an artifact request must name its namespace (namespace=<profile>)")
  end
end
`;

export function artifactRequestsByNamespace(objects: readonly KubernetesObject[]): KubernetesObject {
    const ui = objects.find((object) => object.kind === "Deployment" && objectKey(object) === "apps/Deployment/kubeflow/ml-pipeline-ui");
    const labels = (ui?.["spec"] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
    if (!labels)
        throw new CustomizeError(
            "kfstack guards the Pipelines UI's artifact requests, but the rendered manifests have no Deployment kubeflow/ml-pipeline-ui with a selector; update components/kubeflow/mesh-isolation.ts for this release.",
        );
    return {
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "EnvoyFilter",
        metadata: { name: "ml-pipeline-ui-artifacts-by-namespace", namespace: "kubeflow" },
        spec: {
            workloadSelector: { labels },
            configPatches: [
                {
                    applyTo: "HTTP_FILTER",
                    match: {
                        context: "SIDECAR_INBOUND",
                        listener: {
                            filterChain: {
                                filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.router" } },
                            },
                        },
                    },
                    patch: {
                        operation: "INSERT_BEFORE",
                        value: {
                            name: "envoy.filters.http.lua",
                            typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua", inlineCode: ARTIFACTS_NEED_NAMESPACE_LUA },
                        },
                    },
                },
            ],
        },
    };
}
