// How the CLI reports failure: a user error is one clear paragraph and an exit
// code; a stack trace only with --debug.

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

// By the error's name, which each of these classes sets to its own: matching
// names rather than classes spares a failing command loading the modules that
// define them (the Pulumi SDK among them); test/cli-startup.test.ts pins each name to its class.
export const USER_ERRORS: Readonly<Record<string, number>> = {
    ConfigError: EXIT_INVALID,
    CustomizeError: EXIT_INVALID,
    PullError: EXIT_INVALID,
    RendererError: EXIT_INVALID,
    MirrorError: EXIT_INVALID,
    SkopeoCommandError: EXIT_INVALID,
    PackStageError: EXIT_INVALID,
    StackFileError: EXIT_UNREADABLE,
    BomError: EXIT_UNREADABLE,
    ManifestsError: EXIT_UNREADABLE,
    UnreadableInputError: EXIT_UNREADABLE,
    PolicyConfigError: EXIT_UNREADABLE,
    MirrorInputError: EXIT_UNREADABLE,
    UpgradeInputError: EXIT_UNREADABLE,
};

export function reportFailure(error: unknown, debug: boolean): number {
    const cause = error instanceof Error && error.name === "OfflineRunError" ? error.cause : error;
    const code = cause instanceof Error ? USER_ERRORS[cause.name] : undefined;
    if (code !== undefined && cause instanceof Error) {
        console.error(cause.message);
        return code;
    }
    console.error(
        debug && cause instanceof Error
            ? (cause.stack ?? cause.message)
            : `kfstack: ${cause instanceof Error ? cause.message : String(cause)}${debug ? "" : " (run with --debug for the stack trace)"}`,
    );
    return EXIT_UNREADABLE;
}
