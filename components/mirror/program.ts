// The mirror's Pulumi program. `pulumi up` in mirror/ runs it through
// mirror/index.ts; the offline engine runs the very same function under mocks.
import * as pulumi from "@pulumi/pulumi";
import { RegistryMirror } from "./index";
import { loadMirrorConfig } from "./config";

export async function mirrorProgram(): Promise<Record<string, unknown>> {
    const config = loadMirrorConfig();
    const mirror = new RegistryMirror(`kfstack-mirror-${pulumi.getStack()}`, config);
    return { cloud: config.cloud, registryPrefix: mirror.registryPrefix, repositories: mirror.repositories };
}
