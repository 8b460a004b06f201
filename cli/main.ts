// Entry point of `npm run <command>` (through cli/run.mjs): runs the CLI on the process's arguments.
import { runCli } from "./commands";

// Pulumi records a source position for every resource from a stack trace;
// mapping hundreds of those through source maps costs seconds. And it keeps
// the stack trace of every promise it makes until the program ends (to name
// leaked promises), ~40 MB for a 100-tenant stack; its source positions take
// their own full traces whatever the limit. Stack traces only matter with
// --debug, which maps them to the TypeScript source.
const debug = process.argv.includes("--debug");
process.setSourceMapsEnabled(debug);
if (!debug) Error.stackTraceLimit = 0;

void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
