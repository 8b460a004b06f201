// Packages loaded on their first use, where most runs never touch them: the
// cloud SDKs (@pulumi/aws alone is hundreds of modules, which a GCP stack or an
// existing cluster never needs) and ajv (only a pack config that sets policy
// settings is validated). Required, not imported: a dynamic import() of the
// program's own modules does not run under Pulumi's runner (ts-node compiles
// them to CommonJS), while requiring a package works under every runtime the
// program has (the runner, the CLI, vitest) and gives each the same module
// instance as a static import would.
import type * as Aws from "@pulumi/aws";
import type * as Gcp from "@pulumi/gcp";
import type * as AjvPackage from "ajv";
import { createRequire } from "node:module";

const load = createRequire(__filename);

function onFirstUse<T extends object>(name: string): T {
    let loaded: T | undefined;
    return new Proxy({} as T, { get: (_target, key) => Reflect.get((loaded ??= load(name) as T), key) as unknown });
}

export const aws = onFirstUse<typeof Aws>("@pulumi/aws");
export const gcp = onFirstUse<typeof Gcp>("@pulumi/gcp");
export const ajv = onFirstUse<typeof AjvPackage>("ajv");
