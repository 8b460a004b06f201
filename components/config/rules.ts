// Rules that span several keys of a stack: zones inside the region, the AWS
// partition, who may reach the API, network layout and the topology. They run
// inside the schema's parse (superRefine), so their problems arrive in the same
// error as type errors, each with its key path. Zod runs them even when a value
// failed its format check (a malformed CIDR is still a string), so they must
// not assume formats.
import type { z } from "zod";
import { type Bom, BomError, loadBom } from "../bom";
import { partitionOf } from "../cluster/aws/partition";
import { windowsMissed } from "../manifests/compatibility";
import { apiServerCidrs } from "../tenancy/settings";
import { prefixLength } from "../../core/cidr";
import type { StackConfig } from "./schema";
import { installSelectionOf, installedComponents } from "./install";
import { type ConfigProblem, resolvePools } from "./topology";

const OPEN_TO_INTERNET = "0.0.0.0/0";
const MAX_CREATED_VPC_ZONES = 6;

export function checkStack(config: StackConfig, ctx: z.RefinementCtx): void {
    const problems = [
        ...zoneProblems(config),
        ...cloudProblems(config),
        ...endpointProblems(config),
        ...identityProblems(config),
        ...(config.airGap.enabled && !config.airGap.registry ? [{ path: ["airGap", "registry"], message: "is required when airGap.enabled is true: the mirror registry's prefix (the mirror stack's registryPrefix output)" }] : []),
        ...tenantProblems(config),
        ...kubeflowProblems(config),
        ...(config.cloud === "gcp" && config.monitoring.devicePlugin === "install"
            ? [{ path: ["monitoring", "devicePlugin"], message: "cannot be install on gcp: GKE runs its own NVIDIA device plugin on GPU nodes, and a second one would fight it; remove the key" }]
            : []),
        ...resolvePools(config).problems,
    ];
    for (const { path, message } of problems) ctx.addIssue({ code: "custom", path, message });
}

function zoneProblems(config: StackConfig): ConfigProblem[] {
    if (config.cloud === "existing") return [];
    const pattern = config.cloud === "aws" ? /^(.+)[a-z]$/ : /^(.+)-[a-z]$/;
    const example = config.cloud === "aws" ? `${config.region}a` : `${config.region}-a`;
    const seen = new Set<string>();
    return config.zones.flatMap((zone, index): ConfigProblem[] => {
        const path = ["zones", index];
        if (seen.has(zone)) return [{ path, message: `${zone} is listed twice; list each zone once` }];
        seen.add(zone);
        return pattern.exec(zone)?.[1] === config.region ? [] : [{ path, message: `${zone} is not a zone of region ${config.region}; zones look like ${example}` }];
    });
}

function cloudProblems(config: StackConfig): ConfigProblem[] {
    switch (config.cloud) {
        case "aws": {
            const problems: ConfigProblem[] = [];
            const partition = partitionOf(config.region);
            if (!partition) {
                problems.push({ path: ["region"], message: `${config.region} is in a partition kfstack does not support; use a commercial or GovCloud (us-gov-*) region` });
            }
            config.aws.clusterAdmins.forEach((arn, index) => {
                if (partition && !arn.startsWith(`arn:${partition.name}:`)) {
                    problems.push({ path: ["aws", "clusterAdmins", index], message: `${arn} is not in partition ${partition.name} of region ${config.region}; use an arn:${partition.name}: ARN` });
                }
            });
            const { existingVpc, vpcCidr, natGateways } = config.network;
            if (existingVpc && vpcCidr !== undefined) {
                problems.push({ path: ["network", "vpcCidr"], message: "is for a VPC kfstack creates; remove it when network.existingVpc is set" });
            }
            if (existingVpc && natGateways !== undefined) {
                problems.push({ path: ["network", "natGateways"], message: "is for a VPC kfstack creates; the existing VPC keeps its own NAT" });
            }
            // The created VPC is carved into one /19-of-a-/16 per zone plus a block for public subnets.
            const prefix = vpcCidr === undefined ? undefined : prefixLength(vpcCidr);
            if (!existingVpc && prefix !== undefined && (prefix < 16 || prefix > 20)) {
                problems.push({ path: ["network", "vpcCidr"], message: `${vpcCidr} must be a /16 to /20, to hold a private subnet per zone and the public subnets` });
            }
            if (!existingVpc && config.zones.length > MAX_CREATED_VPC_ZONES) {
                problems.push({ path: ["zones"], message: `lists ${config.zones.length} zones; a VPC kfstack creates spans at most ${MAX_CREATED_VPC_ZONES}` });
            }
            if (existingVpc && existingVpc.privateSubnetIds.length < config.zones.length) {
                problems.push({ path: ["network", "existingVpc", "privateSubnetIds"], message: `lists ${existingVpc.privateSubnetIds.length} subnets for ${config.zones.length} zones; give one private subnet per zone` });
            }
            return problems;
        }
        case "gcp": {
            const problems: ConfigProblem[] = [];
            if (!config.network.masterCidr.endsWith("/28")) {
                problems.push({ path: ["network", "masterCidr"], message: `${config.network.masterCidr} is not a /28; GKE needs a /28 for the control plane, such as 172.16.0.0/28` });
            }
            for (const [key, value] of Object.entries(config.tags)) {
                if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key) || !/^[a-z0-9_-]{0,63}$/.test(value)) {
                    problems.push({ path: ["tags", key], message: `"${key}: ${value}" is not a valid GCP label; use lowercase letters, digits, '_' and '-'` });
                }
            }
            return problems;
        }
        case "existing":
            return [];
    }
}

function endpointProblems(config: StackConfig): ConfigProblem[] {
    if (config.cloud === "existing" || config.privateEndpoint.enabled) return [];
    const cidrs = config.privateEndpoint.allowedCidrs;
    if (cidrs.length === 0) {
        return [{ path: ["privateEndpoint", "allowedCidrs"], message: "is empty, which leaves a public API endpoint open to the internet; list the networks that may reach it" }];
    }
    const open = cidrs.indexOf(OPEN_TO_INTERNET);
    if (open >= 0 && config.topology === "production") {
        return [{ path: ["privateEndpoint", "allowedCidrs", open], message: "0.0.0.0/0 opens a production API to the internet; list your networks, or enable the private endpoint" }];
    }
    return [];
}

function identityProblems(config: StackConfig): ConfigProblem[] {
    const { oidc, staticAdmin } = config.identity;
    if (oidc && staticAdmin) return [{ path: ["identity", "staticAdmin"], message: "cannot be set together with identity.oidc; choose one way to log in" }];
    if (!oidc && !staticAdmin) return [{ path: ["identity"], message: "sets neither oidc nor staticAdmin; choose one way to log in, kfstack installs no default login" }];
    return [];
}

function kubeflowProblems(config: StackConfig): ConfigProblem[] {
    let bom: Bom;
    try {
        bom = loadBom(config.kubeflow.release);
    } catch (error) {
        return [{ path: ["kubeflow", "release"], message: error instanceof BomError ? error.message : String(error) }];
    }
    const missed = windowsMissed(bom, installedComponents(bom, installSelectionOf(config)), config.kubernetesVersion);
    const acknowledged = config.kubeflow.acknowledgeKubernetesVersion;
    if (acknowledged && acknowledged.version !== config.kubernetesVersion) {
        return [{ path: ["kubeflow", "acknowledgeKubernetesVersion", "version"], message: `is ${acknowledged.version}, but the cluster runs ${config.kubernetesVersion}; acknowledge the version the cluster runs` }];
    }
    if (missed.length === 0 || acknowledged) return [];
    return [
        {
            path: ["kubernetesVersion"],
            message: `${config.kubernetesVersion} is outside the Kubernetes window of ${bom.release}: ${missed.join("; ")}. Choose a version inside it, or set kfstack:kubeflow.acknowledgeKubernetesVersion (version ${config.kubernetesVersion} and a reason) to run it anyway`,
        },
    ];
}

function tenantProblems(config: StackConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const names = config.tenants.map((tenant) => tenant.name);
    config.tenants.forEach((tenant, index) => {
        const path = ["tenants", index];
        if (names.indexOf(tenant.name) !== index) problems.push({ path: [...path, "name"], message: `${tenant.name} is already a tenant; tenant names must be unique` });
        const emails = tenant.members.map((member) => member.email);
        tenant.members.forEach((member, position) => {
            if (member.email === tenant.owner) problems.push({ path: [...path, "members", position, "email"], message: `${member.email} owns ${tenant.name} already; do not list the owner as a member` });
            else if (emails.indexOf(member.email) !== position) problems.push({ path: [...path, "members", position, "email"], message: `${member.email} is listed twice; give each person one role` });
        });
        tenant.readsFrom.forEach((other, position) => {
            if (!names.includes(other)) problems.push({ path: [...path, "readsFrom", position], message: `${other} is not a tenant of this stack; name one of ${names.join(", ")}` });
            else if (other === tenant.name) problems.push({ path: [...path, "readsFrom", position], message: "names the tenant itself" });
        });
        if (index === 0 && apiServerCidrs(config).length === 0) {
            problems.push({ path: ["tenancy", "apiServerCidrs"], message: "is needed: kfstack cannot tell where this cluster's API server is, and tenant pods must reach it; list its CIDRs" });
        }
        if (tenant.quotas.gpus > 0 && !config.cluster.gpuPool && config.topology === "testing") {
            problems.push({ path: [...path, "quotas", "gpus"], message: `is ${tenant.quotas.gpus}, but the stack has no GPU pool; set it to 0 or add cluster.gpuPool` });
        }
    });
    // A person with edit (or ownership) in two tenants can carry data from one to the other.
    const editors = new Map<string, number[]>();
    config.tenants.forEach((tenant, index) => {
        for (const email of [tenant.owner, ...tenant.members.filter((member) => member.role === "edit").map((member) => member.email)]) {
            editors.set(email, [...(editors.get(email) ?? []), index]);
        }
    });
    for (const [email, tenants] of editors) {
        if (tenants.length < 2) continue;
        for (const index of tenants) {
            const tenant = config.tenants[index]!;
            if (!tenant.sharedEditors.includes(email)) {
                const others = tenants.filter((other) => other !== index).map((other) => config.tenants[other]!.name);
                problems.push({
                    path: ["tenants", index, "sharedEditors"],
                    message: `does not declare ${email}, who holds edit in ${tenant.name} and in ${others.join(", ")}; declare them on every such tenant or give them view`,
                });
            }
        }
    }
    return problems;
}
