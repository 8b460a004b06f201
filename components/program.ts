// The kfstack Pulumi program. `pulumi up` runs it through index.ts; the offline
// engine runs the very same function under mocks.
import * as pulumi from "@pulumi/pulumi";
import { loadBom } from "./bom";
import { createCluster } from "./cluster";
import { installSelectionOf, installedComponents } from "./config/install";
import { loadStackConfig } from "./config/load";
import { resolvePools } from "./config/topology";
import { kubeflowFactsOf, mirrorOf } from "./facts";
import { Kubeflow } from "./kubeflow/kubeflow";
import { manifestsDirectory } from "./manifests/read";
import { Monitoring } from "./monitoring/monitoring";
import { monitoringSettingsOf } from "./monitoring/settings";
import { Tenancy } from "./tenancy/tenancy";
import { apiServerCidrs } from "./tenancy/settings";

export async function stackProgram(): Promise<Record<string, unknown>> {
    const config = loadStackConfig();
    const { general, gpu } = resolvePools(config);
    const pools = [general!, ...(gpu ? [gpu] : [])];
    const name = `kfstack-${pulumi.getStack()}`;
    const cluster = createCluster(name, config, pools);
    const bom = loadBom(config.kubeflow.release);
    const installed = installedComponents(bom, installSelectionOf(config));
    const manifestsDir = manifestsDirectory(bom, config.manifestsDir);
    const mirror = mirrorOf(config, bom.release);
    const kubeflow = new Kubeflow(
        `${name}-kubeflow`,
        {
            bom,
            components: installed.filter((component) => component.layer === "kubeflow"),
            facts: kubeflowFactsOf(config, bom, mirror),
            manifestsDir,
            identity: config.identity,
            kubernetesVersion: config.kubernetesVersion,
            mirror,
            cloud: config.cloud,
            gateway: {
                ...config.kubeflow.gateway,
                // An existing cluster's load balancers are the site's own (MetalLB, F5 …): kfstack cannot tell an internal one, so it leaves the choice to the stack.
                exposure: config.kubeflow.gateway.exposure ?? (config.topology === "production" && config.cloud !== "existing" ? "internalLoadBalancer" : "clusterIP"),
            },
        },
        { providers: { kubernetes: cluster.provider } },
    );
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
              { providers: { kubernetes: cluster.provider } },
          )
        : undefined;
    if (config.tenants.length > 0) {
        new Tenancy(
            `${name}-tenancy`,
            {
                tenants: config.tenants,
                settings: { apiServerCidrs: apiServerCidrs(config), kserve: installed.some((component) => component.name === "kserve"), monitoring: monitoring !== undefined },
                platform,
            },
            { providers: { kubernetes: cluster.provider } },
        );
    }
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
