// Teams as isolated tenants: one Kubeflow Profile each, with member access,
// container defaults and NetworkPolicies in the namespace the profile
// controller creates. Everything in a tenant namespace waits for its Profile,
// so nothing races the controller.
import type * as pulumi from "@pulumi/pulumi";
import { ComponentResource } from "@pulumi/pulumi";
import type { TenancyAcknowledgement, TenantFacts } from "../../core/facts";
import { type KubernetesObject, objectKey } from "../../core/objects";
import type { TenantConfig } from "../config/schema";
import type { KubernetesObjectResource } from "../manifests/kubernetes-object";
import type { Mirror } from "../images/rewrite";
import { entriesWithPullSecret, needsPullSecret, tenantPullObjects } from "../images/pull-secret";
import { type ExtraDependencies, type LayerObject, ManifestLayer, type Platform } from "../manifests/layer";
import { type TenantArtifacts, tenantArtifactObjects } from "./artifact-access";
import { type TenancySettings, tenantObjects } from "./objects";
import { istioInitImage, podSecurityObjects } from "./pod-security";
import { referenceObjects } from "./reference-admission";
import { sharedTrialTemplates } from "../../core/tenant-references";

/** The profile controller: a Profile needs it running to get its namespace. */
const PROFILE_CONTROLLER = "apps/Deployment/kubeflow/profiles-deployment";

export interface TenancyArgs {
    readonly tenants: readonly TenantConfig[];
    readonly settings: TenancySettings;
    /** Audit findings the stack accepts knowingly, recorded for the audit to read from the plan. */
    readonly acknowledge: readonly TenancyAcknowledgement[];
    /** The installed platform: what tenant objects may depend on (CRDs, the profile controller, webhooks). */
    readonly platform: Platform;
    /** Tenant → its identity and store, when artifacts live in a managed object store. */
    readonly artifacts?: ReadonlyMap<string, TenantArtifacts>;
    /** Air-gapped: the mirror, whose pull secret (when it asks for credentials) each tenant namespace gets. */
    readonly mirror?: Mirror;
}

/** Every tenant's objects, each once: a reader who is also a member gets the same binding twice, and one object is enough. */
function uniqueTenantObjects(args: Pick<TenancyArgs, "tenants" | "settings" | "artifacts" | "mirror">): LayerObject[] {
    const unique = new Map<string, LayerObject>();
    const mirror = args.mirror;
    for (const tenant of args.tenants) {
        const { profile, namespaced } = tenantObjects(tenant, args.settings);
        const artifacts = args.artifacts?.get(tenant.name);
        const pull = needsPullSecret(mirror) ? tenantPullObjects(tenant.name, mirror) : [];
        for (const object of [profile, ...namespaced, ...(artifacts ? tenantArtifactObjects(tenant.name, artifacts) : []), ...pull])
            if (!unique.has(objectKey(object))) unique.set(objectKey(object), { object, group: tenant.name });
    }
    return [...unique.values()];
}

/** The group of the tenant namespaces' admission policies and bindings. */
const ADMISSION_GROUP = "admission";

/**
 * A Profile waits for the profile controller and the admission policies and bindings (its namespace is guarded from the start);
 * everything else in a tenant namespace for the Profile that makes it.
 */
function waitForProfiles(platform: Platform, guards: readonly KubernetesObject[]): ExtraDependencies {
    return (object: KubernetesObject, registered) => {
        if (!object.metadata.namespace) {
            if (object.kind !== "Profile") return [];
            const security = guards.map((guard) => registered.get(objectKey(guard)));
            return [platform.resources.get(PROFILE_CONTROLLER), ...security].filter((resource) => resource !== undefined);
        }
        return [registered.get(`kubeflow.org/Profile//${object.metadata.namespace}`)!];
    };
}

export class Tenancy extends ComponentResource {
    /** objectKey → resource, for every tenant object. */
    readonly objects: Map<string, KubernetesObjectResource>;

    constructor(name: string, args: TenancyArgs, opts?: pulumi.ComponentResourceOptions) {
        // The declared tenants, as the audit reads them from a plan: who owns, who is a member, who reads whom.
        const declared: TenantFacts[] = args.tenants.map(({ name: tenant, owner, members, readsFrom, sharedEditors }) => ({
            name: tenant,
            owner,
            members,
            readsFrom,
            sharedEditors,
        }));
        super("kfstack:tenancy:Tenancy", name, { tenants: declared, acknowledge: args.acknowledge }, opts);
        const admission = [...podSecurityObjects(istioInitImage(args.platform.objects)), ...referenceObjects(sharedTrialTemplates(args.platform.objects))].map(
            (object) => ({ object, group: ADMISSION_GROUP }),
        );
        // A default-editor that carries the tenant's identity names the pull secret too.
        const entries = entriesWithPullSecret([...admission, ...uniqueTenantObjects(args)], args.mirror);
        const groups = new Map<string, pulumi.Resource>(
            args.tenants.map((tenant) => [tenant.name, new Tenant(`${name}-${tenant.name}`, { tenant: tenant.name }, { parent: this })]),
        );
        groups.set(ADMISSION_GROUP, this);
        this.objects = new ManifestLayer(args.platform).register(
            entries,
            groups,
            waitForProfiles(
                args.platform,
                admission.map((entry) => entry.object),
            ),
        ).resources;
        // The declared tenants are outputs too: stack policies (TEN-01) and the audit read a component's outputs.
        this.registerOutputs({ tenants: declared, acknowledge: args.acknowledge });
    }
}

export interface TenantArgs {
    readonly tenant: string;
}

/** Groups one tenant's objects, so plans and previews read by tenant. */
export class Tenant extends ComponentResource {
    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:tenancy:Tenant", name, { tenant: args.tenant }, opts);
        this.registerOutputs({});
    }
}
