// Kubeflow, pinned by a bill of materials: every rendered upstream object
// becomes its own Pulumi resource, changed the way kfstack requires (no
// default credentials, memory limits everywhere, exposure by stack) and
// ordered by its real dependencies instead of an apply-until-it-works loop.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KubeflowFacts } from "../../core/facts";
import type { KubernetesObject } from "../../core/objects";
import type { Bom, BomComponent } from "../bom/schema";
import type { ManagedDataPlane } from "../data-plane/managed";
import type { IdentityConfig } from "../config/schema";
import { BomComponentGroup } from "../manifests/component-group";
import type { KubernetesObjectResource } from "../manifests/kubernetes-object";
import { type Customizations, ManifestLayer, type ManifestSource } from "../manifests/layer";
import type { BrokenCycle } from "../manifests/ordering/plan";
import { type Credentials, exposeGateway, narrowTenantRoles, replaceDefaultCredentials } from "./customize";
import { retainDataVolumes } from "./data-volumes";
import { noEmptyDatabasePasswords } from "./databases";
import type { GatewaySettings } from "./gateway-settings";
import { addGatewayTls, annotateCertManager } from "./gateway-tls";
import { useManagedStores, withoutBundledStores } from "./managed-stores";
import { artifactRequestsByNamespace, closePlatformAuthorization, confineMeshConfig, withoutTenantIstioWrites } from "./mesh-isolation";
import { artifactKeysByNamespace, noRootKeyCopies, runPinnedMinio } from "./object-store";
import { setServingDomain } from "./serving-domain";
import { restrictTenantRoles } from "./tenant-roles";

export interface KubeflowArgs extends ManifestSource {
    /** The BOM's Kubeflow-layer components this stack installs (components/config/install.ts). */
    readonly components: readonly BomComponent[];
    /** The BOM's MinIO and mc, which replace the render's MinIO. */
    readonly objectStore: Bom["objectStore"];
    /** What the policy pack reads about this install; registered as the component's inputs. */
    readonly facts: KubeflowFacts;
    readonly identity: IdentityConfig;
    readonly cloud: "aws" | "gcp" | "existing";
    readonly gateway: GatewaySettings;
    /** The annotations that give cert-manager's ServiceAccount its DNS-01 credentials (acme only). */
    readonly certManagerAnnotations?: Readonly<Record<string, pulumi.Input<string>>>;
    /** The cloud's bucket and database, when the stack's data plane is managed; otherwise the bundled MinIO and MySQL stay. */
    readonly dataPlane?: ManagedDataPlane;
    /** Production: the bundled MinIO's and MySQL servers' volumes stay in the cluster when Pulumi deletes them. */
    readonly retainDataVolumes: boolean;
}

/**
 * kfstack's changes to the Kubeflow objects: per-stack credentials and database passwords, the pinned MinIO with
 * artifacts under each namespace's prefix and no root key handed to tenants, narrow tenant roles (no Istio or NetworkPolicy
 * writes, view that only reads), platform services closed to callers without an identity, the gateway exposed and
 * served over HTTPS, cert-manager's DNS-01 credentials, KServe's URLs under the gateway's zone, and the managed data plane.
 */
function kubeflowCustomizations(args: KubeflowArgs, credentials: Credentials): Customizations {
    const { dataPlane } = args;
    return {
        ...(dataPlane ? { component: (component, objects) => withoutBundledStores(component, objects, dataPlane) } : {}),
        layer: (entries) => {
            const objects = entries.map((entry) => entry.object);
            narrowTenantRoles(objects);
            withoutTenantIstioWrites(objects);
            confineMeshConfig(objects);
            closePlatformAuthorization(objects);
            restrictTenantRoles(objects);
            replaceDefaultCredentials(objects, args.bom.release, args.identity, credentials);
            // The bundled servers a managed data plane replaces are gone by now (withoutBundledStores).
            if (!dataPlane?.database) noEmptyDatabasePasswords(objects);
            if (!dataPlane?.objectStore) runPinnedMinio(objects, args.objectStore.minio);
            artifactKeysByNamespace(objects);
            noRootKeyCopies(objects);
            if (dataPlane) useManagedStores(objects, dataPlane);
            exposeGateway(objects, args.gateway.exposure, args.cloud);
            if (args.certManagerAnnotations) annotateCertManager(objects, args.certManagerAnnotations);
            if (args.gateway.zone) setServingDomain(objects, args.gateway.zone.name);
            const gateway = entries.find(({ object }) => object.kind === "Gateway" && object.metadata.name === "kubeflow-gateway")!;
            const pipelinesUi = entries.find(({ object }) => object.kind === "Deployment" && object.metadata.name === "ml-pipeline-ui");
            return [
                ...addGatewayTls(objects, args.gateway).map((object) => ({ object, group: gateway.group })),
                ...(pipelinesUi ? [{ object: artifactRequestsByNamespace(objects), group: pipelinesUi.group }] : []),
            ];
        },
    };
}

export class Kubeflow extends pulumi.ComponentResource {
    /** The objects installed, in install order, as kfstack changed them. */
    readonly installed: KubernetesObject[];
    /** objectKey → the resource of that object. */
    readonly objects: Map<string, KubernetesObjectResource>;
    /** Dependencies between webhooks and what they admit that were left out to avoid cycles. */
    readonly brokenCycles: BrokenCycle[];
    /** BOM component → the keys of its rendered objects kfstack changes or drops: what the stack needs the release to keep rendering. */
    readonly customized: ReadonlyMap<string, readonly string[]>;
    /** The in-cluster MinIO's root key (Secret kubeflow/mlpipeline-minio-artifact). */
    readonly objectStoreRootKey: { readonly user: pulumi.Output<string>; readonly password: pulumi.Output<string> };

    constructor(name: string, args: KubeflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:kubeflow:Kubeflow", name, args.facts, opts);
        const generated = (role: string) => new random.RandomPassword(`${name}-${role}`, { length: 32, special: false }, { parent: this }).result;
        const credentials: Credentials = {
            oidcClientSecret: generated("oidc-client-secret"),
            // 32 characters: an AES-256 key, as oauth2-proxy requires of its cookie secret.
            ...(args.components.some((component) => component.name === "oauth2-proxy") ? { cookieSecret: generated("oauth2-proxy-cookie-secret") } : {}),
            minioAccessKey: generated("minio-access-key"),
            minioSecretKey: generated("minio-secret-key"),
            // The databases' passwords are the managed database's when there is one.
            pipelinesMysqlPassword: args.dataPlane?.database?.password ?? generated("pipelines-mysql-password"),
            katibMysqlPassword: args.dataPlane?.database?.password ?? generated("katib-mysql-password"),
            identitySecret: pulumi.secret(args.identity.staticAdmin?.passwordHash ?? args.identity.oidc?.clientSecret ?? ""),
        };

        this.objectStoreRootKey = { user: credentials.minioAccessKey, password: credentials.minioSecretKey };
        const layer = new ManifestLayer(undefined, { recordCustomized: true });
        const entries = layer.prepare(args, args.components, kubeflowCustomizations(args, credentials));
        const groups = new Map(
            args.components.map((component) => [component.name, new BomComponentGroup(`${name}-${component.name}`, { component }, { parent: this })]),
        );
        const registered = layer.register(entries, groups, undefined, retainDataVolumes(args.retainDataVolumes));
        this.installed = registered.installed;
        this.objects = registered.resources;
        this.brokenCycles = registered.brokenCycles;
        this.customized = layer.customized;

        // The Kubeflow facts (release, window, images) are outputs too: stack policies read a component's outputs. `customized`
        // tells an upgrade preview which components the stack changes, so it can name those a later release no longer has.
        this.registerOutputs({ ...args.facts, objects: this.objects.size, customized: Object.fromEntries(this.customized) });
    }
}
