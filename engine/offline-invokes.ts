// The invokes the offline engine answers, as the real runtime would, and the
// refusal of every other one. A plan must not depend on who runs it or on a
// cloud account, so each answer is a documented stand-in.
import type { MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import { partitionOf } from "../components/cluster/aws/partition";

export const GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";

/** Overrides the offline deployer: any caller ARN STS could return (an assumed-role session, a role, a user). */
export const CALLER_ARN_VARIABLE = "KFSTACK_OFFLINE_CALLER_ARN";

export const OFFLINE_ACCOUNT = "123456789012";
export const OFFLINE_DEPLOYER_ROLE = "kfstack-offline-deployer";

/**
 * Who runs an offline plan: role kfstack-offline-deployer of account 123456789012, in a session
 * as STS reports it for a role (`arn:<partition>:sts::…:assumed-role/<role>/<session>`), in the
 * partition of the provider's region (aws-us-gov for us-gov-*), unless KFSTACK_OFFLINE_CALLER_ARN says otherwise.
 */
export function offlineCallerArn(region: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
    const override = env[CALLER_ARN_VARIABLE];
    if (override) return override;
    const partition = (region && partitionOf(region)?.name) || "aws";
    return `arn:${partition}:sts::${OFFLINE_ACCOUNT}:assumed-role/${OFFLINE_DEPLOYER_ROLE}/kfstack-offline`;
}

/** getCallerIdentity's result for a caller ARN: account and user id as STS derives them. */
export function callerIdentity(arn: string): Record<string, string> {
    const accountId = arn.split(":")[4] ?? OFFLINE_ACCOUNT;
    const session = arn.split("/").at(-1) ?? "";
    return { id: accountId, accountId, arn, userId: `AROAOFFLINEDEPLOYER:${session}` };
}

export class RefusedInvokeError extends Error {
    // The SDK reports a failed invoke by the gRPC error's `details`.
    readonly details: string;
    constructor(token: string) {
        super(`The program called ${token}, which the offline engine cannot answer; derive the value from configuration instead.`);
        this.details = this.message;
    }
}

/**
 * Answers one invoke. `providerInputs` are the recorded inputs of the explicit provider the
 * program passed (its region decides the partition), or undefined for the default provider.
 */
export function answerInvoke(args: MockCallArgs, providerInputs: Record<string, unknown> | undefined): Record<string, string> {
    if (args.token !== GET_CALLER_IDENTITY) throw new RefusedInvokeError(args.token);
    const region = providerInputs?.["region"];
    return callerIdentity(offlineCallerArn(typeof region === "string" ? region : undefined));
}
