// Policies on tenancy, RBAC and networking.
import type { KfstackPolicy } from "../lib/policy";
import { tenantLimitRange } from "./ns-01-limit-range";
import { tenantGpuQuota } from "./ns-02-gpu-quota";
import { defaultDenyNetworkPolicy } from "./net-01-default-deny";
import { requiredEgress } from "./net-02-required-egress";
import { serviceExposure } from "./net-03-service-exposure";
import { clusterAdminBindings } from "./rbac-01-cluster-admin";
import { tenantRoles } from "./rbac-02-tenant-roles";
import { crossTenantBindings } from "./ten-01-cross-tenant-bindings";
import { tenantReferences } from "./ten-02-tenant-references";
import { meshIdentity } from "./istio-01-mesh-identity";
import { objectStoreKeyPerTenant } from "./data-02-object-store-key-per-tenant";

export const TENANCY_POLICIES: readonly KfstackPolicy[] = [
    clusterAdminBindings,
    tenantRoles,
    crossTenantBindings,
    tenantReferences,
    objectStoreKeyPerTenant,
    meshIdentity,
    tenantLimitRange,
    tenantGpuQuota,
    defaultDenyNetworkPolicy,
    requiredEgress,
    serviceExposure,
];
