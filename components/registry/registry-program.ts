// The Pulumi program of the registry project (kfstack-mirror). `pulumi up` in registry/ runs it through
// registry/index.ts; the offline engine runs the very same function under mocks.
import * as pulumi from "@pulumi/pulumi";
import { RegistryMirror } from "./registry-mirror";
import { loadMirrorConfig } from "./config";

// eslint-disable-next-line @typescript-eslint/require-await -- async so a config error rejects the promise the runner awaits
export async function registryProgram(): Promise<Record<string, unknown>> {
    const config = loadMirrorConfig();
    const mirror = new RegistryMirror(`kfstack-mirror-${pulumi.getStack()}`, config);
    return { cloud: config.cloud, registryPrefix: mirror.registryPrefix, repositories: mirror.repositories };
}
