// A throwaway CNCF distribution registry (Debian's docker-registry) on a free
// 127.0.0.1 port, storing into a directory: the "public" and "private"
// registries of the mirror tests and benchmark.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const REGISTRY_COMMAND = "docker-registry";

export interface LocalRegistry {
    /** "127.0.0.1:<port>" */
    host: string;
    directory: string;
    stop(): Promise<void>;
}

/** Whether `command --version` runs: the mirror tests and benchmark need skopeo and docker-registry. */
export const commandExists = (command: string) => spawnSync(command, ["--version"], { stdio: "ignore" }).error === undefined;

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

const running = new Set<ChildProcess>();
let exitHook = false;

function stopProcess(child: ChildProcess): Promise<void> {
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const force = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
            clearTimeout(force);
            resolve();
        });
        child.kill("SIGTERM");
    });
}

/** Starts a registry storing into `directory`; resolves once it answers /v2/. */
export async function startLocalRegistry(directory: string): Promise<LocalRegistry> {
    mkdirSync(join(directory, "data"), { recursive: true });
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = join(directory, "config.yml");
    writeFileSync(
        config,
        [
            "version: 0.1",
            "log:",
            "  level: error",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${join(directory, "data")}`,
            "  delete:",
            "    enabled: true",
            "http:",
            `  addr: ${host}`,
            "",
        ].join("\n"),
    );
    const log = join(directory, "registry.log");
    const output = openSync(log, "a");
    const child = spawn(REGISTRY_COMMAND, ["serve", config], { stdio: ["ignore", output, output] });
    running.add(child);
    if (!exitHook) {
        // A test run that dies never leaves registries behind.
        process.once("exit", () => running.forEach((registry) => registry.kill("SIGKILL")));
        exitHook = true;
    }
    const failed = new Promise<never>((_, reject) => {
        child.once("error", (error) => reject(new Error(`${REGISTRY_COMMAND} did not start: ${error.message}`)));
        child.once("exit", (code) =>
            reject(new Error(`${REGISTRY_COMMAND} exited with ${code} before answering on ${host}: ${readFileSync(log, "utf8").trim()}`)),
        );
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + 15_000;
    for (;;) {
        const answered = await Promise.race([
            fetch(`http://${host}/v2/`).then(
                (response) => response.ok,
                () => false,
            ),
            failed,
        ]).catch(async (error: Error) => {
            await stopProcess(child);
            throw error;
        });
        if (answered) break;
        if (Date.now() > deadline) {
            await stopProcess(child);
            throw new Error(`${REGISTRY_COMMAND} did not answer on http://${host}/v2/ within 15 s: ${readFileSync(log, "utf8").trim()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { host, directory, stop: () => stopProcess(child) };
}
