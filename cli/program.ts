// The kfstack CLI over the offline engine. Each command lives in its own file;
// handlers here only parse arguments and delegate.
import { Command, Option } from "commander";
import { auditCommand } from "./audit";
import { benchCommand } from "./bench";
import { checkCommand } from "./check";
import { docsCommand } from "./docs";
import { reportFailure } from "./errors";
import { manifestsPullCommand } from "./manifests";
import { planCommand } from "./plan";

export function buildProgram(): Command {
    const program = new Command("kfstack")
        .description("Plan, check and benchmark kfstack stacks offline: no Pulumi CLI, cloud account or cluster needed.")
        .option("--debug", "print stack traces of unexpected errors")
        .showHelpAfterError();

    program
        .command("plan")
        .description("Evaluate a stack offline and print its resources, node pools and estimated cost.")
        .argument("<stack>", "stack name: reads Pulumi.<stack>.yaml")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--json <file>", "write the plan JSON to this file")
        .option("--quiet", "print nothing but errors")
        .addOption(new Option("--stats <file>", "write timing and peak memory of this run as JSON").hideHelp())
        .action(planCommand);

    program
        .command("check")
        .description("Evaluate the policy pack over a stack's offline plan, or over a JSON list of resources; exit 1 on a mandatory violation.")
        .argument("[stack]", "stack name: reads Pulumi.<stack>.yaml")
        .option("--resources <file>", 'JSON array of { "type", "name", "props" } records to check instead of a stack')
        .option("--stack-config <file>", "with --resources: a stack file whose platform facts the stack policies should see")
        .option("--policy-config <file>", "pack config as for `pulumi preview --policy-pack-config`: enforcement levels and settings per policy")
        .option("--json", 'print { "violations": [...] } as JSON')
        .action(checkCommand);

    program
        .command("audit")
        .description("Audit tenant isolation in a stack's offline plan: an RBAC and a network matrix; exit 1 if a tenant can reach into another beyond what the stack declares.")
        .argument("<stack>", "stack name: reads Pulumi.<stack>.yaml")
        .option("--json", "print the audit as JSON")
        .action(auditCommand);

    program
        .command("bench")
        .description("Median plan time and peak memory of the shipped stacks, over several fresh processes.")
        .option("--runs <n>", "runs per stack", (value) => Number.parseInt(value, 10), 5)
        .option("--stacks <names>", "comma-separated stacks", "dev,prod")
        .action(benchCommand);

    program
        .command("docs")
        .description("Regenerate the configuration reference and machine-type table in README.md from the schema and the machine table.")
        .action(docsCommand);

    const manifests = program.command("manifests").description("Download, render and check the pinned upstream manifests of a bill of materials.");

    manifests
        .command("pull")
        .description("Fetch every source of a BOM at its pinned commit, render each component with kustomize, check its sha256, and write the manifests cache.")
        .argument("<bom>", "release name: reads components/bom/<bom>.yaml, e.g. kubeflow-1.8.1")
        .option("--out <dir>", "cache directory to write", "./manifests-cache")
        .action(manifestsPullCommand);

    return program;
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and returns the
 * exit code, leaving the process's own exit code as it was (tests run it in-process).
 */
export async function runCli(argv: string[]): Promise<number> {
    const program = buildProgram();
    const previous = process.exitCode;
    process.exitCode = 0;
    let code: number;
    try {
        await program.parseAsync(argv, { from: "user" });
        code = Number(process.exitCode ?? 0);
    } catch (error) {
        code = reportFailure(error, program.opts<{ debug?: boolean }>().debug === true);
    } finally {
        process.exitCode = previous;
    }
    return code;
}
