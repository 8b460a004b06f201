// The kfstack platform: cluster, Kubeflow, monitoring and tenants of a resolved
// stack. `pulumi up` runs it through index.ts; the offline engine runs the very
// same program under mocks.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { DatabaseBackup } from "./backups/database-backup";
import { createCluster } from "./cluster/create-cluster";
import { DataPlane } from "./data-plane/data-plane";
import type { ManagedDataPlane } from "./data-plane/managed";
import { dataPlaneSettingsOf } from "./data-plane/settings";
import type { PlatformCluster } from "./cluster/platform-cluster";
import type { Platform } from "./manifests/layer";
import type { TenantArtifacts } from "./tenancy/artifact-access";
import { INGRESS_GATEWAY_SERVICE, dns01Credentials, gatewayRecords } from "./kubeflow/gateway-dns";
import { gatewaySettingsOf } from "./kubeflow/gateway-settings";
import { Kubeflow } from "./kubeflow/kubeflow";
import { Monitoring } from "./monitoring/monitoring";
import { MinioTenants } from "./object-store/minio-tenants";
import { monitoringSettingsOf } from "./monitoring/settings";
import { readingStackFile } from "./config/load";
import { platformName } from "./config/names";
import { type ResolvedStack, resolveStack } from "./stack";
import { Tenancy } from "./tenancy/tenancy";
import { apiServerCidrs } from "./tenancy/settings";

/**
 * Whether Pulumi marks a config key secret (set with --secret): the SDK keeps the list it gets from the language host
 * (PULUMI_CONFIG_SECRET_KEYS) behind this function, which its typings leave out (@internal in runtime/config.js).
 */
const runtimeSecrets = runtimeConfig as unknown as { isConfigSecret: (key: string) => boolean };

/** The running Pulumi stack, resolved from its config. */
function loadStack(): ResolvedStack {
    const all = pulumi.runtime.allConfig();
    return readingStackFile(`Pulumi.${pulumi.getStack()}.yaml`, () =>
        resolveStack({ stack: pulumi.getStack(), config: all, secretKeys: Object.keys(all).filter((key) => runtimeSecrets.isConfigSecret(key)) }),
    );
}

/**
 * The Pulumi program: resolves the running stack from its config, then builds its
 * platform. `onResolved` hands the resolution to the offline plan, which reports on it.
 */
export function platformProgram(onResolved?: (stack: ResolvedStack) => void): () => Promise<Record<string, unknown>> {
    return async () => {
        const stack = loadStack();
        onResolved?.(stack);
        return buildPlatform(stack);
    };
}

export async function buildPlatform(stack: ResolvedStack): Promise<Record<string, unknown>> {
    const { config, bom, installed, mirror } = stack;
    const name = platformName(pulumi.getStack());
    // Before any resource: a run that cannot read (or pull) the manifests registers nothing.
    const manifestsDir = (await stack.manifests()).directory;
    const cluster = await createCluster(name, stack);
    const gateway = gatewaySettingsOf(config);
    const dataPlane = managedDataPlane(`${name}-data`, stack, cluster, config.clusterName ?? name);
    const kubeflow = new Kubeflow(
        `${name}-kubeflow`,
        {
            bom,
            components: installed.filter((component) => component.layer === "kubeflow"),
            objectStore: bom.objectStore,
            facts: stack.facts.kubeflow,
            manifestsDir,
            identity: config.identity,
            kubernetesVersion: config.kubernetesVersion,
            mirror,
            cloud: config.cloud,
            gateway,
            ...(dataPlane ? { dataPlane } : {}),
            retainDataVolumes: dataPlaneSettingsOf(config).retainOnDelete,
            ...(gateway.zone && gateway.tls.mode === "acme"
                ? { certManagerAnnotations: dns01Credentials(`${name}-gateway`, cluster, gateway.zone, gateway.hosts) }
                : {}),
        },
        { providers: { kubernetes: cluster.provider }, dependsOn: [...cluster.ready] },
    );
    if (gateway.zone)
        gatewayRecords(`${name}-gateway`, cluster, {
            zone: gateway.zone,
            hosts: gateway.hosts,
            serviceStatus: kubeflow.objects.get(INGRESS_GATEWAY_SERVICE)!.status!,
        });
    const platform = { objects: kubeflow.installed, resources: kubeflow.objects };
    const monitoring = config.monitoring.enabled
        ? new Monitoring(
              `${name}-monitoring`,
              {
                  bom,
                  components: installed.filter((component) => component.layer === "monitoring"),
                  manifestsDir,
                  settings: monitoringSettingsOf(config),
                  kubernetesVersion: config.kubernetesVersion,
                  ...(config.monitoring.grafanaAdminPassword ? { grafanaAdminPassword: pulumi.secret(config.monitoring.grafanaAdminPassword) } : {}),
                  mirror,
                  platform,
              },
              { providers: { kubernetes: cluster.provider }, dependsOn: [...cluster.ready] },
          )
        : undefined;
    if (config.tenants.length > 0) buildTenants(name, stack, { cluster, kubeflow, platform, monitoring: monitoring !== undefined, dataPlane, manifestsDir });
    databaseBackup(`${name}-backup`, stack, cluster, platform, manifestsDir);
    return {
        cloud: config.cloud,
        ...(dataPlane?.objectStore ? { artifactBucket: dataPlane.objectStore.bucket } : {}),
        topology: config.topology,
        kubernetesVersion: config.kubernetesVersion,
        ...(config.allowUndersized ? { undersizedReason: config.allowUndersized.reason } : {}),
        kubeconfig: cluster.kubeconfig,
        nodePools: cluster.nodePools,
        kubeflow: { release: bom.release, objects: kubeflow.objects.size },
        ...(monitoring ? { monitoring: { objects: monitoring.objects.size, grafanaAdminPassword: monitoring.grafanaAdminPassword } } : {}),
    };
}

/**
 * The stack's managed object store and database, when its data plane has any (only clouds do: the config rules say so);
 * a child of the cluster, whose cloud provider (region, tags) it shares.
 */
function managedDataPlane(name: string, stack: ResolvedStack, cluster: PlatformCluster, clusterName: string): ManagedDataPlane | undefined {
    const { config } = stack;
    const settings = dataPlaneSettingsOf(config);
    if (config.cloud === "existing" || (settings.objectStore === "minio" && settings.database === "in-cluster")) return undefined;
    const tenants = config.tenants.map((tenant) => tenant.name);
    return new DataPlane(name, { settings, cluster, clusterName, region: config.region, tenants }, { parent: cluster }).managed;
}

/**
 * The daily dump of the in-cluster MySQL servers into the in-cluster MinIO, wherever Pipelines keeps both in the cluster
 * (a managed database has the cloud's automated backups instead).
 */
function databaseBackup(name: string, stack: ResolvedStack, cluster: PlatformCluster, platform: Platform, manifestsDir: string): void {
    const { config, bom, installed, mirror } = stack;
    const settings = dataPlaneSettingsOf(config);
    if (settings.database !== "in-cluster" || settings.objectStore !== "minio" || !installed.some((component) => component.name === "pipelines")) return;
    new DatabaseBackup(
        name,
        { bom, manifestsDir, kubernetesVersion: config.kubernetesVersion, mirror, retentionDays: settings.backupRetentionDays, platform },
        { providers: { kubernetes: cluster.provider }, dependsOn: [...cluster.ready] },
    );
}

function tenantArtifacts(dataPlane: ManagedDataPlane): Map<string, TenantArtifacts> {
    const store = dataPlane.objectStore!;
    return new Map([...dataPlane.tenantAccounts].map(([tenant, identity]) => [tenant, { identity, store }]));
}

interface TenantsPlatform {
    readonly cluster: PlatformCluster;
    readonly kubeflow: Kubeflow;
    readonly platform: Platform;
    readonly monitoring: boolean;
    readonly dataPlane: ManagedDataPlane | undefined;
    readonly manifestsDir: string;
}

/**
 * The tenants (Profiles and what their namespaces hold) and each one's own way to its artifacts: on a managed object
 * store its cloud identity, on the in-cluster MinIO a MinIO user of its own.
 */
function buildTenants(name: string, stack: ResolvedStack, { cluster, kubeflow, platform, monitoring, dataPlane, manifestsDir }: TenantsPlatform): void {
    const { config, bom, installed, mirror } = stack;
    const opts = { providers: { kubernetes: cluster.provider }, dependsOn: [...cluster.ready] };
    const tenancy = new Tenancy(
        `${name}-tenancy`,
        {
            tenants: config.tenants,
            acknowledge: config.tenancy.acknowledge,
            settings: {
                apiServerCidrs: apiServerCidrs(config),
                kserve: installed.some((component) => component.name === "kserve"),
                monitoring,
                dataPlaneEgress: dataPlane?.tenantEgress ?? [],
            },
            platform,
            ...(dataPlane?.objectStore ? { artifacts: tenantArtifacts(dataPlane) } : {}),
            ...(mirror ? { mirror } : {}),
        },
        opts,
    );
    if (dataPlane?.objectStore) return;
    new MinioTenants(
        `${name}-minio-tenants`,
        {
            bom,
            manifestsDir,
            kubernetesVersion: config.kubernetesVersion,
            mirror,
            tenants: config.tenants.map((tenant) => tenant.name),
            objectStore: bom.objectStore,
            rootKey: kubeflow.objectStoreRootKey,
            platform,
            tenancy: tenancy.objects,
        },
        opts,
    );
}
