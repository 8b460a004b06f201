// Entry point of `npm run <command>`: runs the CLI on the process's arguments.
import { runCli } from "./commands";

// Pulumi records a source position for every resource from a stack trace;
// mapping hundreds of those through tsx's source maps costs seconds. Stack
// traces only matter with --debug.
if (!process.argv.includes("--debug")) process.setSourceMapsEnabled(false);

void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
