// The platform's needs held against what an existing cluster declares it
// provides (kfstack:existing.provides): volumes need a class to bind to,
// NetworkPolicies need a plugin that enforces them, a LoadBalancer gateway
// needs a load balancer, a pool that starts at zero nodes needs an autoscaler.
// The policy pack checks the same against the planned objects (PLAT-01, PLAT-02).
import { DEFAULT_CLASS_ANNOTATION } from "../../core/storage-classes";
import { listOf } from "../../core/text";
import { type ClusterProvidesConfig, NETWORK_POLICY_AGENTS } from "../config/existing-schema";
import type { ExistingStackConfig, StackConfig } from "../config/schema";
import type { ConfigProblem, NodePoolPlan } from "../config/topology";

const PROVIDES = ["existing", "provides"] as const;
const KEY = "kfstack:existing.provides";

/** Every problem of an existing cluster's declaration against what the platform needs; none for a cluster kfstack creates. */
export function existingClusterProblems(config: StackConfig, gpu: NodePoolPlan | undefined): ConfigProblem[] {
    if (config.cloud !== "existing") return [];
    const provides = config.existing.provides;
    return [
        ...storageProblems(config, provides),
        ...networkPolicyProblems(config, provides),
        ...loadBalancerProblems(config, provides),
        ...scalingProblems(provides, gpu),
    ];
}

function storageProblems(config: ExistingStackConfig, provides: ClusterProvidesConfig): ConfigProblem[] {
    const path = [...PROVIDES, "storageClasses"];
    const classes = provides.storageClasses;
    const problems: ConfigProblem[] = [];
    const seen = new Set<string>();
    classes.forEach(({ name }, index) => {
        if (seen.has(name)) problems.push({ path: [...path, index, "name"], message: `${name} is listed twice; list each StorageClass once` });
        seen.add(name);
    });
    const defaults = classes.filter((storageClass) => storageClass.default).map((storageClass) => storageClass.name);
    if (defaults.length > 1) {
        problems.push({
            path,
            message: `marks ${defaults.length} classes default (${defaults.join(", ")}); a cluster has one default class: set default: true on it alone`,
        });
    }
    const monitoring = config.monitoring.enabled;
    const prometheusClass = monitoring ? config.monitoring.storageClass : undefined;
    if (prometheusClass !== undefined && !seen.has(prometheusClass)) {
        problems.push({
            path: ["monitoring", "storageClass"],
            message: `names StorageClass "${prometheusClass}", which ${KEY}.storageClasses does not declare (declared: ${classes.length ? [...seen].join(", ") : "none"}); name one of them, or declare the class there`,
        });
    }
    if (defaults.length > 0) return problems;
    // Kubeflow's upstream claims name no class, and neither does Prometheus's storage unless monitoring.storageClass is set.
    const needers = `Kubeflow's volumes (MinIO, MySQL, Katib's MySQL, the authservice)${monitoring && prometheusClass === undefined ? " and Prometheus's" : ""}`;
    problems.push({
        path,
        message: classes.length
            ? `declares no default class, but ${needers} name no StorageClass and would stay Pending; set default: true on the class annotated ${DEFAULT_CLASS_ANNOTATION}: "true"`
            : `declares no StorageClass, but ${needers} need one and would stay Pending; list the cluster's classes and set default: true on the one annotated ${DEFAULT_CLASS_ANNOTATION}: "true"`,
    });
    return problems;
}

function networkPolicyProblems(config: ExistingStackConfig, provides: ClusterProvidesConfig): ConfigProblem[] {
    const path = [...PROVIDES, "networkPolicy"];
    const { enforcedBy, agent } = provides.networkPolicy;
    if (enforcedBy !== "none") return [];
    const problems: ConfigProblem[] = [];
    if (agent !== undefined) {
        problems.push({
            path: [...path, "agent"],
            message: "names a network plugin's agent, but enforcedBy is none; remove agent, or set enforcedBy to its plugin",
        });
    }
    const tenants = config.tenants.map((tenant) => tenant.name);
    const monitoring = config.monitoring.enabled;
    if (!tenants.length && !monitoring) return problems;
    const isolation = tenants.length ? `NetworkPolicies isolate tenant${tenants.length === 1 ? "" : "s"} ${listOf(tenants)}` : "";
    const planned = tenants.length && monitoring ? `${isolation}, and monitoring plans its own` : isolation || "monitoring plans NetworkPolicies";
    problems.push({
        path: [...path, "enforcedBy"],
        message: `is none, but ${planned}, and nothing would enforce them; set enforcedBy to the plugin that enforces NetworkPolicy (${listOf(Object.keys(NETWORK_POLICY_AGENTS), "or")})${tenants.length ? "" : ", or set monitoring.enabled to false"}`,
    });
    return problems;
}

function loadBalancerProblems(config: ExistingStackConfig, provides: ClusterProvidesConfig): ConfigProblem[] {
    if (config.kubeflow.gateway.exposure !== "internalLoadBalancer" || provides.loadBalancer !== "none") return [];
    return [
        {
            path: ["kubeflow", "gateway", "exposure"],
            message: `is internalLoadBalancer, but ${KEY}.loadBalancer is none, so the gateway's LoadBalancer Service would never get an address; set exposure to clusterIP, or declare the cluster's load balancer (metallb …)`,
        },
    ];
}

function scalingProblems(provides: ClusterProvidesConfig, gpu: NodePoolPlan | undefined): ConfigProblem[] {
    if (provides.autoscaling || !gpu || gpu.minNodes > 0) return [];
    return [
        {
            path: ["cluster", "gpuPool", "minNodes"],
            message: `is 0, but ${KEY}.autoscaling is false: nothing adds GPU nodes for pending pods, so GPU workloads never start; set minNodes to the GPU nodes the cluster has, or set autoscaling to true if something (cluster-autoscaler, Karpenter …) adds them`,
        },
    ];
}
