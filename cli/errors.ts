// How the CLI reports failure: a user error is one clear paragraph and an exit
// code; a stack trace only with --debug.
import { BomError } from "../components/bom/load";
import { RendererError } from "../components/bom/kustomize";
import { PullError } from "../components/bom/pull";
import { ConfigError } from "../components/config/load";
import { CustomizeError } from "../components/manifests/customize";
import { ManifestsError } from "../components/manifests/read";
import { MirrorError, MirrorInputError } from "../engine/image-transfer/errors";
import { OfflineRunError } from "../engine/offline";
import { PolicyConfigError } from "../engine/policy-config";
import { PackStageError } from "../engine/policy-pack-stage";
import { StackFileError } from "../engine/stack-file";

/** Something is wrong with what was checked: invalid configuration, a failed check or pull. */
export const EXIT_INVALID = 1;
/** The input itself could not be read or used. */
export const EXIT_UNREADABLE = 2;

/** Input a command cannot read or use (a missing file, JSON in the wrong shape). */
export class UnreadableInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnreadableInputError";
    }
}

const USER_ERRORS: [new (...args: never[]) => Error, number][] = [
    [ConfigError, EXIT_INVALID],
    [CustomizeError, EXIT_INVALID],
    [PullError, EXIT_INVALID],
    [RendererError, EXIT_INVALID],
    [MirrorError, EXIT_INVALID],
    [PackStageError, EXIT_INVALID],
    [StackFileError, EXIT_UNREADABLE],
    [BomError, EXIT_UNREADABLE],
    [ManifestsError, EXIT_UNREADABLE],
    [UnreadableInputError, EXIT_UNREADABLE],
    [PolicyConfigError, EXIT_UNREADABLE],
    [MirrorInputError, EXIT_UNREADABLE],
];

export function reportFailure(error: unknown, debug: boolean): number {
    const cause = error instanceof OfflineRunError ? error.cause : error;
    const known = USER_ERRORS.find(([errorClass]) => cause instanceof errorClass);
    if (known && cause instanceof Error) {
        console.error(cause.message);
        return known[1];
    }
    console.error(
        debug && cause instanceof Error
            ? (cause.stack ?? cause.message)
            : `kfstack: ${cause instanceof Error ? cause.message : String(cause)}${debug ? "" : " (run with --debug for the stack trace)"}`,
    );
    return EXIT_UNREADABLE;
}
