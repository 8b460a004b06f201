// The kfstack CLI over the offline engine. Each command lives in its own file,
// loaded only when that command runs: the definitions here import nothing but
// commander, so `--help` and argument errors answer without loading the Pulumi
// SDK, the cloud packages or the policy pack (test/cli-startup.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { reportFailure } from "./errors";

/** An action that imports its command's module when the command runs. */
function lazy<K extends string, M extends Record<K, (...args: never[]) => unknown>>(load: () => Promise<M>, name: K) {
    return async (...args: Parameters<M[K]>): Promise<void> => {
        await (await load())[name](...args);
    };
}

function packageVersion(): string {
    return (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
}

export function buildProgram(): Command {
    const program = new Command("kfstack")
        .description("Plan, check and benchmark kfstack stacks offline: no Pulumi CLI, cloud account or cluster needed.")
        .version(packageVersion())
        .option("--debug", "print stack traces of unexpected errors")
        .showHelpAfterError();
    addStackCommands(program);
    addProjectCommands(program);
    addPolicyCommands(program);
    addImageCommands(program);
    return program;
}

/** plan, check, audit and upgrade: the offline engine over one stack. */
function addStackCommands(program: Command): void {
    program
        .command("plan")
        .description("Evaluate a stack offline and print its resources, node pools and estimated cost.")
        .argument("<stack>", "stack name: reads Pulumi.<stack>.yaml")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--json <file>", "write the plan JSON to this file")
        .option("--quiet", "print nothing but errors")
        .addOption(new Option("--stats <file>", "write timing and peak memory of this run as JSON").hideHelp())
        .action(lazy(() => import("./plan.js"), "planCommand"));

    program
        .command("check")
        .description("Evaluate the policy pack over a stack's offline plan, or over a JSON list of resources; exit 1 on a mandatory violation.")
        .argument("[stack]", "stack name: reads Pulumi.<stack>.yaml")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--resources <file>", 'JSON array of { "type", "name", "props" } records to check instead of a stack')
        .option("--stack-config <file>", "with --resources: a stack file whose platform facts the stack policies should see")
        .option("--policy-config <file>", "pack config as for `pulumi preview --policy-pack-config`: enforcement levels and settings per policy")
        .option("--json", 'print { "violations": [...] } as JSON')
        .action(lazy(() => import("./check.js"), "checkCommand"));

    program
        .command("audit")
        .description(
            "Audit tenant isolation in a stack's offline plan as a tenant's attacker: an RBAC and a network matrix and every path with its chain; exit 1 if a tenant can reach into another beyond what the stack declares or acknowledges.",
        )
        .argument("<stack>", "stack name: reads Pulumi.<stack>.yaml")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--json", "print the audit as JSON")
        .action(lazy(() => import("./audit.js"), "auditCommand"));

    program
        .command("upgrade")
        .description(
            "Preview moving a stack to another release: plan it on both and list the objects added, removed, changed and replaced, CRD versions, images, the Kubernetes window and what blocks; exit 1 when anything blocks.",
        )
        .argument("<stack>", "stack name: reads Pulumi.<stack>.yaml")
        .requiredOption("--to <release>", "release to preview, e.g. kubeflow-1.9.1 (components/bom/<release>.yaml)")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--json <file>", "also write the preview JSON to this file")
        .action(lazy(() => import("./upgrade.js"), "upgradeCommand"));
}

/** bench, docs and manifests: the project's own upkeep. */
function addProjectCommands(program: Command): void {
    program
        .command("bench")
        .description(
            "Time whole commands as a user starts them (npm run …), interleaved round by round, each target a ratio against a baseline from the same run: start-up against node, the plan against a bare ConfigGroup program, the air-gap bundle and push against raw skopeo, and the tenant scaling.",
        )
        .option("--runs <n>", "rounds (each job runs once per round)", (value) => Number.parseInt(value, 10), 5)
        .option("--stacks <names>", "comma-separated stacks of the plan section", "dev,prod")
        .option(
            "--sections <names>",
            "comma-separated sections: startup (--help against node -e 0), plan (each stack against its ConfigGroup baseline), tenants (2, 20 and 100 tenants), mirror (bundle and push of the prod inventory as synthetic images against raw skopeo; needs skopeo and docker-registry), runner (time to the first resource under Pulumi's runner)",
            "startup,plan,tenants,mirror",
        )
        .option("--json <file>", "also write the report as JSON")
        .addOption(new Option("--baseline-objects <file>", "be the plan's baseline program: register these objects through ConfigGroup offline").hideHelp())
        .action(lazy(() => import("./bench.js"), "benchCommand"));

    program
        .command("docs")
        .description(
            "Regenerate the configuration reference and machine-type table in README.md from the schema and the machine table, and the registry stacks' image lists from the prod and dev plans.",
        )
        .action(lazy(() => import("./docs.js"), "docsCommand"));

    const manifests = program.command("manifests").description("Download, render and check the pinned upstream manifests of a bill of materials.");

    manifests
        .command("pull")
        .description(
            "Fetch every source of a BOM at its pinned commit, render each component with kustomize, check its sha256, and write the manifests directory (replacing the files it had).",
        )
        .argument("<bom>", "release name: reads components/bom/<bom>.yaml, e.g. kubeflow-1.8.1")
        .option("--out <dir>", "directory to write (default: the default cache every run reads, ${XDG_CACHE_HOME:-~/.cache}/kfstack/manifests)")
        .action(lazy(() => import("./manifests.js"), "manifestsPullCommand"));
}

/** policies: the CrossGuard pack as it leaves the repository. */
function addPolicyCommands(program: Command): void {
    const policies = program.command("policies").description("The CrossGuard policy pack in policies/, as it is published.");

    policies
        .command("stage")
        .description(
            "Write the pack with the core/ it imports into a self-contained directory (PulumiPolicy.yaml, package.json, tsconfig.json, index.ts, policies/, core/) to `pulumi policy publish` from; refuse if a pack module imports anything else.",
        )
        .requiredOption("--out <dir>", "stage directory: new, empty, or a previous stage (its node_modules is kept)")
        .action(lazy(() => import("./policies.js"), "policiesStageCommand"));

    policies
        .command("config")
        .description(
            "Print (or write) the pack config a stack implies, for `pulumi preview --policy-pack-config`: on an air-gapped stack IMG-02 is mandatory with its mirror and REG-01 checks the mirror; `npm run check` applies the same.",
        )
        .argument("<stack>", "stack name: reads Pulumi.<stack>.yaml")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--out <file>", "write the JSON to this file instead of printing it")
        .action(lazy(() => import("./policy-config.js"), "policiesConfigCommand"));
}

const parallel = (fallback: number) =>
    new Option("--parallel <n>", "images handled at once").argParser((value) => Number.parseInt(value, 10)).default(fallback);

/** images and mirror: the inventory, the lock, and carrying images into an enclave. */
function addImageCommands(program: Command): void {
    const images = program
        .command("images")
        .description("Every image reference a stack deploys, normalized, with where each is used; `images lock` resolves a release's digests.")
        .argument("[stack]", "stack name: reads Pulumi.<stack>.yaml")
        .option("--config <file>", "read the stack configuration from this file instead")
        .option("--json", "print the inventory as JSON")
        .action(lazy(() => import("./images.js"), "imagesCommand"));

    images
        .command("lock")
        .description("Resolve the digest of every image of a BOM with skopeo (on a connected machine) and write the lock file kept next to the BOM.")
        .argument("<bom>", "release name, e.g. kubeflow-1.8.1")
        .option("--images <file>", "JSON array of the images to lock, instead of the image inventory of the stacks that install the release")
        .option("--stacks <names>", "comma-separated stacks whose image inventory to lock (default: every stack that installs the release)")
        .option("--out <file>", "lock file to write (default: components/bom/<bom>.lock.json)")
        .option("--registries-conf <file>", "containers-registries.conf(5) file for skopeo: mirrors and insecure registries")
        .addOption(parallel(8))
        .action(lazy(() => import("./mirror.js"), "imagesLockCommand"));

    const mirror = program
        .command("mirror")
        .description("Carry a release's images into an air-gapped enclave: bundle them on a connected machine, push them into the enclave's registry.");

    mirror
        .command("bundle")
        .description(
            "Copy every locked image into one OCI layout (shared blobs stored once), with the rendered manifests, the lock and SHA256SUMS; a re-run skips what is bundled and intact.",
        )
        .option("--stack <stack>", "bundle the committed lock of the release this stack installs")
        .option("--lock <file>", "bundle this lock file instead")
        .requiredOption("--out <dir>", "bundle directory to write or resume")
        .option("--manifests <dir>", "rendered manifests to include (default: where the plan reads them: $KFSTACK_MANIFESTS_DIR, else the default cache)")
        .option("--registries-conf <file>", "containers-registries.conf(5) file for skopeo: mirrors and insecure registries")
        .addOption(parallel(4))
        .action(lazy(() => import("./mirror.js"), "mirrorBundleCommand"));

    mirror
        .command("push")
        .description(
            "Push every image of a bundle into a registry, verifying each pushed digest against the lock; a re-run pushes only what is not yet verified.",
        )
        .requiredOption("--bundle <dir>", "bundle directory made by `mirror bundle`")
        .requiredOption("--registry <host[/prefix]>", "registry to push to, e.g. registry.enclave.local:5000/kubeflow (log in first with `skopeo login`)")
        .option("--insecure", "the registry serves plain HTTP or an untrusted certificate (skopeo --dest-tls-verify=false)")
        .addOption(parallel(4))
        .action(lazy(() => import("./mirror.js"), "mirrorPushCommand"));

    mirror
        .command("verify")
        .description(
            "After the push: ask the registry for every image reference an air-gapped stack's plan makes (containers, ConfigMaps, args, env, custom resources), by digest or tag as a node pulls it; lists each missing one with every object path that names it.",
        )
        .requiredOption("--stack <stack>", "the air-gapped stack whose plan to verify")
        .option("--registry <host[/prefix]>", "ask this registry in place of the stack's kfstack:airGap.registry (the same mirror under another name)")
        .option("--insecure", "the registry serves plain HTTP or an untrusted certificate (skopeo --tls-verify=false)")
        .addOption(parallel(8))
        .action(lazy(() => import("./mirror-verify.js"), "mirrorVerifyCommand"));
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
