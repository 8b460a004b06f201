// The mirror in ECR: one repository per image path under the stack's
// namespace, tags immutable, scanned on push, encrypted with a KMS key (the
// stack's, or one created here with rotation). ECR pull-through cache does not
// exist in GovCloud, so images come in by pushing the bundle; the same code
// serves commercial regions. No ARN is built here: the key policy is KMS's
// default (the account administers its key), so nothing depends on the partition
// but the region, which the explicit provider carries.
import type * as Aws from "@pulumi/aws";
import { aws } from "../packages";
import * as pulumi from "@pulumi/pulumi";
import type { AwsMirrorConfig } from "./config";

export interface EcrMirror {
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<repositoryPrefix>`. */
    registryPrefix: pulumi.Output<string>;
    /** Repository path → its ECR repository. */
    repositories: Map<string, Aws.ecr.Repository>;
}

/** KMS alias names allow letters, digits, '/', '_' and '-'. */
function aliasName(name: string): string {
    return `alias/${name.replace(/[^A-Za-z0-9/_-]/g, "-")}`;
}

export function createEcrMirror(name: string, config: AwsMirrorConfig, paths: readonly string[], parent: pulumi.Resource): EcrMirror {
    const provider = new aws.Provider(
        `${name}-aws`,
        { region: config.region, ...(Object.keys(config.tags).length > 0 ? { defaultTags: { tags: config.tags } } : {}) },
        { parent },
    );
    const opts = { parent, provider };

    let kmsKey: pulumi.Input<string>;
    if (config.kmsKeyArn !== undefined) {
        kmsKey = config.kmsKeyArn;
    } else {
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts the kfstack image mirror repositories under ${config.repositoryPrefix}/`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            opts,
        );
        new aws.kms.Alias(`${name}-key`, { name: aliasName(name), targetKeyId: key.keyId }, opts);
        kmsKey = key.arn;
    }

    const repositories = new Map(
        paths.map((path) => [
            path,
            new aws.ecr.Repository(
                `${name}-${path}`,
                {
                    name: `${config.repositoryPrefix}/${path}`,
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey }],
                },
                opts,
            ),
        ]),
    );

    // The registry host holds the account id, which only AWS knows: it comes from
    // a repository's URL ("<host>/<repositoryPrefix>/<path>"), so it stays unknown
    // in a preview and in the offline plan (which cannot answer aws.getCallerIdentity either).
    const first = repositories.get(paths[0]!)!;
    const registryPrefix = first.repositoryUrl.apply((url) => `${url.slice(0, url.indexOf("/"))}/${config.repositoryPrefix}`);
    return { registryPrefix, repositories };
}
