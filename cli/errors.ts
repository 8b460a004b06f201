// How the CLI reports failure: a user error is one clear paragraph and an exit
// code; a stack trace only with --debug.
import { BomError } from "../components/bom";
import { RendererError } from "../components/bom/kustomize";
import { PullError } from "../components/bom/pull";
import { ConfigError } from "../components/config/load";
import { OfflineRunError } from "../engine/offline";
import { StackFileError } from "../engine/stack-file";

export const EXIT_INVALID = 1;
export const EXIT_UNREADABLE = 2;

export function reportFailure(error: unknown, debug: boolean): number {
    const cause = error instanceof OfflineRunError ? error.cause : error;
    if (cause instanceof ConfigError) {
        console.error(cause.message);
        return EXIT_INVALID;
    }
    if (cause instanceof StackFileError) {
        console.error(cause.message);
        return EXIT_UNREADABLE;
    }
    if (cause instanceof BomError) {
        console.error(cause.message);
        return EXIT_UNREADABLE;
    }
    if (cause instanceof PullError || cause instanceof RendererError) {
        console.error(cause.message);
        return EXIT_INVALID;
    }
    console.error(debug && cause instanceof Error ? (cause.stack ?? cause.message) : `kfstack: ${cause instanceof Error ? cause.message : String(cause)}${debug ? "" : " (run with --debug for the stack trace)"}`);
    return EXIT_UNREADABLE;
}
