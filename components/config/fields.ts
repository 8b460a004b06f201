// Value types shared by several sections of the stack file's schema.
import { z } from "zod";
import { type QuantityUnit, parseQuantity, quantityUnitProblem } from "../../core/quantity";

export const ipv4Cidr = z.cidrv4({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" });

export const kubernetesVersion = z
    .string({ error: 'must be a Kubernetes minor version as a string, such as "1.33"' })
    .regex(/^1\.[0-9]{2}$/, { error: (issue) => `must be a Kubernetes minor version such as "1.33", not ${JSON.stringify(issue.input)}` })
    .describe("Kubernetes minor version of the control plane and node pools.");

/** The placeholder the offline plan stands in for a secret it cannot read: a `secure:` value (no key offline) or one not set yet. */
export const secretPlaceholder = (key: string) => `[secret ${key}]`;

export const secretValue = z.string().min(1).meta({ secret: true }).describe("A secret: set it with `pulumi config set --secret`.");

/**
 * A quantity as the API server reads it (the core's grammar), not negative, and
 * in a unit that makes sense for what it counts: the API server takes "512m" of
 * memory, and the mistake shows only when nothing fits.
 */
export const quantity = (unit: QuantityUnit, example: string) =>
    z.string().superRefine((text, ctx) => {
        if ((parseQuantity(text) ?? -1) < 0) ctx.addIssue({ code: "custom", message: `must be a Kubernetes quantity such as ${example}` });
        else {
            const problem = quantityUnitProblem(text, unit);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        }
    });
