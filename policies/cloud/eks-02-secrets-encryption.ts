// EKS-02: Kubernetes Secrets are envelope-encrypted with a KMS key.
import { resourcePolicy } from "../lib/policy";
import { EKS_CLUSTER, describeCloudResource, isSet } from "./resources";
import { isRecord } from "../../core/records";
import { listOf } from "../../core/text";

export const eksSecretsEncryption = resourcePolicy({
    id: "EKS-02",
    slug: "secrets-encryption",
    description:
        'Every EKS cluster envelope-encrypts Kubernetes Secrets with a KMS key: encryptionConfig.resources includes "secrets" and encryptionConfig.provider.keyArn names the key.',
    reason: "Without envelope encryption, Secrets (database passwords, OIDC client secrets, tokens) sit in etcd protected only by EBS-level encryption; a KMS key adds an access-controlled, audited, revocable layer (CIS EKS Benchmark 5.3.1).",
    remediation:
        'Set encryptionConfig: { resources: ["secrets"], provider: { keyArn: <customer-managed KMS key ARN> } } on the cluster; kfstack creates the key (with rotation) itself.',
    validateResource: (args, reportViolation) => {
        if (args.type !== EKS_CLUSTER) return;
        const what = describeCloudResource(args.type, args.name);
        const encryption: unknown = args.props["encryptionConfig"];
        // The provider takes one block; older schemas took a list of them.
        const blocks = [encryption ?? []].flat().filter(isRecord);
        if (blocks.length === 0) {
            reportViolation(
                `${what} does not encrypt Secrets with a KMS key; set encryptionConfig to { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.`,
            );
            return;
        }
        const secretsBlocks = blocks.filter((block) => Array.isArray(block["resources"]) && (block["resources"] as unknown[]).includes("secrets"));
        if (secretsBlocks.length === 0) {
            const covered = blocks.flatMap((block) =>
                Array.isArray(block["resources"]) ? (block["resources"] as unknown[]).map((resource) => JSON.stringify(resource)) : [],
            );
            reportViolation(
                `${what} encrypts ${covered.length ? `${listOf(covered)} with KMS, but not Secrets` : "no resources with KMS (encryptionConfig.resources is empty)"}; add "secrets" to encryptionConfig.resources.`,
            );
            return;
        }
        // The key ARN usually comes from a KMS key created in the same update, so it is unknown during preview: check that it is set, never what it is.
        if (!secretsBlocks.some((block) => isSet(block["provider"], "keyArn"))) {
            reportViolation(
                `${what} encrypts Secrets without naming a KMS key; set encryptionConfig.provider.keyArn to the ARN of a customer-managed KMS key.`,
            );
        }
    },
});
