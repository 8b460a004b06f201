import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { eksSecretsEncryption } from "../../policies/cloud/eks-02-secrets-encryption";
import { messagesOf, undecidedOf } from "./fixtures";
import { changed, eksCluster, expectAcceptedOutright } from "./fixtures-cloud";

describe("EKS-02 Secrets encryption", () => {
    it("accepts Secrets encryption with a KMS key whose ARN is unknown until the key exists, without leaving the cluster undecided", async () => {
        await expectAcceptedOutright(eksSecretsEncryption, [eksCluster()]);
    });

    it("accepts a known key ARN", async () => {
        const known = changed(
            eksCluster(),
            ["props", "encryptionConfig", "provider", "keyArn"],
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        );
        expect(await messagesOf(eksSecretsEncryption, [known])).toEqual([]);
    });

    it("rejects a cluster without encryptionConfig", async () => {
        expect(await messagesOf(eksSecretsEncryption, [changed(eksCluster(), ["props", "encryptionConfig"], undefined)])).toEqual([
            'EKS cluster "kfstack-prod" does not encrypt Secrets with a KMS key; set encryptionConfig to { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.',
        ]);
    });

    it("rejects encryption that does not cover Secrets", async () => {
        expect(await messagesOf(eksSecretsEncryption, [changed(eksCluster(), ["props", "encryptionConfig", "resources"], [])])).toEqual([
            'EKS cluster "kfstack-prod" encrypts no resources with KMS (encryptionConfig.resources is empty); add "secrets" to encryptionConfig.resources.',
        ]);
        expect(await messagesOf(eksSecretsEncryption, [changed(eksCluster(), ["props", "encryptionConfig", "resources"], ["configmaps"])])).toEqual([
            'EKS cluster "kfstack-prod" encrypts "configmaps" with KMS, but not Secrets; add "secrets" to encryptionConfig.resources.',
        ]);
    });

    it.each([
        ["without keyArn", undefined],
        ["with an empty keyArn", ""],
    ])("rejects Secrets encryption %s", async (_, keyArn) => {
        expect(await messagesOf(eksSecretsEncryption, [changed(eksCluster(), ["props", "encryptionConfig", "provider", "keyArn"], keyArn)])).toEqual([
            'EKS cluster "kfstack-prod" encrypts Secrets without naming a KMS key; set encryptionConfig.provider.keyArn to the ARN of a customer-managed KMS key.',
        ]);
    });

    it("rejects Secrets encryption without a provider block", async () => {
        expect(await messagesOf(eksSecretsEncryption, [changed(eksCluster(), ["props", "encryptionConfig", "provider"], undefined)])).toEqual([
            'EKS cluster "kfstack-prod" encrypts Secrets without naming a KMS key; set encryptionConfig.provider.keyArn to the ARN of a customer-managed KMS key.',
        ]);
    });

    it("leaves the cluster undecided while the list of encrypted resources is unknown", async () => {
        expect(
            (await undecidedOf(eksSecretsEncryption, [changed(eksCluster(), ["props", "encryptionConfig", "resources"], Unknown.instance)])).map(
                (entry) => entry.reason,
            ),
        ).toEqual(["string value at .encryptionConfig.resources can't be known during preview"]);
    });
});
