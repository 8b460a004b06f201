// The kfstack platform: cluster, Kubeflow, monitoring and tenants of a resolved
// stack. `pulumi up` runs it through index.ts; the offline engine runs the very
// same program under mocks.
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./cluster/create-cluster";
import type { PlatformCluster } from "./cluster/platform-cluster";
import type { Platform } from "./manifests/layer";
import { INGRESS_GATEWAY_SERVICE, dns01Credentials, gatewayRecords } from "./kubeflow/gateway-dns";
import { gatewaySettingsOf } from "./kubeflow/gateway-settings";
import { Kubeflow } from "./kubeflow/kubeflow";
import { Monitoring } from "./monitoring/monitoring";
import { MinioTenants } from "./object-store/minio-tenants";
import { monitoringSettingsOf } from "./monitoring/settings";
import { type ResolvedStack, loadStack } from "./stack";
import { Tenancy } from "./tenancy/tenancy";
import { apiServerCidrs } from "./tenancy/settings";

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
    const name = `kfstack-${pulumi.getStack()}`;
    const cluster = await createCluster(name, stack);
    const manifestsDir = stack.manifestsDir();
    const gateway = gatewaySettingsOf(config);
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
    if (config.tenants.length > 0) buildTenants(name, stack, { cluster, kubeflow, platform, monitoring: monitoring !== undefined });
    return {
        cloud: config.cloud,
        topology: config.topology,
        kubernetesVersion: config.kubernetesVersion,
        ...(config.allowUndersized ? { undersizedReason: config.allowUndersized.reason } : {}),
        kubeconfig: cluster.kubeconfig,
        nodePools: cluster.nodePools,
        kubeflow: { release: bom.release, objects: kubeflow.objects.size },
        ...(monitoring ? { monitoring: { objects: monitoring.objects.size, grafanaAdminPassword: monitoring.grafanaAdminPassword } } : {}),
    };
}

interface TenantsPlatform {
    readonly cluster: PlatformCluster;
    readonly kubeflow: Kubeflow;
    readonly platform: Platform;
    readonly monitoring: boolean;
}

/** The tenants (Profiles and what their namespaces hold) and each one's own object-store user. */
function buildTenants(name: string, stack: ResolvedStack, { cluster, kubeflow, platform, monitoring }: TenantsPlatform): void {
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
            },
            platform,
        },
        opts,
    );
    new MinioTenants(
        `${name}-minio-tenants`,
        {
            bom,
            manifestsDir: stack.manifestsDir(),
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
