// EKS-03: the API server, audit and authenticator logs go to CloudWatch.
import { resourcePolicy } from "../lib/policy";
import { EKS_CLUSTER, describeCloudResource } from "./resources";
import { arrayAt } from "../../core/records";
import { listOf } from "../../core/text";

const DEFAULT_LOG_TYPES = ["api", "audit", "authenticator"];

export const eksControlPlaneLogs = resourcePolicy({
    id: "EKS-03",
    slug: "control-plane-logs",
    description: "Every EKS cluster sends the api, audit and authenticator control-plane logs to CloudWatch (enabledClusterLogTypes).",
    reason: "EKS keeps no control-plane logs unless asked: without the audit and authenticator logs there is no record of who changed or read what in the cluster, which incident response and audits (CIS EKS Benchmark 2.1.1) need.",
    remediation:
        'Add "api", "audit" and "authenticator" to the cluster\'s enabledClusterLogTypes; kfstack sets them, with the log group\'s retention from kfstack:aws.logRetentionDays.',
    configSchema: {
        properties: {
            requiredLogTypes: {
                type: "array",
                items: { type: "string", enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"] },
                default: DEFAULT_LOG_TYPES,
                description: "The control-plane log types every cluster must enable.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== EKS_CLUSTER) return;
        const { requiredLogTypes } = args.getConfig<{ requiredLogTypes: string[] }>();
        const enabled = arrayAt(args.props, "enabledClusterLogTypes");
        const missing = requiredLogTypes.filter((type) => !enabled.includes(type));
        if (missing.length === 0) return;
        const quotedMissing = missing.map((type) => `"${type}"`);
        reportViolation(
            `${describeCloudResource(args.type, args.name)} does not send the ${listOf(missing)} control-plane ${missing.length === 1 ? "log" : "logs"} to CloudWatch; ` +
                `add ${listOf(quotedMissing)} to enabledClusterLogTypes.`,
        );
    },
});
