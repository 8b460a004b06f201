// Policies on the cloud infrastructure: clusters, node pools, registries.
import type { KfstackPolicy } from "../lib/policy";
import { managedStores } from "./data-01-managed-stores";
import { eksApiEndpoint } from "./eks-01-api-endpoint";
import { eksSecretsEncryption } from "./eks-02-secrets-encryption";
import { eksControlPlaneLogs } from "./eks-03-control-plane-logs";
import { eksNodeAccess } from "./eks-04-node-access";
import { eksNodeRole } from "./eks-05-node-role";
import { gkeClusterHardening } from "./gke-01-cluster-hardening";
import { gpuTaint } from "./gpu-01-gpu-taint";
import { gpuModel } from "./gpu-02-gpu-model";
import { gpuDriver } from "./gpu-04-gpu-driver";
import { storageClasses } from "./plat-01-storage-classes";
import { networkPolicyEnforcement } from "./plat-02-network-policy-enforcement";
import { scaleFromZero } from "./plat-03-scale-from-zero";
import { deployerAccess } from "./plat-04-deployer-access";
import { registryMirror } from "./reg-01-registry-mirror";
import { topologyMinimums } from "./size-01-topology-minimums";

export const CLOUD_POLICIES: readonly KfstackPolicy[] = [
    eksApiEndpoint,
    eksSecretsEncryption,
    eksControlPlaneLogs,
    eksNodeAccess,
    eksNodeRole,
    gkeClusterHardening,
    gpuTaint,
    gpuModel,
    gpuDriver,
    topologyMinimums,
    registryMirror,
    storageClasses,
    networkPolicyEnforcement,
    scaleFromZero,
    deployerAccess,
    managedStores,
];
