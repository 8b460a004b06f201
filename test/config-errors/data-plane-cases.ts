// Stack-file cases of the data plane: a managed service of another cloud, any
// managed service on an existing cluster, and a tenant whose IAM role name
// (aws) or Google service account id (gcp) would be too long. Each starts from a shipped
// stack (run as stack "bad", so the default cluster name is kfstack-bad).
import { combined, set } from "../config-cases";
import type { StackCase } from "./cluster-cases";

const LONG_TENANT = "computer-vision-research-and-development-emea"; // 45 characters

export const DATA_PLANE_CASES: StackCase[] = [
    {
        name: "rejects s3 on gcp",
        base: "gcp dev",
        change: set("dataPlane", { objectStore: "s3" }),
        key: "kfstack:dataPlane.objectStore",
        message: "is s3, which only aws provides, but this stack's cloud is gcp; use gcs or minio",
    },
    {
        name: "rejects cloudsql on aws",
        base: "aws dev",
        change: set("dataPlane", { database: "cloudsql" }),
        key: "kfstack:dataPlane.database",
        message: "is cloudsql, which only gcp provides, but this stack's cloud is aws; use rds or in-cluster",
    },
    {
        name: "rejects rds on an existing cluster",
        base: "onprem",
        change: set("dataPlane", { database: "rds" }),
        key: "kfstack:dataPlane.database",
        message:
            "is rds, a managed aws service, but kfstack creates cloud services only beside a cluster it creates; an existing cluster uses in-cluster: remove the key",
    },
    {
        name: "rejects s3 on an existing cluster",
        base: "onprem",
        change: set("dataPlane", { objectStore: "s3" }),
        key: "kfstack:dataPlane.objectStore",
        message:
            "is s3, a managed aws service, but kfstack creates cloud services only beside a cluster it creates; an existing cluster uses minio: remove the key",
    },
    {
        name: "rejects s3 in an existing VPC that names no endpoint subnets, where tenant pods reach STS and S3",
        base: "aws dev",
        change: combined(
            set("dataPlane", { objectStore: "s3" }),
            set("network.existingVpc", {
                vpcId: "vpc-0abc1234",
                privateSubnetIds: ["subnet-0abc1231", "subnet-0abc1232", "subnet-0abc1233"],
                routeTableIds: ["rtb-0abc1234"],
                cidrBlocks: ["10.50.0.0/16"],
            }),
        ),
        key: "kfstack:network.existingVpc.endpointSubnets",
        message:
            "is required with an existing VPC when the object store is s3: list a subnet per zone that holds no nodes ({ id: subnet-..., cidr: ... }, a /28 is enough), where kfstack puts the STS and S3 interface endpoints tenant pods may reach, or set dataPlane.objectStore: minio",
    },
    {
        name: "rejects a tenant name that leaves its Google service account id over 30 characters",
        base: "gcp dev",
        change: combined(
            set("dataPlane", { objectStore: "gcs" }),
            set("tenants", [
                { name: "vision", owner: "ana@example.com", quotas: { gpus: 0, cpu: "8", memory: "32Gi", storage: "100Gi", pvcs: 5 } },
                { name: "speech-recognition-emea", owner: "dara@example.com", quotas: { gpus: 0, cpu: "8", memory: "32Gi", storage: "100Gi", pvcs: 5 } },
            ]),
        ),
        key: "kfstack:tenants[1].name",
        message:
            "cannot end the Google service account id of its artifacts (t-speech-recognition-emea; GCP allows 30 characters for the whole id, and kfstack adds the cluster's name or a hash of it): use a tenant name of at most 19 characters",
    },
    {
        name: "rejects a tenant name that makes its IAM role name longer than 64 characters",
        base: "aws prod",
        change: set("tenants.1.name", LONG_TENANT),
        key: "kfstack:tenants[1].name",
        message: `cannot end the IAM role name kfstack-bad-artifacts-${LONG_TENANT} (67 characters; IAM allows 64 of letters, digits and +=,.@_-): with cluster name kfstack-bad, use a tenant name of at most 42 characters or a shorter clusterName`,
    },
    {
        name: "rejects fewer than 7 days of database backups",
        base: "aws prod",
        change: set("dataPlane", { backupRetentionDays: 3 }),
        key: "kfstack:dataPlane.backupRetentionDays",
        message: "must be at least 7: fewer days of automated backups leave no week to notice a bad run",
    },
];
