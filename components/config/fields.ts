// Value types shared by several sections of the stack file's schema.
import { z } from "zod";

export const ipv4Cidr = z.cidrv4({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" });

export const kubernetesVersion = z
    .string({ error: 'must be a Kubernetes minor version as a string, such as "1.33"' })
    .regex(/^1\.[0-9]{2}$/, { error: (issue) => `must be a Kubernetes minor version such as "1.33", not ${JSON.stringify(issue.input)}` })
    .describe("Kubernetes minor version of the control plane and node pools.");

export const secretValue = z.string().min(1).describe("A secret: set it with `pulumi config set --secret`.");

export const quantity = (example: string) =>
    z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti|Pi)?$/, { error: `must be a Kubernetes quantity such as ${example}` });
