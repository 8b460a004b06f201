// Teams as isolated tenants: one Kubeflow Profile each, with member access,
// container defaults and NetworkPolicies in the namespace the profile
// controller creates. Everything in a tenant namespace waits for its Profile,
// so nothing races the controller.
import type * as pulumi from "@pulumi/pulumi";
import { ComponentResource } from "@pulumi/pulumi";
import type { TenantConfig } from "../config/schema";
import { KubernetesObjectResource } from "../manifests/kubernetes-object";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { planInstall } from "../manifests/ordering/plan";
import type { TenantFacts } from "../../core/facts";
import { type TenancySettings, tenantObjects } from "./objects";

/** The profile controller: a Profile needs it running to get its namespace. */
const PROFILE_CONTROLLER = "apps/Deployment/kubeflow/profiles-deployment";

export interface TenancyArgs {
    tenants: TenantConfig[];
    settings: TenancySettings;
    /** The installed platform: what tenant objects may depend on (CRDs, the profile controller, webhooks). */
    platform: { objects: KubernetesObject[]; resources: ReadonlyMap<string, pulumi.Resource> };
}

export class Tenancy extends ComponentResource {
    /** objectKey → resource, for every tenant object. */
    readonly objects = new Map<string, KubernetesObjectResource>();

    constructor(name: string, args: TenancyArgs, opts?: pulumi.ComponentResourceOptions) {
        // The declared tenants, as the audit reads them from a plan: who owns, who is a member, who reads whom.
        const declared: TenantFacts[] = args.tenants.map(({ name: tenant, owner, members, readsFrom, sharedEditors }) => ({ name: tenant, owner, members, readsFrom, sharedEditors }));
        super("kfstack:tenancy:Tenancy", name, { tenants: declared }, opts);
        const built = args.tenants.map((tenant) => ({ tenant, ...tenantObjects(tenant, args.settings) }));
        // A reader who is also a member gets the same binding twice; one object is enough.
        const unique = new Map<string, { object: KubernetesObject; tenant: string }>();
        for (const { tenant, profile, namespaced } of built) {
            for (const object of [profile, ...namespaced]) if (!unique.has(objectKey(object))) unique.set(objectKey(object), { object, tenant: tenant.name });
        }
        const plan = planInstall([...args.platform.objects, ...[...unique.values()].map((entry) => entry.object)]);
        const groups = new Map(args.tenants.map((tenant) => [tenant.name, new Tenant(`${name}-${tenant.name}`, { tenant: tenant.name }, { parent: this })]));
        const profileOf = (namespace: string) => this.objects.get(`kubeflow.org/Profile//${namespace}`);

        for (const object of plan.order) {
            const key = objectKey(object);
            const entry = unique.get(key);
            if (!entry) continue;
            const dependsOn = [
                ...(plan.dependencies.get(key) ?? []).map((dependency) => args.platform.resources.get(dependency.on) ?? this.objects.get(dependency.on)!),
                ...(object.kind === "Profile" ? [args.platform.resources.get(PROFILE_CONTROLLER)].filter((resource) => resource !== undefined) : [profileOf(object.metadata.namespace ?? "")!]),
            ];
            this.objects.set(key, new KubernetesObjectResource(object, { parent: groups.get(entry.tenant), dependsOn }));
        }
        this.registerOutputs({ tenants: args.tenants.map((tenant) => tenant.name) });
    }
}

export interface TenantArgs {
    tenant: string;
}

/** Groups one tenant's objects, so plans and previews read by tenant. */
export class Tenant extends ComponentResource {
    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:tenancy:Tenant", name, { tenant: args.tenant }, opts);
        this.registerOutputs({});
    }
}
