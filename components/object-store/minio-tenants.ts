// One MinIO user per tenant, confined to the tenant's artifact prefixes: a
// generated key each (kept secret), handed to the tenant's namespace only, and
// a Job that makes the users in the in-cluster MinIO. A Profile created later
// through KFAM gets no key (the Pipelines profile controller copies none).
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Bom } from "../bom/schema";
import type { KubernetesObjectResource } from "../manifests/kubernetes-object";
import { ManifestLayer, type ManifestSource, type Platform } from "../manifests/layer";
import { type TenantKey, minioTenantObjects } from "./minio-objects";

const MINIO = "apps/Deployment/kubeflow/minio";

export interface MinioTenantsArgs extends ManifestSource {
    readonly tenants: readonly string[];
    readonly objectStore: Bom["objectStore"];
    /** MinIO's root key: the Job's admin credential. */
    readonly rootKey: { readonly user: pulumi.Input<string>; readonly password: pulumi.Input<string> };
    /** The installed Kubeflow, whose MinIO the Job configures. */
    readonly platform: Platform;
    /** The tenants' objects: a tenant's key waits for its Profile, which makes the namespace. */
    readonly tenancy: ReadonlyMap<string, KubernetesObjectResource>;
}

export class MinioTenants extends pulumi.ComponentResource {
    readonly objects: Map<string, KubernetesObjectResource>;

    constructor(name: string, args: MinioTenantsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:objectStore:MinioTenants", name, { tenants: args.tenants }, opts);
        // MinIO takes access keys of 3-20 characters and secret keys of 8-40.
        const generated = (tenant: string, role: string, length: number) =>
            new random.RandomPassword(`${name}-${tenant}-${role}`, { length, special: false }, { parent: this }).result;
        const keys: TenantKey[] = args.tenants.map((tenant) => ({
            tenant,
            accessKey: generated(tenant, "access-key", 20),
            secretKey: generated(tenant, "secret-key", 40),
        }));
        const layer = new ManifestLayer(args.platform);
        const entries = layer.prepare(args, [], {
            layer: () => minioTenantObjects(keys, args.rootKey, args.objectStore.mc).map((object) => ({ object, group: name })),
        });
        this.objects = layer.register(entries, new Map([[name, this]]), (object, registered) => {
            const namespace = object.metadata.namespace;
            if (namespace && namespace !== "kubeflow") return [args.tenancy.get(`kubeflow.org/Profile//${namespace}`)!];
            // The Job runs once its MinIO and the credentials, keys and policies it mounts are there.
            const mounted = [...registered].filter(([key]) => key.split("/")[2] === "kubeflow").map(([, resource]) => resource);
            return object.kind === "Job" ? [args.platform.resources.get(MINIO)!, ...mounted] : [];
        }).resources;
        this.registerOutputs({ tenants: args.tenants, objects: this.objects.size });
    }
}
