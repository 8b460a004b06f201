// What the registry stack tests share: the example stacks' settings, planning
// the registry program offline, and finding planned resources.
import { join } from "node:path";
import { expect } from "vitest";
import { MIRROR_NAMESPACE, rawMirrorConfig } from "../../components/registry/config";
import { registryProgram } from "../../components/registry/registry-program";
import { type OfflineRun, type PlannedResource, runOffline } from "../../engine/offline";
import { type StackSettings, loadStackSettings } from "../../engine/stack-file";
import { type RawConfig, toWire } from "../config-cases";

export const MIRROR_DIR = join(__dirname, "..", "..", "registry");
export const TYPES = {
    mirror: "kfstack:mirror:RegistryMirror",
    awsProvider: "pulumi:providers:aws",
    ecr: "aws:ecr/repository:Repository",
    kmsKey: "aws:kms/key:Key",
    kmsAlias: "aws:kms/alias:Alias",
    artifactRegistry: "gcp:artifactregistry/repository:Repository",
};
export const GOVCLOUD_KEY = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

export function settings(stack: string): StackSettings {
    return loadStackSettings(stack, { projectDir: MIRROR_DIR });
}

export function shipped(stack: string): RawConfig {
    return rawMirrorConfig(settings(stack).config).raw;
}

export function plan(stack: string, raw: RawConfig = shipped(stack)): Promise<OfflineRun> {
    return runOffline(registryProgram, { project: "kfstack-mirror", stack, config: toWire(MIRROR_NAMESPACE, raw), secretKeys: [] });
}

export function ofType(run: OfflineRun, type: string): PlannedResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

export function only(run: OfflineRun, type: string): PlannedResource {
    const matches = ofType(run, type);
    expect(
        matches.map((match) => match.urn),
        type,
    ).toHaveLength(1);
    return matches[0]!;
}

/** What the example stacks mirror (each lists the same images). */
export const MIRRORED_IMAGES = shipped("existing")["images"] as string[];
