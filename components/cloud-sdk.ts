// The cloud SDKs, each loaded on its first use: @pulumi/aws alone is hundreds of
// modules, which a GCP stack or an existing cluster never needs. Required, not
// imported: a dynamic import() of the program's own modules does not run under
// Pulumi's runner (ts-node compiles them to CommonJS), while requiring a package
// works under every runtime the program has (the runner, the CLI, vitest) and
// gives each the same module instance as a static import would.
import type * as Aws from "@pulumi/aws";
import type * as Gcp from "@pulumi/gcp";
import { createRequire } from "node:module";

const load = createRequire(__filename);

function onFirstUse<T extends object>(name: string): T {
    let sdk: T | undefined;
    return new Proxy({} as T, { get: (_target, key) => Reflect.get((sdk ??= load(name) as T), key) as unknown });
}

export const aws = onFirstUse<typeof Aws>("@pulumi/aws");
export const gcp = onFirstUse<typeof Gcp>("@pulumi/gcp");
